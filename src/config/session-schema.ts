// `session`: the cookies forward-auth sets on each protected domain, as Authelia 4.39 defines them.
// The login itself is Sesame's one login session; a cookie here names it for the apps of a domain.
import { isIP } from 'node:net';
import { parse as parseDomain } from 'tldts';
import { z } from 'zod';
import { redisSchema } from './redis-schema.ts';
import { duration, oneOf, SECRET } from './schema-kit.ts';
import { DURATION_HELP } from './duration.ts';

const SAME_SITE = ['lax', 'strict', 'none'] as const;
/** `remember_me: -1` turns "remember me" off. */
const REMEMBER_ME_DISABLED = -1;

const rememberMe = z
  .union([z.literal(-1), z.literal('-1'), duration()])
  .transform((value) => (value === '-1' ? REMEMBER_ME_DISABLED : value))
  .describe(`${DURATION_HELP}; -1 turns "remember me" off`);

const common = {
  name: z.string().min(1).optional().describe('The cookie name (default: `session.name`).'),
  same_site: oneOf(SAME_SITE)
    .optional()
    .describe('The cookie’s SameSite attribute (default: `session.same_site`).'),
  expiration: duration()
    .optional()
    .describe('How long a forward-auth session lasts without "remember me" (default: `session.expiration`).'),
  inactivity: duration()
    .optional()
    .describe('A session unused this long ends, unless remembered (default: `session.inactivity`).'),
  remember_me: rememberMe
    .optional()
    .describe(
      'How long a remembered session lasts; -1 turns "remember me" off (default: `session.remember_me`).',
    ),
};

const cookieEntry = z.strictObject({
  domain: z
    .string()
    .min(1)
    .describe('The domain the cookie is set on; it protects this domain and every subdomain of it.'),
  authelia_url: z
    .string()
    .optional()
    .describe(
      'Where the proxy sends people to sign in for this domain (https, within the cookie domain): Sesame’s own address on it.',
    ),
  default_redirection_url: z
    .string()
    .optional()
    .describe(
      'Where people land after signing in when no valid `rd` was given (https, within the cookie domain).',
    ),
  ...common,
});

/** One cookie domain with every setting resolved (the globals filled in, the legacy `domain` mapped). */
export interface SessionCookie {
  domain: string;
  authelia_url?: URL;
  default_redirection_url?: URL;
  name: string;
  same_site: (typeof SAME_SITE)[number];
  /** Seconds. */
  expiration: number;
  inactivity: number;
  /** Seconds; 0 when "remember me" is off. */
  remember_me: number;
  /** Made from the deprecated `session.domain`. */
  legacy: boolean;
}

type Problem = (path: (string | number)[], message: string, allowed?: string) => void;

/** Whether `host` is `domain` or one of its subdomains (Authelia's cookie-scope rule). */
export function withinDomain(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  const d = domain.toLowerCase().replace(/^\./, '');
  return h === d || h.endsWith(`.${d}`);
}

function domainProblem(domain: string): string | undefined {
  if (domain.startsWith('*.')) return 'must be the domain to protect, not a wildcard';
  if (isIP(domain) !== 0) return undefined;
  if (!domain.includes('.'))
    return 'is not a cookie domain: it needs at least one period, or must be an IP address';
  if (!/^[a-z0-9.-]+$/i.test(domain.replace(/^\./, ''))) return 'is not a valid cookie domain or IP address';
  const parsed = parseDomain(domain.replace(/^\./, ''), { allowPrivateDomains: true });
  if (parsed.domain === null) return 'is a public suffix: browsers refuse cookies for it';
  return undefined;
}

function secureUrl(
  value: string | undefined,
  key: string,
  cookie: SessionCookie,
  at: number,
  problem: Problem,
) {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(['cookies', at, key], `'${value}' is not an absolute URL`, 'an https URL');
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'wss:')
    problem(['cookies', at, key], `'${value}' does not have a secure scheme`, 'an https URL');
  if (!withinDomain(url.hostname, cookie.domain))
    problem(
      ['cookies', at, key],
      `'${value}' is not within the cookie domain '${cookie.domain}'`,
      `a URL on ${cookie.domain} or a subdomain of it`,
    );
  return url;
}

type SessionInput = z.output<typeof sessionObject>;

function resolveCookies(session: SessionInput, problem: Problem): SessionCookie[] {
  const entries: z.output<typeof cookieEntry>[] = session.cookies.length
    ? session.cookies
    : session.domain
      ? [{ domain: session.domain }]
      : [];
  if (session.cookies.length && session.domain)
    problem(['domain'], "'domain' and 'cookies' can't be used together", 'session.cookies only');
  const seen: string[] = [];
  return entries.map((entry, at) => {
    const remember = entry.remember_me ?? session.remember_me;
    const cookie: SessionCookie = {
      domain: entry.domain,
      name: entry.name ?? session.name,
      same_site: entry.same_site ?? session.same_site,
      expiration: entry.expiration || session.expiration,
      inactivity: entry.inactivity || session.inactivity,
      remember_me: remember === REMEMBER_ME_DISABLED ? 0 : remember || session.remember_me,
      legacy: session.cookies.length === 0,
    };
    const bad = domainProblem(entry.domain);
    if (bad)
      problem(
        ['cookies', at, 'domain'],
        `'${entry.domain}' ${bad}`,
        'a registrable domain such as example.com',
      );
    if (seen.some((other) => withinDomain(entry.domain, other) || withinDomain(other, entry.domain)))
      problem(
        ['cookies', at, 'domain'],
        `'${entry.domain}' shares its cookie scope with another cookie domain`,
        'domains that do not contain each other',
      );
    seen.push(entry.domain);
    cookie.authelia_url = secureUrl(entry.authelia_url, 'authelia_url', cookie, at, problem);
    cookie.default_redirection_url = secureUrl(
      entry.default_redirection_url,
      'default_redirection_url',
      cookie,
      at,
      problem,
    );
    if (!entry.authelia_url && !cookie.legacy)
      problem(
        ['cookies', at, 'authelia_url'],
        'is required',
        'the https URL Sesame is reached at on this domain',
      );
    if (cookie.authelia_url && cookie.default_redirection_url?.href === cookie.authelia_url.href)
      problem(
        ['cookies', at, 'default_redirection_url'],
        'must differ from authelia_url',
        'the page to land on after signing in',
      );
    return cookie;
  });
}

const sessionObject = z.strictObject({
  secret: z
    .string()
    .min(1)
    .meta(SECRET)
    .optional()
    .describe(
      'Encrypts the session data kept in Redis (`session.redis`); without it, a key derived from `storage.encryption_key` is used. Sessions in the database need no key: only digests of their tokens are stored.',
    ),
  name: z.string().min(1).default('authelia_session').describe('The default cookie name.'),
  same_site: oneOf(SAME_SITE).default('lax').describe('The default SameSite attribute of the cookies.'),
  expiration: duration().prefault('1h').describe('The default lifetime of a session without "remember me".'),
  inactivity: duration()
    .prefault('5m')
    .describe('The default inactivity after which a session not remembered ends.'),
  remember_me: rememberMe
    .prefault('1M')
    .describe('The default lifetime of a remembered session; -1 turns "remember me" off.'),
  domain: z
    .string()
    .min(1)
    .optional()
    .describe('Deprecated (Authelia 4.38): a single cookie domain; use `cookies` instead.'),
  cookies: z
    .array(cookieEntry)
    .default([])
    .describe('The cookie domains forward-auth protects, one entry each.'),
  redis: redisSchema,
});

export const sessionSchema = sessionObject
  .transform((session, ctx) => {
    const problem: Problem = (path, message, allowed) =>
      ctx.addIssue({ code: 'custom', path, message, params: allowed ? { allowed } : undefined });
    return { ...session, cookies: resolveCookies(session, problem) };
  })
  .optional()
  .describe(
    'Forward-auth sessions: a cookie per protected domain, naming the same login as the OpenID Connect apps use.',
  );

export type SessionConfig = NonNullable<z.output<typeof sessionSchema>>;
