// oidc-provider's configuration, one named section per concern (as its own lib/ is laid out):
// cookies, scopes and claims, algorithms, features, token policies, request checks, subjects,
// accounts, and how errors and browsers are answered. createProvider (provider.ts) joins them.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_VALUES } from '../auth/policy.ts';
import { SIGNING_ALGORITHMS, TOKEN_ENDPOINT_AUTH_METHODS } from '../config/client-model.ts';
import type { SesameConfig } from '../config/load.ts';
import type { CORS_ENDPOINTS } from '../config/schema.ts';
import { deriveKey } from '../crypto/derive.ts';
import type { Store } from '../store/index.ts';
import { SCOPE_CLAIMS, userClaims } from './claims.ts';
import { settingsOf } from './clients.ts';
import { userForRequest } from './interaction-policy.ts';
import { deviceFlowFeature } from './device-flow.ts';
import type { EnginePages } from './provider.ts';

type OidcConfig = SesameConfig['identity_providers']['oidc'];

/** Keys for signing cookies, derived from hmac_secret so every node shares them. */
export function cookieKeys(hmacSecret: string): string[] {
  return [deriveKey(hmacSecret, 'engineCookies').toString('base64url')];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function cookieSection(oidc: OidcConfig): Configuration {
  return {
    cookies: {
      keys: cookieKeys(oidc.hmac_secret),
      names: { session: 'sesame_session', interaction: 'sesame_interaction', resume: 'sesame_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
  };
}

export function scopeSection(oidc: OidcConfig): Configuration {
  return {
    claims: {
      ...SCOPE_CLAIMS,
      ...Object.fromEntries(Object.entries(oidc.scopes).map(([scope, { claims }]) => [scope, claims])),
    },
    scopes: [
      'openid',
      'offline_access',
      ...Object.keys(SCOPE_CLAIMS).filter((scope) => scope !== 'openid'),
      ...Object.keys(oidc.scopes),
    ],
    // Apps read profile claims from the ID token (as Authentik serves them); userinfo stays complete.
    conformIdTokenClaims: false,
  };
}

export function algorithmSection(): Configuration {
  return {
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: [...TOKEN_ENDPOINT_AUTH_METHODS],
    responseTypes: ['code'],
    acrValues: ACR_VALUES,
    enabledJWA: {
      // Every algorithm the configuration accepts; oidc-provider narrows them to those it has keys for.
      idTokenSigningAlgValues: [...SIGNING_ALGORITHMS],
      userinfoSigningAlgValues: [...SIGNING_ALGORITHMS],
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', ...SIGNING_ALGORITHMS],
    },
    extraClientMetadata: { properties: ['sesame'] },
  };
}

export function featureSection(oidc: OidcConfig, pages: EnginePages): Configuration {
  return {
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: oidc.require_pushed_authorization_requests,
      },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: deviceFlowFeature(pages),
      // A confidential client (a resource server) may introspect any token; a public one only its own.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) =>
          Promise.resolve(client.clientAuthMethod !== 'none' || token.clientId === client.clientId),
      },
      // Only the client a token was issued to may revoke it.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => Promise.resolve(token.clientId === client.clientId),
      },
      userinfo: { enabled: true },
      // DPoP (RFC 9449): a client that sends a proof gets tokens bound to its key. Nonces come from a
      // key every node derives alike; they are offered, not required (see docs/dpop.md). Replayed
      // proofs are caught through the store, on every node (adapter.ts).
      dPoP: {
        enabled: true,
        nonceSecret: deriveKey(oidc.hmac_secret, 'dpopNonces'),
        requireNonce: () => false,
        allowReplay: false,
      },
      jwtUserinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          // (oidc-provider has checked post_logout_redirect_uri against the client by now.)
          pages.allowFormTarget(ctx.res, ctx.oidc.params?.post_logout_redirect_uri);
          ctx.type = 'html';
          ctx.body = pages.logout(form, ctx.oidc.client?.clientName);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = pages.loggedOut(ctx.oidc.client?.clientName);
        },
      },
    },
  };
}

export function tokenSection(oidc: OidcConfig): Configuration {
  const { lifespans, enforce_pkce: enforcePkce } = oidc;
  const lifespan =
    (kind: keyof typeof lifespans & ('access_token' | 'authorize_code' | 'id_token' | 'refresh_token')) =>
    (_ctx: unknown, _token: unknown, client: object) =>
      settingsOf(client).lifespans?.[kind] ?? lifespans[kind];
  return {
    pkce: {
      required: (_ctx, client) =>
        enforcePkce === 'always' ||
        (enforcePkce === 'public_clients_only' && client.clientAuthMethod === 'none') ||
        settingsOf(client).requirePkce === true,
    },
    ttl: {
      AccessToken: lifespan('access_token'),
      ClientCredentials: lifespan('access_token'),
      AuthorizationCode: lifespan('authorize_code'),
      // How long a device's user code can be entered (and the device may poll).
      DeviceCode: lifespans.device_code,
      IdToken: lifespan('id_token'),
      RefreshToken: lifespan('refresh_token'),
      Interaction: 60 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
    },
    issueRefreshToken: (_ctx, client, source) =>
      Promise.resolve(client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access')),
    // Every refresh rotates; presenting a rotated token again revokes the whole grant (reuse detection).
    rotateRefreshToken: true,
  };
}

/** Refuses a request the client's Sesame settings do not allow. */
function checkClientSettings(ctx: KoaContextWithOIDC, applicationSlug: string | undefined): void {
  const settings = settingsOf(ctx.oidc.client);
  if (settings.authorizationPolicy === 'deny')
    throw new errors.AccessDenied('the authorization policy of this client denies every request');
  // A per-application issuer serves only its own application's client.
  if (applicationSlug !== undefined && settings.applicationSlug !== applicationSlug)
    throw new errors.InvalidClient(
      'this client does not belong to this application',
      'client of another application',
    );
  // The client's response_modes: without response_mode, a code response goes in the query.
  const modes = settings.responseModes;
  const mode = text(ctx.oidc.params?.response_mode) || 'query';
  if (modes && !modes.includes(mode))
    throw new errors.InvalidRequest(
      `response_mode ${mode} is not allowed for this client (allowed: ${modes.join(', ')})`,
    );
}

/** Authelia's minimum_parameter_entropy: short state/nonce values are guessable. */
function checkParameterEntropy(ctx: KoaContextWithOIDC, minimum: number): void {
  for (const name of ['state', 'nonce'] as const) {
    const value = ctx.oidc.params?.[name];
    if (minimum > 0 && typeof value === 'string' && value.length < minimum)
      throw new errors.InvalidRequest(`${name} must be at least ${minimum} characters long`);
  }
}

/**
 * oidc-provider drops offline_access unless prompt=consent is also sent (OIDC Core §11). Authelia
 * and Authentik issue the refresh token without it, and apps rely on that: put the scope back when
 * the client may use refresh tokens and was allowed the scope.
 */
function keepOfflineAccess(ctx: KoaContextWithOIDC): void {
  const raw = (ctx.method === 'POST' ? ctx.oidc.body : ctx.query)?.scope;
  const client = ctx.oidc.client;
  if (
    typeof raw === 'string' &&
    raw.split(' ').includes('offline_access') &&
    client?.grantTypeAllowed('refresh_token') &&
    (client.scope === undefined || client.scope.split(' ').includes('offline_access'))
  ) {
    const scopes = new Set(text(ctx.oidc.params?.scope).split(' ').filter(Boolean));
    scopes.add('offline_access');
    ctx.oidc.params!.scope = [...scopes].join(' ');
  }
}

export function requestCheckSection(oidc: OidcConfig, applicationSlug: string | undefined): Configuration {
  return {
    extraParams: {
      // Runs on every authorization request, after oidc-provider's own checks.
      sesame_request_checks: (ctx) => {
        checkClientSettings(ctx, applicationSlug);
        checkParameterEntropy(ctx, oidc.minimum_parameter_entropy);
        keepOfflineAccess(ctx);
      },
    },
  };
}

/** Every `sub` other than the plain user id, by the client's subject mode. */
function subjectFor(store: Store, subjectKey: KeyObject): NonNullable<Configuration['pairwiseIdentifier']> {
  return async (_ctx, accountId, client) => {
    const settings = settingsOf(client);
    switch (settings.subjectMode) {
      case 'username':
        return (await store.users.get(accountId))?.username ?? accountId;
      case 'email':
        return (await store.users.get(accountId))?.email ?? accountId;
      case 'hashed_user_id':
        // One value for every client, like Authentik's "hashed user ID".
        return createHmac('sha256', subjectKey).update(accountId).digest('hex');
      default: {
        // A stable identifier per sector (the sector_identifier_uri's host, or the redirect URI's).
        const sector: string = settings.sectorIdentifierUri
          ? new URL(settings.sectorIdentifierUri).host
          : text(client.sectorIdentifier) || client.clientId;
        return createHmac('sha256', subjectKey).update(`${sector}\0${accountId}`).digest('base64url');
      }
    }
  };
}

export function accountSection(store: Store, oidc: OidcConfig): Configuration {
  const subjectKey = createSecretKey(deriveKey(oidc.hmac_secret, 'subjects'));
  return {
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: subjectFor(store, subjectKey),
    findAccount: async (ctx, sub) => {
      const user = await userForRequest(store, ctx, sub);
      // A disabled (or deleted) user has no account: their sessions and tokens stop working.
      if (!user || user.disabled) return undefined;
      const claims = userClaims(user);
      return { accountId: user.id, claims: () => claims as { sub: string } };
    },
  };
}

/** oidc-provider's route names → Authelia's `cors.endpoints` names. */
const CORS_ROUTES: Record<string, (typeof CORS_ENDPOINTS)[number]> = {
  authorization: 'authorization',
  pushed_authorization_request: 'pushed-authorization-request',
  token: 'token',
  revocation: 'revocation',
  introspection: 'introspection',
  userinfo: 'userinfo',
  device_authorization: 'device-authorization',
};

/** How errors, browsers from other origins and outgoing requests are handled. */
export function answerSection(oidc: OidcConfig, pages: EnginePages): Configuration {
  return {
    renderError: (ctx, out, error) => {
      ctx.type = 'html';
      const detail = oidc.enable_client_debug_messages
        ? (error as { error_detail?: string }).error_detail
        : undefined;
      ctx.body = pages.error(out.error, [out.error_description, detail].filter(Boolean).join(' — '));
    },
    // Browser-based clients: CORS only on the endpoints and for the origins the operator listed.
    clientBasedCORS: (ctx, origin, client) => {
      const endpoint = CORS_ROUTES[ctx.oidc.route];
      if (!endpoint || !oidc.cors.endpoints.includes(endpoint)) return false;
      if (oidc.cors.allowed_origins.includes('*') || oidc.cors.allowed_origins.includes(origin)) return true;
      return (
        oidc.cors.allowed_origins_from_client_redirect_uris &&
        (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin)
      );
    },
    clockTolerance: 15,
    // oidc-provider refuses private and loopback addresses for outgoing requests (SSRF protection
    // for dynamically registered clients). Sesame has no dynamic registration: every URL it calls
    // (back-channel logout, jwks_uri) was set by an administrator, and self-hosted apps live on
    // private networks. Keep the timeout, drop the address filter.
    fetch: (url, options) => {
      const { dispatcher: _ignored, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
  };
}
