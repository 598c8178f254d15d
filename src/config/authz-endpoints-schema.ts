// `server.endpoints`: the authorization endpoints reverse proxies ask (Authelia 4.39's names,
// implementations, strategies and defaults), and the developer endpoints Authelia has.
import { z } from 'zod';
import { duration, oneOf } from './schema-kit.ts';
import { serverEndpointKeys } from './authelia-schema.ts';

export const AUTHZ_IMPLEMENTATIONS = ['ForwardAuth', 'AuthRequest', 'ExtAuthz', 'Legacy'] as const;
export const AUTHN_STRATEGIES = [
  'CookieSession',
  'HeaderAuthorization',
  'HeaderProxyAuthorization',
  'HeaderAuthRequestProxyAuthorization',
  'HeaderLegacy',
] as const;
const HEADER_STRATEGIES: readonly string[] = AUTHN_STRATEGIES.slice(1, 4);

export type AuthzImplementation = (typeof AUTHZ_IMPLEMENTATIONS)[number];
export type AuthnStrategyName = (typeof AUTHN_STRATEGIES)[number];

export interface AuthnStrategy {
  name: AuthnStrategyName;
  schemes: string[];
  /** Seconds; 0: every Basic credential is checked against the password hash. */
  scheme_basic_cache_lifespan: number;
}
export interface AuthzEndpoint {
  implementation: AuthzImplementation;
  authn_strategies: AuthnStrategy[];
}

const basicThenCookie = (): AuthnStrategy[] => [
  { name: 'HeaderAuthorization', schemes: ['basic'], scheme_basic_cache_lifespan: 0 },
  { name: 'CookieSession', schemes: [], scheme_basic_cache_lifespan: 0 },
];

/** Each implementation's strategies when none are listed (Authelia's defaults). */
function defaultStrategies(implementation: AuthzImplementation): AuthnStrategy[] {
  if (implementation === 'Legacy')
    return [
      { name: 'HeaderLegacy', schemes: [], scheme_basic_cache_lifespan: 0 },
      { name: 'CookieSession', schemes: [], scheme_basic_cache_lifespan: 0 },
    ];
  return basicThenCookie();
}

/** The endpoints that exist when `server.endpoints.authz` is not set. */
export function defaultAuthzEndpoints(): Record<string, AuthzEndpoint> {
  return {
    legacy: { implementation: 'Legacy', authn_strategies: defaultStrategies('Legacy') },
    'auth-request': { implementation: 'AuthRequest', authn_strategies: defaultStrategies('AuthRequest') },
    'ext-authz': { implementation: 'ExtAuthz', authn_strategies: defaultStrategies('ExtAuthz') },
    'forward-auth': { implementation: 'ForwardAuth', authn_strategies: defaultStrategies('ForwardAuth') },
  };
}

const strategy = z.strictObject({
  name: oneOf(AUTHN_STRATEGIES).describe('How a request proves who it is.'),
  schemes: z
    .array(
      z
        .string()
        .toLowerCase()
        .pipe(oneOf(['basic', 'bearer'])),
    )
    .optional()
    .describe(
      'The Authorization schemes a header strategy accepts (default: basic). `bearer` is refused until Sesame supports it.',
    ),
  scheme_basic_cache_lifespan: duration()
    .default(0)
    .describe('How long a verified Basic credential is remembered (0: checked every time).'),
});

const endpoint = z.strictObject({
  implementation: oneOf(AUTHZ_IMPLEMENTATIONS)
    .optional()
    .describe('Which proxy protocol the endpoint speaks.'),
  authn_strategies: z
    .array(strategy)
    .default([])
    .describe('The strategies tried in order (default: the implementation’s).'),
});

type Problem = (path: (string | number)[], message: string, allowed?: string) => void;

function resolveEndpoint(name: string, raw: z.output<typeof endpoint>, problem: Problem): AuthzEndpoint {
  const implementation = name === 'legacy' ? (raw.implementation ?? 'Legacy') : raw.implementation;
  if (name === 'legacy' && implementation !== 'Legacy')
    problem(
      [name, 'implementation'],
      "the endpoint named 'legacy' must use the Legacy implementation",
      'Legacy',
    );
  if (!/^[a-zA-Z](([a-zA-Z0-9/._-]*)([a-zA-Z]))?$/.test(name))
    problem(
      [name],
      'the endpoint name contains invalid characters',
      'letters, digits and / . _ - (starting and ending with a letter)',
    );
  if (!implementation) {
    problem([name, 'implementation'], 'is required', AUTHZ_IMPLEMENTATIONS.join(', '));
    return { implementation: 'Legacy', authn_strategies: [] };
  }
  if (raw.authn_strategies.length === 0)
    return { implementation, authn_strategies: defaultStrategies(implementation) };
  const seen = new Set<string>();
  const strategies = raw.authn_strategies.map((entry, index): AuthnStrategy => {
    const at = [name, 'authn_strategies', index];
    if (seen.has(entry.name))
      problem(at, `the strategy '${entry.name}' is listed twice`, 'each strategy once');
    seen.add(entry.name);
    const header = HEADER_STRATEGIES.includes(entry.name);
    if (!header && entry.schemes?.length)
      problem([...at, 'schemes'], `is not valid for the ${entry.name} strategy`, 'remove it');
    const schemes = header ? (entry.schemes?.length ? entry.schemes : ['basic']) : [];
    if (schemes.includes('bearer'))
      problem([...at, 'schemes'], "'bearer' is not supported yet by Sesame", 'basic');
    if (entry.scheme_basic_cache_lifespan > 0 && !schemes.includes('basic'))
      problem([...at, 'scheme_basic_cache_lifespan'], 'needs the basic scheme', 'schemes: [basic]');
    return { name: entry.name, schemes, scheme_basic_cache_lifespan: entry.scheme_basic_cache_lifespan };
  });
  return { implementation, authn_strategies: strategies };
}

export const serverEndpoints = z
  .strictObject({
    ...serverEndpointKeys,
    authz: z
      .record(z.string(), endpoint)
      .optional()
      .describe(
        'The authorization endpoints, served at `/api/authz/<name>` (`legacy`: `/api/verify`). Default: forward-auth, auth-request, ext-authz and legacy, as in Authelia.',
      ),
  })
  .prefault({})
  .transform((value, ctx) => {
    const problem: Problem = (path, message, allowed) =>
      ctx.addIssue({
        code: 'custom',
        path: ['authz', ...path],
        message,
        params: allowed ? { allowed } : undefined,
      });
    const given = value.authz && Object.keys(value.authz).length > 0 ? value.authz : undefined;
    const authz = given
      ? Object.fromEntries(
          Object.entries(given).map(([name, raw]) => [name, resolveEndpoint(name, raw, problem)]),
        )
      : defaultAuthzEndpoints();
    return { ...value, authz };
  })
  .describe('The endpoints reverse proxies ask whether a request may pass.');
