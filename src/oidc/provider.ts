// One oidc-provider instance per issuer, all sharing the store, the keys, the accounts and the
// login session. What differs between instances is the issuer and the route layout.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, createSecretKey } from 'node:crypto';
import Provider, {
  errors,
  interactionPolicy,
  type Configuration,
  type Grant,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import {
  acrAsksForSecondFactor,
  ACR_VALUES,
  isMultiFactor,
  type AuthorizationPolicies,
  type Decision,
} from '../auth/policy.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriAllowed } from '../config/redirect-uris.ts';
import { SIGNING_ALGORITHMS, type CORS_ENDPOINTS } from '../config/schema.ts';
import { constantTimeEqual } from '../crypto/compare.ts';
import { deriveKey } from '../crypto/derive.ts';
import { isClientAbort } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ServerResponse } from 'node:http';
import type { Store, User } from '../store/index.ts';
import { recordProtocolError } from './error-events.ts';
import { adapterFor } from './adapter.ts';
import { SCOPE_CLAIMS, userClaims } from './claims.ts';
import type { ClientSecretVerifier, SecretCheck } from './client-secrets.ts';
import { PATTERN_ONLY_PLACEHOLDER, type ClientRegistry, type SesameClientSettings } from './clients.ts';
import { rememberedConsent } from './consent.ts';
import type { Jwk } from './keys.ts';

/**
 * The pages the engine shows itself (errors, logout). The web layer renders them and hands them in,
 * so the engine knows nothing of HTML.
 */
export interface EnginePages {
  error: (code: string, description: string) => string;
  /** The logout confirmation; `form` is oidc-provider's own hidden form to submit. */
  logout: (form: string, clientName: string | undefined) => string;
  loggedOut: (clientName: string | undefined) => string;
  /** Lets this response's page post a form to `uri`, a redirect URI the engine has checked. */
  allowFormTarget: (res: ServerResponse, uri: unknown) => void;
}

export interface ProviderContext {
  pages: EnginePages;
  config: SesameConfig;
  store: Store;
  clients: ClientRegistry;
  secrets: ClientSecretVerifier;
  keys: Jwk[];
  logger: Logger;
  policies: AuthorizationPolicies;
  /** Whether a user has enrolled a second factor (voluntary acr_values step up only then). */
  hasSecondFactor: (userId: string) => Promise<boolean>;
  /** The instance a client belongs to: its application's issuer, or the global one. */
  issuerFor?: (applicationSlug: string | undefined) => Promise<Provider | undefined>;
}

/** Where an instance's endpoints live, relative to its mount point. */
export interface RouteLayout {
  /** The path prefix every request for this instance arrives under ('' or '/application/o'). */
  mount: string;
  routes: NonNullable<Configuration['routes']>;
  /** Only this application's client is known to the instance (per-application issuers). */
  applicationSlug?: string;
}

/** Authelia's paths on the global issuer. */
export const GLOBAL_LAYOUT: RouteLayout = {
  mount: '',
  routes: {
    authorization: '/api/oidc/authorization',
    token: '/api/oidc/token',
    userinfo: '/api/oidc/userinfo',
    introspection: '/api/oidc/introspection',
    revocation: '/api/oidc/revocation',
    jwks: '/jwks.json',
    end_session: '/api/oidc/end-session',
    pushed_authorization_request: '/api/oidc/pushed-authorization-request',
  },
};

/** Authentik's paths: shared endpoints under /application/o/, per-application JWKS and logout. */
export function applicationLayout(slug: string): RouteLayout {
  return {
    mount: '/application/o',
    applicationSlug: slug,
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      introspection: '/introspect',
      revocation: '/revoke',
      jwks: `/${slug}/jwks`,
      end_session: `/${slug}/end-session`,
      pushed_authorization_request: `/${slug}/par`,
    },
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Sesame's own settings, carried in the client metadata as the extra `sesame` property. */
function settingsOf(client: object | undefined): Partial<SesameClientSettings> {
  return (client as { sesame?: unknown } | undefined)?.sesame ?? {};
}

/** Keys for signing cookies, derived from hmac_secret so every node shares them. */
export function cookieKeys(hmacSecret: string): string[] {
  return [deriveKey(hmacSecret, 'engineCookies').toString('base64url')];
}

export function createProvider(issuer: string, layout: RouteLayout, context: ProviderContext): Provider {
  const { config, store, pages } = context;
  const oidc = config.identity_providers.oidc;
  const lifespans = oidc.lifespans;
  const enforcePkce = oidc.enforce_pkce;
  const subjectKey = createSecretKey(deriveKey(oidc.hmac_secret, 'subjects'));

  const configuration: Configuration = {
    adapter: adapterFor(store, context.clients),
    jwks: { keys: context.keys },
    routes: layout.routes,
    cookies: {
      keys: cookieKeys(oidc.hmac_secret),
      names: { session: 'sesame_session', interaction: 'sesame_interaction', resume: 'sesame_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
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
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ],
    responseTypes: ['code'],
    acrValues: ACR_VALUES,
    enabledJWA: {
      // Every algorithm the configuration accepts; oidc-provider narrows them to those it has keys for.
      idTokenSigningAlgValues: [...SIGNING_ALGORITHMS],
      userinfoSigningAlgValues: [...SIGNING_ALGORITHMS],
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', ...SIGNING_ALGORITHMS],
    },
    extraClientMetadata: { properties: ['sesame'] },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: oidc.require_pushed_authorization_requests,
      },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
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
    pkce: {
      required: (_ctx, client) =>
        enforcePkce === 'always' ||
        (enforcePkce === 'public_clients_only' && client.clientAuthMethod === 'none') ||
        settingsOf(client).requirePkce === true,
    },
    ttl: {
      AccessToken: (_ctx, _token, client) =>
        settingsOf(client).lifespans?.access_token ?? lifespans.access_token,
      ClientCredentials: (_ctx, _token, client) =>
        settingsOf(client).lifespans?.access_token ?? lifespans.access_token,
      AuthorizationCode: (_ctx, _code, client) =>
        settingsOf(client).lifespans?.authorize_code ?? lifespans.authorize_code,
      IdToken: (_ctx, _token, client) => settingsOf(client).lifespans?.id_token ?? lifespans.id_token,
      RefreshToken: (_ctx, _token, client) =>
        settingsOf(client).lifespans?.refresh_token ?? lifespans.refresh_token,
      Interaction: 60 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
    },
    issueRefreshToken: (_ctx, client, source) =>
      Promise.resolve(client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access')),
    // Every refresh rotates; presenting a rotated token again revokes the whole grant (reuse detection).
    rotateRefreshToken: true,
    extraParams: {
      // Runs on every authorization request, after oidc-provider's own checks.
      sesame_request_checks: (ctx) => {
        if (settingsOf(ctx.oidc.client).authorizationPolicy === 'deny')
          throw new errors.AccessDenied('the authorization policy of this client denies every request');
        // A per-application issuer serves only its own application's client.
        if (
          layout.applicationSlug !== undefined &&
          settingsOf(ctx.oidc.client).applicationSlug !== layout.applicationSlug
        )
          throw new errors.InvalidClient(
            'this client does not belong to this application',
            'client of another application',
          );
        // The client's response_modes: without response_mode, a code response goes in the query.
        const modes = settingsOf(ctx.oidc.client).responseModes;
        const mode = text(ctx.oidc.params?.response_mode) || 'query';
        if (modes && !modes.includes(mode))
          throw new errors.InvalidRequest(
            `response_mode ${mode} is not allowed for this client (allowed: ${modes.join(', ')})`,
          );
        // Authelia's minimum_parameter_entropy: short state/nonce values are guessable.
        const minimum = oidc.minimum_parameter_entropy;
        for (const name of ['state', 'nonce'] as const) {
          const value = ctx.oidc.params?.[name];
          if (minimum > 0 && typeof value === 'string' && value.length < minimum)
            throw new errors.InvalidRequest(`${name} must be at least ${minimum} characters long`);
        }
        // oidc-provider drops offline_access unless prompt=consent is also sent (OIDC Core §11).
        // Authelia and Authentik issue the refresh token without it, and apps rely on that: put the
        // scope back when the client may use refresh tokens and was allowed the scope.
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
      },
    },
    interactions: {
      url: (_ctx, interaction) => Promise.resolve(`/interaction/${interaction.uid}`),
      policy: interactionPolicyFor(context),
    },
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client!;
      const settings = settingsOf(client);
      const session = ctx.oidc.session!;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      // `explicit` asks every time, unless the consent was just given in this very interaction.
      if (settings.consentMode === 'explicit' && !ctx.oidc.result?.consent?.grantId) return undefined;
      if (existing) {
        // `implicit` never asks: what is requested now joins what was granted before.
        if (settings.consentMode === 'implicit') {
          grantRequested(existing, text(ctx.oidc.params?.scope), ctx);
          await existing.save();
        }
        return existing;
      }
      const accountId = session.accountId!;
      const remembered =
        settings.consentMode === 'pre-configured'
          ? await rememberedConsent(store, accountId, client.clientId)
          : undefined;
      if (settings.consentMode !== 'implicit' && !remembered) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      const requested = text(ctx.oidc.params?.scope);
      const scope = remembered
        ? requested
            .split(' ')
            .filter((item) => remembered.scopes.includes(item))
            .join(' ')
        : requested;
      grantRequested(grant, scope, ctx);
      await grant.save();
      return grant;
    },
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => {
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
    },
    findAccount: async (ctx, sub) => {
      const user = await userForRequest(store, ctx, sub);
      // A disabled (or deleted) user has no account: their sessions and tokens stop working.
      if (!user || user.disabled) return undefined;
      const claims = userClaims(user);
      return { accountId: user.id, claims: () => claims as { sub: string } };
    },
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

  const provider = new Provider(issuer, configuration);
  // The HTTP layer rewrites X-Forwarded-* from what it trusts (server.trusted_proxies) before handing
  // a request over, so reading them here is safe and gives the right scheme and host behind TLS.
  provider.proxy = true;

  // response_mode=form_post answers with a page whose form posts to the client's redirect URI (once
  // that URI has been checked); its inline script gets its hash into the CSP from oidc-provider.
  provider.use(async (ctx, next) => {
    await next();
    const oidcContext = (ctx as Partial<KoaContextWithOIDC>).oidc as
      { redirectUriCheckPerformed?: boolean; params?: { redirect_uri?: unknown } } | undefined;
    if (oidcContext?.redirectUriCheckPerformed && ctx.response.is('html'))
      pages.allowFormTarget(ctx.res, oidcContext.params?.redirect_uri);
  });

  // Errors that teach: the operator's log says what was sent and why it was refused (never a secret).
  for (const event of ERROR_EVENTS) {
    provider.on(
      event as 'grant.error',
      (
        ctx: KoaContextWithOIDC,
        error: Error & { error?: string; error_description?: string; error_detail?: string },
      ) => {
        // A client that went away mid-request is no refusal (nor anything the admin must read about).
        if (ctx?.req && isClientAbort(error, ctx.req)) {
          context.logger.debug({ event, issuer, err: error }, 'client went away');
          return;
        }
        const details = {
          event,
          issuer,
          client_id: ctx.oidc?.client?.clientId ?? ctx.oidc?.params?.client_id,
          error: error.error ?? error.name,
          description: error.error_description ?? error.message,
          detail: error.error_detail,
          redirect_uri: event === 'authorization.error' ? ctx.oidc?.params?.redirect_uri : undefined,
        };
        if (event === 'server_error') context.logger.error({ ...details, err: error }, 'protocol error');
        else context.logger.warn(details, 'protocol request refused');
        void recordProtocolError(context.store, event, issuer, ctx, error);
      },
    );
  }

  // Koa's last-resort errors (a response that could not be finished, mostly because the client
  // left): into the log like the rest, instead of printed to standard error.
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: Error, ctx?: KoaContextWithOIDC) => {
    if (ctx?.req && isClientAbort(error, ctx.req))
      context.logger.debug({ issuer, err: error }, 'client went away');
    else context.logger.error({ issuer, err: error }, 'protocol request failed');
  });

  // Client authentication compares secrets with no request at hand; regulation needs its address.
  const requestIp = new AsyncLocalStorage<string | undefined>();
  provider.use((ctx, next) => requestIp.run(ctx.ip, next));

  // Hashed secrets: oidc-provider holds the digest as the "secret"; Sesame compares (and regulates
  // wrong ones, see client-secrets.ts). Plain secrets cost nothing to compare and are not regulated.
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(
    this: { clientId: string; clientSecret?: string; sesame?: unknown },
    actual: string,
  ) {
    const expected = this.clientSecret;
    if (!expected) return false;
    const clientIp = requestIp.getStore();
    const hashed = settingsOf(this).secretIsDigest;
    const check = hashed
      ? await context.secrets.verify(actual, expected, { clientId: this.clientId, clientIp })
      : { ok: constantTimeEqual(actual, expected) };
    if (check.ok) return true;
    // Plain secrets are not regulated: their refusal is the protocol error event alone, so a stream
    // of them writes one row a request, not two.
    if (hashed) await auditClientSecret(context, this.clientId, clientIp, check);
    // The client hears what a wrong secret gets; the detail is for the operator's log and events.
    if (check.refused)
      throw new errors.InvalidClientAuth(
        `secret not checked: client authentication is banned by ${check.refused.by} until ${check.refused.until.toISOString()} after repeated failures`,
      );
    return false;
  };

  // A logout token must come from the issuer the client signed in with, whichever issuer's
  // end-session endpoint the user used.
  const ownBackchannelLogout = originalMethod<[string, string], Promise<unknown>>(
    provider.Client.prototype,
    'backchannelLogout',
  );
  provider.Client.prototype.backchannelLogout = async function backchannelLogout(
    this: { clientId: string; sesame?: unknown },
    sub: string,
    sid: string,
  ) {
    const slug = settingsOf(this).applicationSlug;
    const owner = slug === layout.applicationSlug ? undefined : await context.issuerFor?.(slug);
    const ownersClient = owner ? await owner.Client.find(this.clientId) : undefined;
    if (ownersClient)
      return (
        ownersClient as unknown as { backchannelLogout(sub: string, sid: string): Promise<unknown> }
      ).backchannelLogout(sub, sid);
    return ownBackchannelLogout.call(this, sub, sid);
  };

  // Regex redirect URIs (Authentik's "Regex" mode), fully anchored RE2, beside the exact ones.
  // Over-long values are refused before any matching (invalid_redirect_uri).
  const exactRedirect = originalMethod(provider.Client.prototype, 'redirectUriAllowed');
  provider.Client.prototype.redirectUriAllowed = function allowed(this: { sesame?: unknown }, value: string) {
    const exact = (uri: string) => uri !== PATTERN_ONLY_PLACEHOLDER && exactRedirect.call(this, uri);
    return redirectUriAllowed(value, exact, settingsOf(this).redirectPatterns ?? []);
  };
  const exactLogout = originalMethod(provider.Client.prototype, 'postLogoutRedirectUriAllowed');
  provider.Client.prototype.postLogoutRedirectUriAllowed = function allowed(
    this: { sesame?: unknown },
    value: string,
  ) {
    const exact = (uri: string) => exactLogout.call(this, uri);
    return redirectUriAllowed(value, exact, settingsOf(this).postLogoutPatterns ?? []);
  };

  return provider;
}

/** Grants these scopes and the claims the request asks for by name. */
function grantRequested(grant: Grant, scope: string, ctx: KoaContextWithOIDC): void {
  grant.addOIDCScope(scope);
  if (ctx.oidc.claims)
    grant.addOIDCClaims(Object.keys({ ...ctx.oidc.claims.id_token, ...ctx.oidc.claims.userinfo }));
}

/**
 * A checked wrong secret is an event, and so is the ban it may begin; refusals during a ban are not
 * (the protocol error event records each with the ban's detail). Never the secret itself.
 */
async function auditClientSecret(
  context: ProviderContext,
  clientId: string,
  clientIp: string | undefined,
  check: SecretCheck,
): Promise<void> {
  if (check.refused) return;
  const events = [{ type: 'client.auth_failed', subject: clientId, clientIp, details: {} }];
  if (check.banned) {
    const { by, until } = check.banned;
    events.push({
      type: 'client.banned',
      subject: clientId,
      clientIp,
      details: { by, until: until.toISOString() },
    });
    context.logger.warn(
      { client_id: clientId, by, ip: clientIp, until },
      'client authentication banned after repeated wrong secrets',
    );
  }
  // A storage problem must not turn the client's invalid_client into a server error.
  for (const event of events)
    await context.store.events
      .append(event)
      .catch((error: unknown) =>
        context.logger.warn({ err: error }, 'recording a client authentication event failed'),
      );
}

/** oidc-provider's own implementation of a Client method, to call from an override. */
function originalMethod<Args extends unknown[] = [string], Result = boolean>(
  prototype: object,
  name: string,
): (this: unknown, ...args: Args) => Result {
  return Object.getOwnPropertyDescriptor(prototype, name)?.value as (this: unknown, ...args: Args) => Result;
}

/**
 * The standard prompts, plus Sesame's reasons to show the login interaction to a user who already has
 * a session: the account was disabled or deleted; the client's policy denies this user (the page says
 * so, and the app gets access_denied); the policy or acr_values want a second factor the session
 * lacks (the page asks for that factor only: step-up, not the password again).
 */
/** The user, read once per request however many steps ask (the account lookup, the policy check). */
const requestUsers = new WeakMap<object, Map<string, Promise<User | undefined>>>();
function userForRequest(store: Store, ctx: object, id: string): Promise<User | undefined> {
  let users = requestUsers.get(ctx);
  if (!users) requestUsers.set(ctx, (users = new Map<string, Promise<User | undefined>>()));
  let user = users.get(id);
  if (!user) users.set(id, (user = store.users.get(id)));
  return user;
}

function interactionPolicyFor(context: ProviderContext) {
  const { store, policies } = context;
  const { Check } = interactionPolicy;
  const decisions = new WeakMap<object, Promise<Decision | undefined>>();
  const decide = (ctx: KoaContextWithOIDC): Promise<Decision | undefined> => {
    let pending = decisions.get(ctx);
    if (!pending) {
      pending = (async () => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId || !ctx.oidc.account) return undefined;
        const user = await userForRequest(store, ctx, accountId);
        if (!user) return undefined;
        const settings = settingsOf(ctx.oidc.client);
        return policies.decide(settings.authorizationPolicy ?? 'one_factor', settings.allowedGroups ?? [], {
          username: user.username,
          groups: user.groups,
          clientIp: ctx.ip,
        });
      })();
      decisions.set(ctx, pending);
    }
    return pending;
  };

  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.push(
    new Check('account_unavailable', 'the account of this session is disabled or gone', (ctx) =>
      ctx.oidc.session?.accountId && !ctx.oidc.account ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT,
    ),
    new Check(
      SESAME_DENIED,
      'the authorization policy of this client does not allow this user',
      'access_denied',
      async (ctx) => ((await decide(ctx))?.level === 'deny' ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
    ),
    new Check(SESAME_SECOND_FACTOR, 'a second factor is required', 'interaction_required', async (ctx) => {
      const decision = await decide(ctx);
      if (!decision || decision.level === 'deny' || isMultiFactor(ctx.oidc.session?.amr))
        return Check.NO_NEED_TO_PROMPT;
      if (decision.level === 'two_factor') return Check.REQUEST_PROMPT;
      // acr_values is a wish, not a rule: step up only when the user has something to step up with.
      const wanted = acrAsksForSecondFactor(text(ctx.oidc.params?.acr_values));
      return wanted && (await context.hasSecondFactor(ctx.oidc.session!.accountId!))
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

/** Interaction reasons the login page handles itself. */
export const SESAME_DENIED = 'sesame_policy_denied';
export const SESAME_SECOND_FACTOR = 'sesame_second_factor_required';

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

const ERROR_EVENTS = [
  'authorization.error',
  'backchannel.error',
  'discovery.error',
  'end_session.error',
  'grant.error',
  'introspection.error',
  'jwks.error',
  'pushed_authorization_request.error',
  'revocation.error',
  'userinfo.error',
  'server_error',
] as const;
