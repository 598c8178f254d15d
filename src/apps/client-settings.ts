// The client settings a YAML client has beyond what the provider forms show by default (logout,
// keys, pairwise subjects, token endpoint authentication, response signing, grants),
// described once for database clients: the API's PATCH/POST fields, the CLI's options and the
// admin form's fields are all made from this list, and every value is checked by the YAML client
// schema's own field and its cross-field rules.
import { z } from 'zod';
import { defaultAuthMethod, NEW_CLIENT_DEFAULTS } from '../config/client-model.ts';
import { clientConfigSchema } from '../config/schema.ts';
import type { SesameClient } from '../oidc/clients.ts';
import type { NewOAuthClient } from '../store/index.ts';

const FIELDS = clientConfigSchema.shape;

export interface ClientSetting {
  /** The YAML (and API) key. */
  key: string;
  label: string;
  /** url: one URI; choice: one of `options`; list: several of `options`; json: a JSON value; boolean: on or off. */
  kind: 'url' | 'choice' | 'list' | 'json' | 'boolean';
  help: string;
  /** Where a database client keeps it: its own column, or the `settings` JSON. */
  column?: keyof NewOAuthClient;
  /** The field of the client as the protocol layer sees it (YAML and database alike). */
  client: keyof SesameClient;
}

export const CLIENT_SETTINGS: readonly ClientSetting[] = [
  {
    key: 'backchannel_logout_uri',
    client: 'backchannelLogoutUri',
    label: 'Back-channel logout URI',
    kind: 'url',
    help: 'Receives a logout token when the user signs out.',
  },
  {
    key: 'jwks_uri',
    client: 'jwksUri',
    label: 'JWKS URI',
    kind: 'url',
    help: 'Where the client publishes its public keys (private_key_jwt).',
  },
  {
    key: 'jwks',
    client: 'jwks',
    label: 'JWKS',
    kind: 'json',
    help: "The client's public keys inline, as a JSON array of JWKs.",
  },
  {
    key: 'sector_identifier_uri',
    client: 'sectorIdentifierUri',
    label: 'Sector identifier URI',
    kind: 'url',
    help: 'Makes the subject pairwise for this sector.',
  },
  {
    key: 'token_endpoint_auth_method',
    client: 'tokenEndpointAuthMethod',
    label: 'Token endpoint authentication method',
    kind: 'choice',
    help: 'How the client proves itself at the token endpoint.',
    column: 'tokenEndpointAuthMethod',
  },
  {
    key: 'token_endpoint_auth_signing_alg',
    client: 'tokenEndpointAuthSigningAlg',
    label: 'Token endpoint authentication signing algorithm',
    kind: 'choice',
    help: 'For private_key_jwt and client_secret_jwt.',
  },
  {
    key: 'userinfo_signed_response_alg',
    client: 'userinfoSignedResponseAlg',
    label: 'Userinfo signing algorithm',
    kind: 'choice',
    help: 'none answers userinfo as JSON.',
    column: 'userinfoSignedResponseAlg',
  },
  {
    key: 'access_token_signed_response_alg',
    client: 'accessTokenSignedResponseAlg',
    label: 'Access token signing algorithm',
    kind: 'choice',
    help: 'none issues opaque access tokens; an algorithm issues JWTs.',
    column: 'accessTokenSignedResponseAlg',
  },
  {
    key: 'audience',
    client: 'audience',
    label: 'Audiences',
    kind: 'json',
    help: 'The resource indicators (absolute URIs) the client may request access tokens for, as a JSON array.',
  },
  {
    key: 'requested_audience_mode',
    client: 'requestedAudienceMode',
    label: 'Requested audience mode',
    kind: 'choice',
    help: 'explicit: tokens are for the requested resources; implicit: a request naming none gets every audience.',
  },
  {
    key: 'grant_types',
    client: 'grantTypes',
    label: 'Grant types',
    kind: 'list',
    help: 'The grants the client may use.',
    column: 'grantTypes',
  },
  {
    key: 'response_types',
    client: 'responseTypes',
    label: 'Response types',
    kind: 'list',
    help: 'The authorization response types.',
    column: 'responseTypes',
  },
  {
    key: 'dpop_bound_access_tokens',
    client: 'dpopBoundAccessTokens',
    label: 'Require DPoP',
    kind: 'boolean',
    help: 'Refuse token requests without a DPoP proof, so every token is bound to the client’s key (RFC 9449).',
  },
];

/** The YAML field without its default: absent in a patch means "unchanged". */
function fieldOf(key: string): z.ZodType {
  let field = FIELDS[key as keyof typeof FIELDS] as z.ZodType;
  while (field instanceof z.ZodDefault || field instanceof z.ZodOptional) field = field.unwrap() as z.ZodType;
  return field;
}

/** The values a choice or list setting allows, from the YAML schema. */
export function settingOptions(setting: ClientSetting): string[] {
  let field = fieldOf(setting.key);
  if (field instanceof z.ZodArray) field = field.element as z.ZodType;
  return field instanceof z.ZodEnum ? (field.options as string[]) : [];
}

/** The patch fields: null clears a value (back to what a new client gets). */
export const clientSettingsPatch = Object.fromEntries(
  CLIENT_SETTINGS.map((setting) => {
    const field = fieldOf(setting.key).describe(setting.help);
    return [setting.key, field.nullable().optional()];
  }),
) as Record<string, z.ZodOptional<z.ZodType>>;

export type ClientSettingsValues = Record<string, unknown>;

/** The settings among other fields (an API body, parsed options). */
export function pickSettings(values: Record<string, unknown>): ClientSettingsValues {
  return Object.fromEntries(
    CLIENT_SETTINGS.filter((setting) => values[setting.key] !== undefined).map((setting) => [
      setting.key,
      values[setting.key],
    ]),
  );
}

/** Any client's value of each setting, by YAML key (undefined when unset). */
export function clientSettingValues(client: SesameClient): ClientSettingsValues {
  return Object.fromEntries(CLIENT_SETTINGS.map((setting) => [setting.key, client[setting.client]]));
}

/** A database client's value of each setting (undefined when unset). */
export function settingValues(client: NewOAuthClient): ClientSettingsValues {
  return Object.fromEntries(
    CLIENT_SETTINGS.map((setting) => [
      setting.key,
      setting.column ? client[setting.column] : client.settings[setting.key],
    ]),
  );
}

/** What a new client gets for the settings stored in columns; a cleared one falls back to it. */
export function clientDefaults(isPublic: boolean) {
  return {
    tokenEndpointAuthMethod: defaultAuthMethod(isPublic) as string,
    userinfoSignedResponseAlg: NEW_CLIENT_DEFAULTS.userinfoSignedResponseAlg as string,
    accessTokenSignedResponseAlg: NEW_CLIENT_DEFAULTS.accessTokenSignedResponseAlg as string,
    grantTypes: [...NEW_CLIENT_DEFAULTS.grantTypes] as string[],
    responseTypes: [...NEW_CLIENT_DEFAULTS.responseTypes] as string[],
  };
}

/** The change to a stored client that applies these settings (null clears a value). */
export function settingsChange(
  client: NewOAuthClient,
  values: ClientSettingsValues,
): Partial<NewOAuthClient> & { settings: Record<string, unknown> } {
  const change: Record<string, unknown> = {};
  const settings: Record<string, unknown> = { ...client.settings };
  for (const setting of CLIENT_SETTINGS) {
    if (!(setting.key in values) || values[setting.key] === undefined) continue;
    const value = values[setting.key] === null ? undefined : values[setting.key];
    if (setting.column) {
      const fallback: Record<string, unknown> = clientDefaults(client.public);
      change[setting.column] = value ?? fallback[setting.column];
    } else if (value === undefined) delete settings[setting.key];
    else settings[setting.key] = value;
  }
  return { ...change, settings };
}

/** A stored client as the YAML schema reads a client, to apply its rules to database clients. */
function asClientConfig(client: NewOAuthClient): Record<string, unknown> {
  const yaml: Record<string, unknown> = {
    client_id: client.clientId,
    client_name: client.name,
    client_secret: client.secretDigest,
    public: client.public,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    scopes: client.scopes,
    authorization_policy: client.authorizationPolicy,
    consent_mode: client.consentMode,
    pre_configured_consent_duration: client.preConfiguredConsentDuration,
    require_pkce: client.requirePkce,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    subject_mode: client.subjectMode,
    ...settingValues(client),
  };
  for (const key of Object.keys(yaml)) if (yaml[key] === undefined) delete yaml[key];
  return yaml;
}

/**
 * The first problem the YAML client rules find with a database client as it would be stored:
 * the field it concerns and the message, or undefined when it is acceptable.
 */
export function clientProblem(client: NewOAuthClient): { field: string; message: string } | undefined {
  const parsed = clientConfigSchema.safeParse(asClientConfig(client));
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? 'form');
  return { field, message: `${field}: ${issue.message}` };
}
