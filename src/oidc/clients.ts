// Where clients come from: the configuration file (read-only) and the database (CLI, API, admin
// UI). Both become one shape, then oidc-provider client metadata plus Sesame's own settings.
import {
  CONFIG_CLIENT_DEFAULTS,
  coreOf,
  defaultAuthMethod,
  resolveConsentMode,
  type ClientCore,
  type ResolvedConsentMode,
  type StoredClientSettings,
} from '../config/client-model.ts';
import { registeredRedirects } from '../config/redirect-uris.ts';
import type { ClientConfig } from '../config/schema.ts';
import { parseDigest } from '../crypto/digest.ts';
import type { Application, OAuthClient, Store } from '../store/index.ts';

/** A client as the engine serves it, wherever it came from (see ClientCore for the common fields). */
export interface SesameClient extends ClientCore {
  /** A digest, or the plaintext secret (needed for client_secret_jwt). */
  secret?: string;
  responseModes?: string[];
  tokenEndpointAuthSigningAlg?: string;
  requirePushedAuthorizationRequests?: boolean;
  /** DPoP required: token requests without a proof are refused (RFC 9449 §5.2). */
  dpopBoundAccessTokens?: boolean;
  consentMode: ResolvedConsentMode;
  consentDurationSeconds?: number;
  sectorIdentifierUri?: string;
  jwks?: Record<string, unknown>[];
  jwksUri?: string;
  backchannelLogoutUri?: string;
  /** RFC 8707 resource indicators the client may request access tokens for. */
  audience: string[];
  /** `implicit`: a request naming no resource is granted every audience. */
  requestedAudienceMode: string;
  source: 'config' | 'database';
  /** The application (per-application issuer) this client belongs to. */
  applicationSlug?: string;
}

/** A sector identifier URI makes the subject pairwise, whatever subject mode is set. */
function subjectMode(mode: string, sectorIdentifierUri: string | undefined): string {
  return sectorIdentifierUri ? 'pairwise' : mode;
}

export function fromConfig(
  client: ClientConfig,
  lifespans: Record<string, SesameClient['lifespans']>,
): SesameClient {
  return {
    clientId: client.client_id,
    name: client.client_name ?? client.client_id,
    secret: client.client_secret,
    public: client.public,
    redirectUris: client.redirect_uris,
    postLogoutRedirectUris: client.post_logout_redirect_uris,
    scopes: client.scopes,
    grantTypes: client.grant_types,
    responseTypes: client.response_types,
    responseModes: client.response_modes,
    tokenEndpointAuthMethod: client.token_endpoint_auth_method ?? defaultAuthMethod(client.public),
    tokenEndpointAuthSigningAlg: client.token_endpoint_auth_signing_alg,
    idTokenSignedResponseAlg: client.id_token_signed_response_alg,
    userinfoSignedResponseAlg: client.userinfo_signed_response_alg,
    accessTokenSignedResponseAlg: client.access_token_signed_response_alg,
    // Authelia: naming a challenge method makes PKCE mandatory for the client.
    requirePkce: client.require_pkce || client.pkce_challenge_method === 'S256',
    requirePushedAuthorizationRequests: client.require_pushed_authorization_requests,
    dpopBoundAccessTokens: client.dpop_bound_access_tokens,
    consentMode: resolveConsentMode(client.consent_mode, client.pre_configured_consent_duration),
    consentDurationSeconds: client.pre_configured_consent_duration,
    authorizationPolicy: client.authorization_policy,
    allowedGroups: [],
    subjectMode: subjectMode(client.subject_mode, client.sector_identifier_uri),
    sectorIdentifierUri: client.sector_identifier_uri,
    lifespans: client.lifespan ? (lifespans[client.lifespan] ?? {}) : {},
    jwks: client.jwks,
    jwksUri: client.jwks_uri,
    backchannelLogoutUri: client.backchannel_logout_uri,
    audience: client.audience,
    requestedAudienceMode: client.requested_audience_mode,
    source: 'config',
  };
}

export function fromDatabase(client: OAuthClient, applicationSlug?: string): SesameClient {
  const settings = client.settings as StoredClientSettings;
  return {
    ...coreOf(client),
    secret: client.secretDigest,
    responseModes: settings.response_modes,
    tokenEndpointAuthSigningAlg: settings.token_endpoint_auth_signing_alg,
    dpopBoundAccessTokens: settings.dpop_bound_access_tokens,
    consentMode: resolveConsentMode(client.consentMode, client.preConfiguredConsentDuration),
    consentDurationSeconds: client.preConfiguredConsentDuration,
    subjectMode: subjectMode(client.subjectMode, settings.sector_identifier_uri),
    sectorIdentifierUri: settings.sector_identifier_uri,
    jwks: settings.jwks,
    jwksUri: settings.jwks_uri,
    backchannelLogoutUri: settings.backchannel_logout_uri,
    audience: settings.audience ?? [],
    requestedAudienceMode: settings.requested_audience_mode ?? CONFIG_CLIENT_DEFAULTS.requested_audience_mode,
    source: 'database',
    applicationSlug,
  };
}

/** The secret oidc-provider holds: the digest itself (compared by Sesame) or the plaintext. */
function providerSecret(secret: string | undefined): { value?: string; isDigest: boolean } {
  if (secret === undefined) return { isDigest: false };
  const parsed = parseDigest(secret);
  if (parsed.algorithm === 'plaintext') return { value: parsed.value.toString('utf8'), isDigest: false };
  return { value: secret, isDigest: true };
}

export function toProviderMetadata(client: SesameClient): Record<string, unknown> {
  const usesRedirects =
    client.responseTypes.length > 0 && client.grantTypes.some((type) => type !== 'client_credentials');
  const redirects = registeredRedirects(client.redirectUris, usesRedirects);
  const logout = registeredRedirects(client.postLogoutRedirectUris, false);
  const secret = providerSecret(client.secret);
  const alg = (value: string) => (value === 'none' ? undefined : value);
  const metadata: Record<string, unknown> = {
    client_id: client.clientId,
    client_name: client.name,
    client_secret: secret.value,
    redirect_uris: redirects.exact,
    post_logout_redirect_uris: logout.exact,
    grant_types: client.grantTypes,
    response_types: usesRedirects ? client.responseTypes : [],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    token_endpoint_auth_signing_alg: client.tokenEndpointAuthSigningAlg,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    userinfo_signed_response_alg: alg(client.userinfoSignedResponseAlg),
    scope: client.scopes.join(' '),
    // Every `sub` other than the plain user id goes through pairwiseIdentifier (see configuration.ts).
    subject_type: client.subjectMode !== 'user_id' && usesRedirects ? 'pairwise' : 'public',
    // Authentik always states when the user logged in; apps checking max_age rely on it.
    require_auth_time: true,
    jwks: client.jwks ? { keys: client.jwks } : undefined,
    jwks_uri: client.jwksUri,
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required: client.backchannelLogoutUri ? true : undefined,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests || undefined,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens || undefined,
    sesame: {
      secretIsDigest: secret.isDigest,
      redirectPatterns: redirects.patterns,
      postLogoutPatterns: logout.patterns,
      requirePkce: client.requirePkce,
      responseModes: client.responseModes,
      consentMode: client.consentMode,
      consentDurationSeconds: client.consentDurationSeconds,
      authorizationPolicy: client.authorizationPolicy,
      allowedGroups: client.allowedGroups,
      subjectMode: client.subjectMode,
      sectorIdentifierUri: client.sectorIdentifierUri,
      lifespans: client.lifespans,
      accessTokenSignedResponseAlg: client.accessTokenSignedResponseAlg,
      audience: client.audience,
      requestedAudienceMode: client.requestedAudienceMode,
      source: client.source,
      applicationSlug: client.applicationSlug,
    },
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  return metadata;
}

export type SesameClientSettings = Omit<
  SesameClient,
  | 'clientId'
  | 'name'
  | 'secret'
  | 'public'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'scopes'
  | 'grantTypes'
> & { secretIsDigest: boolean; redirectPatterns: string[]; postLogoutPatterns: string[] };

/** Sesame's own settings, carried in the client metadata as the extra `sesame` property. */
export function settingsOf(client: object | undefined): Partial<SesameClientSettings> {
  return (client as { sesame?: unknown } | undefined)?.sesame ?? {};
}

/** Bounds the memory an installation with very many clients (or slugs) can take. */
const CACHE_LIMIT = 5000;

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/**
 * Clients and applications as every request needs them, kept in memory. A client or application
 * that is not cached is looked up (so one created by another node or the CLI works at once); a
 * cached one is dropped when anything changes them (store.changes: at once in this process, within
 * a poll interval elsewhere). Unknown ids are not cached: nobody can fill memory with misses.
 */
export class ClientRegistry {
  private readonly configured: Map<string, SesameClient>;
  private readonly store: Store;
  private readonly clients = new Map<string, { client: SesameClient; metadata?: Record<string, unknown> }>();
  private readonly applications = new Map<string, Application>();
  constructor(store: Store, configured: SesameClient[]) {
    this.store = store;
    this.configured = new Map(configured.map((client) => [client.clientId, client]));
    store.changes.on('clients', () => {
      this.clients.clear();
      this.applications.clear();
    });
  }

  private async entry(clientId: string) {
    const cached = this.clients.get(clientId);
    if (cached) return cached;
    const fromFile = this.configured.get(clientId);
    if (fromFile) return remember(this.clients, clientId, { client: fromFile });
    const stored = await this.store.clients.findByClientId(clientId);
    if (!stored) return undefined;
    const application = await this.store.applications.findByClientRef(stored.id);
    return remember(this.clients, clientId, { client: fromDatabase(stored, application?.slug) });
  }

  async find(clientId: string): Promise<SesameClient | undefined> {
    return (await this.entry(clientId))?.client;
  }

  /** oidc-provider's metadata for the client, computed once per change. */
  async metadata(clientId: string): Promise<Record<string, unknown> | undefined> {
    const entry = await this.entry(clientId);
    if (!entry) return undefined;
    return (entry.metadata ??= toProviderMetadata(entry.client));
  }

  /** The application with this slug (the per-application issuers ask on every request). */
  async application(slug: string): Promise<Application | undefined> {
    const cached = this.applications.get(slug);
    if (cached) return cached;
    const application = await this.store.applications.findBySlug(slug);
    return application && remember(this.applications, slug, application);
  }
}
