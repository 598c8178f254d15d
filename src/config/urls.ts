// Every path the protocol and the pages answer at, spelled once, and the URLs an app is configured
// with. Both URL worlds point at the same server: the global issuer (Authelia style) and one issuer
// per application (Authentik style, trailing slash).

/** The route names oidc-provider knows, with the path each has on the global issuer. */
const GLOBAL_ROUTES = {
  authorization: '/api/oidc/authorization',
  token: '/api/oidc/token',
  userinfo: '/api/oidc/userinfo',
  introspection: '/api/oidc/introspection',
  revocation: '/api/oidc/revocation',
  jwks: '/jwks.json',
  end_session: '/api/oidc/end-session',
  pushed_authorization_request: '/api/oidc/pushed-authorization-request',
  device_authorization: '/api/oidc/device-authorization',
  // The page a person types a device's user code into (RFC 8628 verification_uri), and its
  // `/<uid>` where the sign-in resumes.
  code_verification: '/device',
} as const;

export const ENDPOINTS = {
  /** Discovery, at every issuer (RFC 8414's name too). */
  discovery: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
  /** Authelia's paths on the global issuer, by oidc-provider route name. */
  global: GLOBAL_ROUTES,
  /** Every global endpoint but the key set lives under this prefix. */
  globalPrefix: '/api/oidc/',
  /** Authentik's per-application world: `<prefix>/<slug>/…` and the shared endpoints. */
  applicationPrefix: '/application/o',
  /** Authentik's shared endpoints, `<applicationPrefix><path>`, by oidc-provider route name. */
  shared: {
    authorization: '/authorize',
    token: '/token',
    userinfo: '/userinfo',
    introspection: '/introspect',
    revocation: '/revoke',
    device_authorization: '/device',
  },
  /** Each application's own endpoints, `<applicationPrefix>/<slug><path>`. */
  perApplication: {
    jwks: '/jwks',
    end_session: '/end-session',
    pushed_authorization_request: '/par',
    code_verification: '/device',
  },
  /** Where oidc-provider sends the browser for login and consent (`<interaction>/<uid>`). */
  interaction: '/interaction',
  /** The user portal, and the redirect URI of its built-in client. */
  portal: '/portal',
  portalCallback: '/portal/callback',
} as const;

export type SharedRoute = keyof typeof ENDPOINTS.shared;

export interface ApplicationUrls {
  issuer: string;
  discovery: string;
  authorize: string;
  token: string;
  userinfo: string;
  endSession: string;
  jwks: string;
}

export function globalIssuer(externalUrl: string): string {
  return externalUrl.replace(/\/+$/, '');
}

export function applicationUrls(externalUrl: string, slug: string): ApplicationUrls {
  const base = `${globalIssuer(externalUrl)}${ENDPOINTS.applicationPrefix}`;
  const { shared, perApplication } = ENDPOINTS;
  return {
    issuer: `${base}/${slug}/`,
    discovery: `${base}/${slug}${ENDPOINTS.discovery[0]}`,
    authorize: `${base}${shared.authorization}/`,
    token: `${base}${shared.token}/`,
    userinfo: `${base}${shared.userinfo}/`,
    endSession: `${base}/${slug}${perApplication.end_session}/`,
    jwks: `${base}/${slug}${perApplication.jwks}/`,
  };
}

/** Whether a path belongs to one of the issuers (and so is not for the rest of the server). */
export function isProtocolPath(path: string): boolean {
  return (
    (ENDPOINTS.discovery as readonly string[]).includes(path) ||
    path === ENDPOINTS.global.jwks ||
    path === ENDPOINTS.global.code_verification ||
    path.startsWith(`${ENDPOINTS.global.code_verification}/`) ||
    path.startsWith(ENDPOINTS.globalPrefix) ||
    path.startsWith(`${ENDPOINTS.applicationPrefix}/`)
  );
}

/** The Fastify routes that hand requests over to the issuers (see isProtocolPath). */
export const PROTOCOL_ROUTES = [
  ...ENDPOINTS.discovery,
  ENDPOINTS.global.jwks,
  ENDPOINTS.global.code_verification,
  `${ENDPOINTS.global.code_verification}/*`,
  `${ENDPOINTS.globalPrefix}*`,
  `${ENDPOINTS.applicationPrefix}/*`,
];

/**
 * The front-channel endpoints a browser may also reach with a form POST (OIDC Core 3.1.2.1,
 * RP-Initiated Logout 1.0 §2), in both URL worlds; a trailing slash is allowed.
 */
export function isFrontChannelPath(path: string): boolean {
  const bare = path.endsWith('/') ? path.slice(0, -1) : path;
  const { global, applicationPrefix, shared, perApplication } = ENDPOINTS;
  if (bare === global.authorization || bare === global.end_session) return true;
  if (!bare.startsWith(`${applicationPrefix}/`)) return false;
  const rest = bare.slice(applicationPrefix.length);
  if (rest === shared.authorization) return true;
  // `/<slug>/end-session`: one non-empty segment before it.
  const slugEnd = rest.indexOf('/', 1);
  return slugEnd > 1 && rest.slice(slugEnd) === perApplication.end_session;
}
