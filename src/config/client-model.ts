// One OAuth 2.0 / OpenID Connect client, described once. The configuration schema
// (`identity_providers.oidc.clients[]`), the store's row, the engine's client (oidc/clients.ts) and
// the oidc-provider metadata made from it, and the admin API/CLI/UI schemas all take their values,
// defaults and field names from here.
import type { RedirectUriEntry } from './redirect-uris.ts';

export type RedirectUri = RedirectUriEntry;

// --- The values a client's settings may take ---------------------------------------------------

/** Asymmetric algorithms Sesame signs with (ID tokens, userinfo) and verifies client assertions with. */
export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
/** A response signing setting: `none` (plain JSON) or an algorithm. */
export const RESPONSE_ALGORITHMS = ['none', ...SIGNING_ALGORITHMS] as const;
/** client_secret_jwt signs with the shared secret (HMAC); private_key_jwt with the client's keys. */
export const CLIENT_AUTH_SIGNING_ALGORITHMS = [...SIGNING_ALGORITHMS, 'HS256', 'HS384', 'HS512'] as const;
/** Authorization policy levels; a client may also name an entry of `authorization_policies`. */
export const POLICY_LEVELS = ['one_factor', 'two_factor', 'deny'] as const;
/** The scopes Sesame knows, in the order the admin form offers them. */
export const STANDARD_SCOPES = [
  'openid',
  'profile',
  'email',
  'groups',
  'offline_access',
  'address',
  'phone',
] as const;

/** The policies a client may name, in the order the forms offer them: the levels, the named ones, deny last. */
export function policyChoices(named: readonly string[]): string[] {
  return [...POLICY_LEVELS.filter((level) => level !== 'deny'), ...named, 'deny'];
}
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export const RESPONSE_TYPES = [
  'code',
  'id_token',
  'token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
  'none',
] as const;
export const RESPONSE_MODES = [
  'form_post',
  'query',
  'fragment',
  'jwt',
  'form_post.jwt',
  'query.jwt',
  'fragment.jwt',
] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;
/**
 * How consent is asked: `explicit` every time, `implicit` never, `pre-configured` remembered for
 * `pre_configured_consent_duration`. These are what the engine applies, and what a client made in
 * Sesame (API, CLI, admin UI) chooses from.
 */
export const RESOLVED_CONSENT_MODES = ['explicit', 'implicit', 'pre-configured'] as const;
/** What the configuration file accepts: Authelia's `auto` too, resolved by resolveConsentMode. */
export const CONSENT_MODES = ['auto', ...RESOLVED_CONSENT_MODES] as const;
/** Authelia's requested_audience_mode: `implicit` grants every allowed audience when none is requested. */
export const REQUESTED_AUDIENCE_MODES = ['explicit', 'implicit'] as const;
/** What `sub` holds: the user id, a hash of it, the username, the email, or a pairwise value per sector. */
export const SUBJECT_MODES = ['user_id', 'hashed_user_id', 'username', 'email', 'pairwise'] as const;

export type ConsentMode = (typeof CONSENT_MODES)[number];
export type ResolvedConsentMode = (typeof RESOLVED_CONSENT_MODES)[number];

/** Authelia's `auto`: pre-configured when a duration is set, explicit otherwise. */
export function resolveConsentMode(mode: string, duration: number | undefined): ResolvedConsentMode {
  if (mode === 'auto') return duration === undefined ? 'explicit' : 'pre-configured';
  return mode as ResolvedConsentMode;
}

/** A public client proves nothing at the token endpoint; a confidential one sends its secret. */
export function defaultAuthMethod(isPublic: boolean): 'none' | 'client_secret_basic' {
  return isPublic ? 'none' : 'client_secret_basic';
}

// --- Defaults ------------------------------------------------------------------------------------
// Two sources, two sets of defaults on purpose (README, docs/configuration.md, the tests): a client
// in the configuration file defaults as Authelia's does (two_factor, consent `auto`); a client made
// in Sesame defaults as Authentik's provider does (one_factor, explicit consent, refresh tokens).

/** What a client in the configuration file gets for a key left out (Authelia's defaults). */
export const CONFIG_CLIENT_DEFAULTS = {
  scopes: ['openid', 'groups', 'profile', 'email'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  response_modes: ['form_post', 'query'],
  authorization_policy: 'two_factor',
  consent_mode: 'auto',
  id_token_signed_response_alg: 'RS256',
  response_alg: 'none',
  subject_mode: 'user_id',
  requested_audience_mode: 'explicit',
} as const;

/** What a client made in Sesame (API, CLI, admin UI) gets for a setting left out. */
export const NEW_CLIENT_DEFAULTS = {
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  consentMode: 'explicit',
  authorizationPolicy: 'one_factor',
  idTokenSignedResponseAlg: 'RS256',
  userinfoSignedResponseAlg: 'none',
  accessTokenSignedResponseAlg: 'none',
  subjectMode: 'user_id',
} as const;

// --- The shape ---------------------------------------------------------------------------------

export interface ClientLifespans {
  access_token?: number;
  authorize_code?: number;
  id_token?: number;
  refresh_token?: number;
}

/** What every client has, wherever it is kept (configuration file, database, built in). */
export interface ClientCore {
  clientId: string;
  name: string;
  public: boolean;
  redirectUris: RedirectUri[];
  postLogoutRedirectUris: RedirectUri[];
  scopes: string[];
  grantTypes: string[];
  responseTypes: string[];
  tokenEndpointAuthMethod: string;
  idTokenSignedResponseAlg: string;
  userinfoSignedResponseAlg: string;
  accessTokenSignedResponseAlg: string;
  requirePkce: boolean;
  authorizationPolicy: string;
  allowedGroups: string[];
  subjectMode: string;
  lifespans: ClientLifespans;
}

const CORE_KEYS = [
  'clientId',
  'name',
  'public',
  'redirectUris',
  'postLogoutRedirectUris',
  'scopes',
  'grantTypes',
  'responseTypes',
  'tokenEndpointAuthMethod',
  'idTokenSignedResponseAlg',
  'userinfoSignedResponseAlg',
  'accessTokenSignedResponseAlg',
  'requirePkce',
  'authorizationPolicy',
  'allowedGroups',
  'subjectMode',
  'lifespans',
] as const satisfies readonly (keyof ClientCore)[];
// Fails to compile when ClientCore gains a field CORE_KEYS does not list.
const _everyCoreKey: Record<Exclude<keyof ClientCore, (typeof CORE_KEYS)[number]>, never> = {};
void _everyCoreKey;

/** The ClientCore fields of a larger record (a stored client), and nothing else. */
export function coreOf(client: ClientCore): ClientCore {
  return Object.fromEntries(CORE_KEYS.map((key) => [key, client[key]])) as unknown as ClientCore;
}

/**
 * The YAML client's further settings a database client keeps in its `settings` JSON (see
 * apps/client-settings.ts); they mean the same as the configuration keys of the same name.
 */
export interface StoredClientSettings {
  response_modes?: string[];
  backchannel_logout_uri?: string;
  jwks_uri?: string;
  jwks?: Record<string, unknown>[];
  sector_identifier_uri?: string;
  token_endpoint_auth_signing_alg?: string;
  audience?: string[];
  requested_audience_mode?: string;
  dpop_bound_access_tokens?: boolean;
}

/** How a stored client's field is kept in its column: as is, as JSON, as 0/1, or NULL when unset. */
export type ColumnKind = 'text' | 'list' | 'object' | 'boolean' | 'optional';

/**
 * Each changeable field of a stored client and its column; the column is named as the
 * configuration key wherever the configuration file has the same setting.
 */
export const CLIENT_COLUMNS = {
  name: ['name', 'text'],
  secretDigest: ['secret_digest', 'optional'],
  public: ['public', 'boolean'],
  redirectUris: ['redirect_uris', 'list'],
  postLogoutRedirectUris: ['post_logout_redirect_uris', 'list'],
  scopes: ['scopes', 'list'],
  grantTypes: ['grant_types', 'list'],
  responseTypes: ['response_types', 'list'],
  consentMode: ['consent_mode', 'text'],
  preConfiguredConsentDuration: ['pre_configured_consent_duration', 'optional'],
  authorizationPolicy: ['authorization_policy', 'text'],
  allowedGroups: ['allowed_groups', 'list'],
  tokenEndpointAuthMethod: ['token_endpoint_auth_method', 'text'],
  idTokenSignedResponseAlg: ['id_token_signed_response_alg', 'text'],
  userinfoSignedResponseAlg: ['userinfo_signed_response_alg', 'text'],
  accessTokenSignedResponseAlg: ['access_token_signed_response_alg', 'text'],
  requirePkce: ['require_pkce', 'boolean'],
  subjectMode: ['subject_mode', 'text'],
  lifespans: ['lifespans', 'object'],
  settings: ['settings', 'object'],
} as const satisfies Record<string, readonly [string, ColumnKind]>;
