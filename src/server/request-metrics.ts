// What a request is called in the metrics: its route, and for the protocol, the OpenID Connect
// endpoint's name as Authelia's metrics name it (token, authorization, jwks, openid_configuration …).
import { ENDPOINTS, isProtocolPath } from '../config/urls.ts';
import { metricsEnabled, recordRequest } from '../lib/metrics.ts';

const DISCOVERY_NAMES: Record<string, string> = {
  '/.well-known/openid-configuration': 'openid_configuration',
  '/.well-known/oauth-authorization-server': 'oauth_configuration',
};

const GLOBAL_NAMES = new Map<string, string>(
  Object.entries(ENDPOINTS.global).map(([name, path]) => [path, name]),
);
const SHARED_NAMES = new Map<string, string>(
  Object.entries(ENDPOINTS.shared).map(([name, path]) => [path, name]),
);
const APPLICATION_NAMES = new Map<string, string>(
  Object.entries(ENDPOINTS.perApplication).map(([name, path]) => [path, name]),
);

/** The endpoint name of a protocol path (`other` for one that names none), or undefined elsewhere. */
export function oidcEndpointOf(path: string): string | undefined {
  if (!isProtocolPath(path)) return undefined;
  const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const global = DISCOVERY_NAMES[bare] ?? GLOBAL_NAMES.get(bare);
  if (global) return global;
  const rest = bare.slice(ENDPOINTS.applicationPrefix.length);
  const shared = SHARED_NAMES.get(rest);
  if (shared) return shared;
  // `/<slug>/<endpoint>`: what follows the slug.
  const slugEnd = rest.indexOf('/', 1);
  const tail = slugEnd > 1 ? rest.slice(slugEnd) : '';
  return DISCOVERY_NAMES[tail] ?? APPLICATION_NAMES.get(tail) ?? 'other';
}

/** Records one answered request; `route` is Fastify's route pattern, if one matched. */
export function recordAnswer(
  request: { method?: string; url?: string },
  code: number,
  route: string | undefined,
  seconds: number,
): void {
  if (!metricsEnabled()) return;
  const endpoint = oidcEndpointOf((request.url ?? '/').split('?')[0]!);
  recordRequest({
    method: request.method ?? 'GET',
    code,
    route: endpoint ? `oidc:${endpoint}` : (route ?? 'unmatched'),
    seconds,
    endpoint,
  });
}
