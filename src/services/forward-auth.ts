// The authorization endpoints reverse proxies ask about each request (server.endpoints.authz), answered
// as Authelia answers each implementation: where the request was going (from the proxy's headers),
// who is asking (the strategies in order: a Basic credential, the domain's session cookie), what the
// access_control rules want, and then 200 with the Remote-* headers, a redirect to the sign-in with
// `rd`, 401/407 for credentials, or 403.
import { createHmac, randomBytes } from 'node:crypto';
import type { ForwardAuthIdentity, ForwardAuthSessions } from '../auth/forward-auth-sessions.ts';
import { isMultiFactor } from '../auth/policy.ts';
import type { AuthnStrategy, AuthzEndpoint } from '../config/authz-endpoints-schema.ts';
import { withinDomain, type SessionCookie } from '../config/session-schema.ts';
import type { User } from '../store/index.ts';
import type { AttemptSource, SignInService } from './sign-in.ts';

/** What the transport reads off the proxy's request. */
export interface AuthzRequest {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  cookies: Record<string, string | undefined>;
  /** ExtAuthz: the path (and query) after the endpoint's own path. */
  extAuthzPath?: string;
  /** Whether the peer may tell where the request was going (server.trusted_proxies). */
  forwardedTrusted: boolean;
  /** The client's address (through trusted proxies). */
  clientIp: string;
  requestId: string;
}

export interface AuthzAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

type Level = 0 | 1 | 2;
type Target = { url: URL; method: string };
type Authn = { level: Level; user?: User; error?: string; viaAuthorization?: boolean };

const BASIC_CHALLENGE = 'Basic realm="Authorization Required"';
const ANONYMOUS: Authn = { level: 0 };

function header(request: AuthzRequest, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Authelia accepts only upper-case letters in a method. */
function validMethod(method: string | undefined): method is string {
  return !!method && /^[A-Z]+$/.test(method);
}

function parseUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The forwarded headers as one URL: scheme, host and the path with its query. */
function forwardedUrl(proto: string | undefined, host: string | undefined, uri: string | undefined) {
  if (!proto || !host) return undefined;
  return parseUrl(`${proto}://${host}${uri ?? ''}`);
}

/** Where the proxied request was going, by implementation; undefined when the headers do not say. */
function targetOf(endpoint: AuthzEndpoint, request: AuthzRequest): Target | undefined {
  if (!request.forwardedTrusted) return undefined;
  const h = (name: string) => header(request, name);
  switch (endpoint.implementation) {
    case 'ForwardAuth': {
      const url = forwardedUrl(h('x-forwarded-proto'), h('x-forwarded-host'), h('x-forwarded-uri'));
      const method = h('x-forwarded-method');
      return url && validMethod(method) ? { url, method } : undefined;
    }
    case 'AuthRequest': {
      const url = parseUrl(h('x-original-url'));
      const method = h('x-original-method');
      return url && validMethod(method) ? { url, method } : undefined;
    }
    case 'ExtAuthz': {
      const url = forwardedUrl(h('x-forwarded-proto') ?? 'http', h('host'), request.extAuthzPath ?? '/');
      return url && validMethod(request.method) ? { url, method: request.method } : undefined;
    }
    case 'Legacy': {
      const original = h('x-original-url');
      const url = original
        ? parseUrl(original)
        : forwardedUrl(
            h('x-forwarded-proto') ?? 'http',
            h('x-forwarded-host') ?? h('host'),
            h('x-forwarded-uri'),
          );
      const method = h('x-forwarded-method') ?? request.method;
      return url && validMethod(method) ? { url, method } : undefined;
    }
  }
}

/** Whether the browser wants a page (then it is redirected) rather than an API answer (401). */
function wantsRedirect(request: AuthzRequest): boolean {
  if (header(request, 'x-requested-with')?.toLowerCase() === 'xmlhttprequest') return false;
  const accepts = (header(request, 'accept') ?? '').split(',').map((part) => part.split(';')[0]!.trim());
  return accepts.some((type, index) => type === 'text/html' || (index === 0 && type === '*/*'));
}

function redirectStatus(request: AuthzRequest, method: string): number {
  if (!wantsRedirect(request)) return 401;
  return ['GET', 'HEAD', 'OPTIONS', ''].includes(method) ? 302 : 303;
}

function redirect(status: number, location: URL, method: string): AuthzAnswer {
  const href = location.href;
  const body =
    method === 'HEAD'
      ? undefined
      : `<a href="${href.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">${status}</a>`;
  return { status, headers: { location: href, 'content-type': 'text/html; charset=utf-8' }, body };
}

/** The sign-in page's address with `rd` (and `rm`): where the browser goes to sign in. */
export function signInRedirect(portal: URL, target: Target): URL {
  const url = new URL(portal.href);
  if (url.pathname === '') url.pathname = '/';
  url.searchParams.set('rd', target.url.href);
  if (target.method) url.searchParams.set('rm', target.method);
  url.searchParams.sort();
  return url;
}

function levelOf(amr: readonly string[]): Level {
  return isMultiFactor(amr) ? 2 : 1;
}

/** A small cache of verified Basic credentials (scheme_basic_cache_lifespan), keyed by an HMAC. */
class BasicCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { userId: string; until: number }>();
  keyOf(username: string, password: string): string {
    return createHmac('sha256', this.key).update(`${username}\0${password}`).digest('base64url');
  }
  get(key: string, now: number): string | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until > now) return entry.userId;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, userId: string, until: number): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { userId, until });
  }
}

/** The access_control evaluator (auth/access-control.ts), as this service uses it. */
export interface AccessDecider {
  decide(
    subject: { username?: string; groups: string[]; ip: string },
    object: { url: URL; method: string },
  ): { policy: 'bypass' | 'deny' | 'one_factor' | 'two_factor'; rule?: number; hasSubjects: boolean };
}

/** What a browser arriving at the sign-in with `rd` gets (see ForwardAuthService.arrive). */
export type Arrival =
  | { kind: 'sign-in'; secondFactor: boolean; rd: string; rm?: string; again?: boolean }
  | { kind: 'redirect'; location: string; cookie?: DomainCookie }
  | { kind: 'second-factor-missing' };

/** A forward-auth cookie to set on the response. */
export interface DomainCookie {
  cookie: SessionCookie;
  value: string;
  maxAge?: number;
}

/** Who is signed in at the portal (the login session) when a browser arrives with `rd`. */
export interface PortalVisitor {
  sessionUid: string;
  amr: string[];
  user: User;
}

export interface ForwardAuthDependencies {
  cookies: SessionCookie[];
  accessControl: AccessDecider;
  sessions: ForwardAuthSessions;
  signIn: SignInService;
  users: { get(id: string): Promise<User | undefined> };
  now?: () => number;
}

export class ForwardAuthService {
  private readonly deps: ForwardAuthDependencies;
  private readonly caches = new WeakMap<AuthnStrategy, BasicCache>();
  constructor(deps: ForwardAuthDependencies) {
    this.deps = deps;
  }

  /** The cookie domain a host belongs to: the most specific configured one. */
  cookieFor(host: string): SessionCookie | undefined {
    return this.deps.cookies
      .filter((cookie) => withinDomain(host, cookie.domain))
      .sort((a, b) => b.domain.length - a.domain.length)[0];
  }

  async check(endpoint: AuthzEndpoint, request: AuthzRequest): Promise<AuthzAnswer> {
    const badRequest: AuthzAnswer = { status: endpoint.implementation === 'Legacy' ? 401 : 400, headers: {} };
    const target = targetOf(endpoint, request);
    // Session cookies travel only over https: Authelia refuses to decide about anything else.
    if (!target || !['https:', 'wss:'].includes(target.url.protocol)) return badRequest;
    const cookie = this.cookieFor(target.url.hostname);
    if (!cookie) return badRequest;
    const portal = this.portalOf(endpoint, request, cookie);
    if (portal === null) return badRequest;
    const { authn, strategy } = await this.authenticate(endpoint, request, cookie, target);
    const decision = this.deps.accessControl.decide(
      { username: authn.user?.username, groups: authn.user?.groups ?? [], ip: request.clientIp },
      { url: target.url, method: target.method },
    );
    const unauthorized = () =>
      strategy
        ? challenge(strategy, authn)
        : this.unauthorized(endpoint, request, authn, signIn(portal, target), target);
    if (authn.error && !decision.hasSubjects && decision.policy !== 'bypass' && strategy)
      return challenge(strategy, authn);
    switch (outcome(authn.level, decision.policy, decision.hasSubjects)) {
      case 'forbidden':
        return { status: 403, headers: {} };
      case 'unauthorized':
        return unauthorized();
      case 'authorized':
        return authorized(authn.user);
    }
  }

  /** The sign-in address for this request; undefined: none (Legacy answers 401); null: refused. */
  private portalOf(
    endpoint: AuthzEndpoint,
    request: AuthzRequest,
    cookie: SessionCookie,
  ): URL | undefined | null {
    const given =
      endpoint.implementation === 'Legacy'
        ? (text(request.query.rd) ?? header(request, 'x-authelia-url'))
        : endpoint.implementation === 'ExtAuthz'
          ? header(request, 'x-authelia-url')
          : text(request.query.authelia_url);
    if (given !== undefined) {
      const url = parseUrl(given);
      return url && withinDomain(url.hostname, cookie.domain) ? url : null;
    }
    if (endpoint.implementation === 'Legacy') return undefined;
    return cookie.authelia_url ?? null;
  }

  /** The strategies in order, as Authelia tries them; the header strategy answers its own failures. */
  private async authenticate(
    endpoint: AuthzEndpoint,
    request: AuthzRequest,
    cookie: SessionCookie,
    target: Target,
  ) {
    let authn: Authn = ANONYMOUS;
    let last: AuthnStrategy | undefined;
    for (const strategy of endpoint.authn_strategies) {
      last = strategy;
      authn = await this.tryStrategy(strategy, request, cookie, target);
      if (authn.error)
        return {
          authn: { ...authn, level: 0 as Level, user: undefined },
          strategy: handles(strategy) ? strategy : undefined,
        };
      if (authn.level > 0) break;
    }
    return { authn, strategy: last && handles(last) ? last : undefined };
  }

  private async tryStrategy(
    strategy: AuthnStrategy,
    request: AuthzRequest,
    cookie: SessionCookie,
    target: Target,
  ): Promise<Authn> {
    if (strategy.name === 'CookieSession') {
      const token = request.cookies[cookie.name];
      const identity: ForwardAuthIdentity | undefined = token
        ? await this.deps.sessions.resolve(token, cookie)
        : undefined;
      return identity ? { level: levelOf(identity.amr), user: identity.user } : ANONYMOUS;
    }
    if (strategy.name === 'HeaderLegacy') {
      const viaAuthorization = request.query.auth === 'basic';
      const value = header(request, viaAuthorization ? 'authorization' : 'proxy-authorization');
      if (!value)
        return viaAuthorization ? { level: 0, error: 'Authorization expected', viaAuthorization } : ANONYMOUS;
      if (!/^basic /i.test(value)) return { level: 0, error: 'unsupported scheme', viaAuthorization };
      return { ...(await this.basic(strategy, value, request, target)), viaAuthorization };
    }
    const value = header(
      request,
      strategy.name === 'HeaderAuthorization' ? 'authorization' : 'proxy-authorization',
    );
    if (!value) return ANONYMOUS;
    const scheme = value.split(' ', 1)[0]!.toLowerCase();
    // A scheme this endpoint does not take is passed over, as if the header were absent.
    if (scheme !== 'basic' || !strategy.schemes.includes('basic')) return ANONYMOUS;
    return this.basic(strategy, value, request, target);
  }

  /** A Basic credential, checked like a sign-in's password (regulation, audit events). */
  private async basic(
    strategy: AuthnStrategy,
    value: string,
    request: AuthzRequest,
    target: Target,
  ): Promise<Authn> {
    const decoded = Buffer.from(value.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [username, password] =
      colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (!username || !password) return { level: 0, error: 'the username or password was empty' };
    const now = (this.deps.now ?? Date.now)();
    const cache = this.cacheOf(strategy);
    const key = cache?.keyOf(username, password);
    const cachedId = key ? cache!.get(key, now) : undefined;
    const cachedUser = cachedId ? await this.deps.users.get(cachedId) : undefined;
    if (cachedUser && !cachedUser.disabled) return { level: 1, user: cachedUser };
    const from: AttemptSource = {
      clientId: `forward-auth ${target.url.host}`,
      clientIp: request.clientIp,
      requestId: request.requestId,
    };
    const login = await this.deps.signIn.password(username, password, from);
    const user = login ? await this.deps.users.get(login.accountId) : undefined;
    if (!user) return { level: 0, error: 'the credentials were refused' };
    if (key) cache!.set(key, user.id, now + strategy.scheme_basic_cache_lifespan * 1000);
    return { level: 1, user };
  }

  private cacheOf(strategy: AuthnStrategy): BasicCache | undefined {
    if (strategy.scheme_basic_cache_lifespan <= 0) return undefined;
    let cache = this.caches.get(strategy);
    if (!cache) this.caches.set(strategy, (cache = new BasicCache()));
    return cache;
  }

  private unauthorized(
    endpoint: AuthzEndpoint,
    request: AuthzRequest,
    authn: Authn,
    location: URL | undefined,
    target: Target,
  ): AuthzAnswer {
    switch (endpoint.implementation) {
      case 'AuthRequest':
        return redirect(401, location!, target.method);
      case 'Legacy':
        if (authn.viaAuthorization) return { status: 401, headers: { 'www-authenticate': BASIC_CHALLENGE } };
        if (!location) return { status: 401, headers: {} };
        return redirect(redirectStatus(request, target.method), location, target.method);
      default:
        return redirect(redirectStatus(request, target.method), location!, target.method);
    }
  }
}

function signIn(portal: URL | undefined, target: Target): URL | undefined {
  return portal && signInRedirect(portal, target);
}

/** Header strategies answer their own failures; the session cookie leaves it to the endpoint. */
function handles(strategy: AuthnStrategy): boolean {
  return strategy.name !== 'CookieSession';
}

function challenge(strategy: AuthnStrategy, authn: Authn): AuthzAnswer {
  if (strategy.name === 'HeaderProxyAuthorization')
    return { status: 407, headers: { 'proxy-authenticate': BASIC_CHALLENGE } };
  if (strategy.name === 'HeaderLegacy' && !authn.viaAuthorization)
    return { status: 401, headers: { 'www-authenticate': BASIC_CHALLENGE } };
  return { status: 401, headers: { 'www-authenticate': BASIC_CHALLENGE } };
}

function outcome(
  level: Level,
  policy: string,
  hasSubjects: boolean,
): 'forbidden' | 'unauthorized' | 'authorized' {
  if (policy === 'bypass') return 'authorized';
  if (policy === 'deny' && (level > 0 || !hasSubjects)) return 'forbidden';
  if ((policy === 'one_factor' && level >= 1) || (policy === 'two_factor' && level >= 2)) return 'authorized';
  return 'unauthorized';
}

function authorized(user: User | undefined): AuthzAnswer {
  if (!user) return { status: 200, headers: {} };
  return {
    status: 200,
    headers: {
      'remote-user': user.username,
      'remote-groups': user.groups.join(','),
      'remote-name': user.displayName ?? '',
      'remote-email': user.email ?? '',
    },
  };
}

/** Sign-in and sign-out for forward-auth apps: `rd` checked, the domain cookie set (directly or by a hop). */
export class ForwardAuthPortal {
  private readonly service: ForwardAuthService;
  private readonly deps: ForwardAuthDependencies;
  constructor(service: ForwardAuthService, deps: ForwardAuthDependencies) {
    this.service = service;
    this.deps = deps;
  }

  /**
   * Authelia's safe-redirection rule: an https (or wss) URL on a configured cookie domain. Anything
   * else (another site, http, a scheme-relative or malformed value) is not followed.
   */
  safeTarget(rd: unknown): URL | undefined {
    const url = parseUrl(text(rd));
    if (!url || !['https:', 'wss:'].includes(url.protocol) || url.username || url.password) return undefined;
    return this.service.cookieFor(url.hostname) ? url : undefined;
  }

  /** Where to land when `rd` is missing or refused: the domain's default_redirection_url, else the portal. */
  fallback(host: string): string {
    return this.service.cookieFor(host)?.default_redirection_url?.href ?? '/portal';
  }

  /**
   * A browser sent to the sign-in with `rd`: sign in (or step up) first, or go back with the domain
   * cookie. `host`: the host it arrived at; `stepped`: it comes back from a sign-in made for this.
   */
  async arrive(input: {
    rd: unknown;
    rm: unknown;
    host: string;
    stepped: boolean;
    visitor?: PortalVisitor;
    clientIp: string;
  }): Promise<Arrival> {
    const target = this.safeTarget(input.rd);
    if (!target) return { kind: 'redirect', location: this.fallback(input.host) };
    const method = validMethod(text(input.rm)) ? (input.rm as string) : 'GET';
    const { visitor } = input;
    const decision = this.deps.accessControl.decide(
      { username: visitor?.user.username, groups: visitor?.user.groups ?? [], ip: input.clientIp },
      { url: target, method },
    );
    const needs = decision.policy === 'two_factor' ? 2 : decision.policy === 'bypass' ? 0 : 1;
    const level = visitor ? levelOf(visitor.amr) : 0;
    const rm = text(input.rm);
    if (!visitor)
      return needs === 0
        ? { kind: 'redirect', location: target.href }
        : { kind: 'sign-in', secondFactor: needs === 2, rd: target.href, rm };
    if (level < needs)
      return input.stepped
        ? { kind: 'second-factor-missing' }
        : { kind: 'sign-in', secondFactor: true, rd: target.href, rm };
    const cookie = this.service.cookieFor(target.hostname)!;
    const idle =
      needs > 0 && !input.stepped && !(await this.deps.sessions.recentlyActive(visitor.sessionUid, cookie));
    if (idle) return { kind: 'sign-in', secondFactor: needs === 2, rd: target.href, rm, again: true };
    return this.goBack(visitor.sessionUid, target, input.host);
  }

  /** Back to the app with the cookie: set here when this host is in the cookie domain, else by a hop. */
  private async goBack(sessionUid: string, target: URL, host: string): Promise<Arrival> {
    const cookie = this.service.cookieFor(target.hostname)!;
    const remember = await this.deps.sessions.remembered(sessionUid);
    if (withinDomain(host, cookie.domain)) {
      const opened = await this.deps.sessions.open(sessionUid, cookie, remember);
      return {
        kind: 'redirect',
        location: target.href,
        cookie: { cookie, value: opened.token, maxAge: opened.maxAge },
      };
    }
    if (!cookie.authelia_url) return { kind: 'redirect', location: target.href };
    const token = await this.deps.sessions.issueHop({
      sessionUid,
      domain: cookie.domain,
      target: target.href,
      remember,
    });
    const hop = new URL(HOP_PATH, cookie.authelia_url);
    hop.searchParams.set('token', token);
    return { kind: 'redirect', location: hop.href };
  }

  /** The hop's second half, on the cookie domain's host: the one-time token becomes the cookie. */
  async redeem(token: unknown, host: string): Promise<Arrival | undefined> {
    const hop = typeof token === 'string' && token ? await this.deps.sessions.redeemHop(token) : undefined;
    const cookie = hop && this.deps.cookies.find((entry) => entry.domain === hop.domain);
    if (!hop || !cookie || !withinDomain(host, cookie.domain)) return undefined;
    if (!(await this.deps.sessions.identityOf(hop.sessionUid))) return undefined;
    const opened = await this.deps.sessions.open(hop.sessionUid, cookie, hop.remember);
    return {
      kind: 'redirect',
      location: hop.target,
      cookie: { cookie, value: opened.token, maxAge: opened.maxAge },
    };
  }

  /** The cookie domain a host is in (to clear its cookie at sign-out). */
  cookieOfHost(host: string): SessionCookie | undefined {
    return this.service.cookieFor(host);
  }
}

/** Where the one-time hop token is redeemed, on a cookie domain's authelia_url host. */
export const HOP_PATH = '/api/authz-session';
