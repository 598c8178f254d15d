// The one configuration schema: types, defaults, validation and the generated reference
// (docs/configuration.md) all come from here. Keys follow Authelia's names wherever the same
// setting exists, so an Authelia `configuration.yml` section can be pasted as it is.
import { serverEndpoints } from './authz-endpoints-schema.ts';
import { sessionSchema } from './session-schema.ts';
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { isValidDigest } from '../crypto/digest.ts';
import {
  CLIENT_AUTH_SIGNING_ALGORITHMS,
  CONFIG_CLIENT_DEFAULTS,
  CONSENT_MODES,
  GRANT_TYPES,
  POLICY_LEVELS,
  policyChoices,
  REQUESTED_AUDIENCE_MODES,
  RESPONSE_ALGORITHMS,
  RESPONSE_MODES,
  RESPONSE_TYPES,
  SIGNING_ALGORITHMS,
  STANDARD_SCOPES,
  SUBJECT_MODES,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from './client-model.ts';
import {
  accessControlSection,
  checkAccessControlReferences,
  definitionsSection,
} from './access-control-schema.ts';
import { totpSchema, webauthnSchema } from './factors-schema.ts';
import { passwordPolicySchema } from './password-policy-schema.ts';
import { MATCHING_MODES, redirectUriProblem } from './redirect-uris.ts';
import { NETWORK_HELP, parseNetwork } from './networks.ts';
import { mysqlStorage } from './storage-schema.ts';
import { notifierSchema } from './notifier-schema.ts';
import { checkRegistrationNotifier, registrationSchema } from './registration-schema.ts';
import { ldapSchema } from './ldap-schema.ts';
import {
  absoluteUrl,
  ALWAYS,
  duration,
  durationWithDefault,
  isRecord,
  NOT_SUPPORTED_YET,
  notSupportedYet,
  oneOf,
  SECRET,
  strings,
} from './schema-kit.ts';
import {
  authenticationBackendKeys,
  autheliaTopLevel,
  clientTls,
  oidcCompatKeys,
  postgresCompatKeys,
  refusedClientKeys,
  serverCompatKeys,
  usersFileKeys,
  warned,
} from './authelia-schema.ts';
import { logSchema } from './log-schema.ts';
import { serverSettings } from './server-schema.ts';
import { telemetrySchema } from './telemetry-schema.ts';

/**
 * Generated keys are RSA (every RS and PS algorithm), P-256 and Ed25519: ES384 and ES512 need a key
 * of their own curve in `identity_providers.oidc.jwks`. The problem with choosing `algorithm`, if any.
 */
export function signingKeyProblem(
  algorithm: string | undefined,
  configured: readonly (string | undefined)[],
): string | undefined {
  if ((algorithm === 'ES384' || algorithm === 'ES512') && !configured.includes(algorithm))
    return `${algorithm} needs a signing key for it in identity_providers.oidc.jwks`;
  return undefined;
}

/** Refuses the listed values of an Authelia list Sesame does not implement yet. */
function refuseValues(unsupported: readonly string[]) {
  return (values: string[], ctx: z.RefinementCtx) => {
    values.forEach((value, index) => {
      if (unsupported.includes(value))
        ctx.addIssue({ code: 'custom', path: [index], message: `'${value}' is ${NOT_SUPPORTED_YET}` });
    });
  };
}

/** A signing algorithm key of which Sesame implements only `none` so far. */
function onlyNoneYet(what: string) {
  return oneOf(RESPONSE_ALGORITHMS)
    .default(CONFIG_CLIENT_DEFAULTS.response_alg)
    .superRefine((value, ctx) => {
      if (value !== 'none')
        ctx.addIssue({
          code: 'custom',
          message: `'${value}' is ${NOT_SUPPORTED_YET}`,
          params: { allowed: 'none' },
        });
    })
    .describe(`Only \`none\` (${what}) is supported yet; an algorithm is refused.`);
}

export const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
export const CLIENT_ID_HELP = 'RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), at most 100';

export const CORS_ENDPOINTS = [
  'authorization',
  'pushed-authorization-request',
  'token',
  'revocation',
  'introspection',
  'userinfo',
  'device-authorization',
] as const;

// What a registered redirect URI means (exact, or an RE2 pattern) is defined once, there.

export const REDIRECT_URI_HELP =
  'an absolute URI without a fragment, or { url, matching_mode: regex } with an RE2 regular expression';

/** A redirect URI: a plain string is an exact match; `{ url, matching_mode: regex }` is a fully anchored RE2 pattern. */
const redirectUri = z
  .union([
    z.string(),
    z.strictObject({
      url: z
        .string()
        .describe(
          'The URI, or the regular expression (RE2 syntax, matched against the whole URI) when `matching_mode` is `regex`.',
        ),
      matching_mode: oneOf(MATCHING_MODES).default('strict').describe('`strict` (exact match) or `regex`.'),
    }),
  ])
  .describe(REDIRECT_URI_HELP)
  .transform((value, ctx) => {
    const entry = typeof value === 'string' ? { url: value, matching_mode: 'strict' as const } : value;
    const problem = redirectUriProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { allowed: REDIRECT_URI_HELP } });
    return entry;
  });

const clientSecret = z
  .string()
  .min(1)
  .meta(SECRET)
  .superRefine((value, ctx) => {
    const check = isValidDigest(value);
    if (!check.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `malformed digest: ${check.reason}`,
        params: {
          allowed: 'a digest from `sesame crypto hash generate`, e.g. $argon2id$… or $pbkdf2-sha512$…',
        },
      });
    }
  });

/** An RFC 8707 resource indicator: an absolute URI without a fragment. */
const resourceIndicator = z.string().superRefine((value, ctx) => {
  if (!URL.canParse(value) || value.includes('#'))
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is not an absolute URI without a fragment`,
      params: { allowed: 'e.g. https://api.example.com' },
    });
});

const jwk = z.looseObject({ kty: z.string() }).describe('A JSON Web Key.');

const clientObject = z
  .strictObject({
    client_id: z
      .string()
      .min(1)
      .max(100, 'is longer than 100 characters')
      .regex(UNRESERVED, 'may only contain RFC 3986 unreserved characters')
      .describe('The client identifier: RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), at most 100.'),
    client_name: z.string().optional().describe('Name shown on consent pages; defaults to the client id.'),
    client_secret: clientSecret
      .optional()
      .describe('A digest (`$pbkdf2-sha512$…`, `$argon2id$…`) or, discouraged, the plaintext secret.'),
    sector_identifier_uri: absoluteUrl
      .optional()
      .describe('Enables pairwise subject identifiers for this sector.'),
    public: z.boolean().default(false).describe('A public client (single-page or native app) has no secret.'),
    redirect_uris: z.array(redirectUri).default([]).describe('Where authorization responses may be sent.'),
    post_logout_redirect_uris: z
      .array(redirectUri)
      .default([])
      .describe('Where RP-initiated logout may return the browser.'),
    backchannel_logout_uri: absoluteUrl.optional().describe('Receives back-channel logout tokens.'),
    request_uris: notSupportedYet('registered request_uri values'),
    audience: z
      .array(resourceIndicator)
      .default([])
      .describe(
        'The audiences (RFC 8707 resource indicators: absolute URIs without a fragment) the client may request access tokens for with the `resource` parameter; another one is refused with `invalid_target`.',
      ),
    scopes: z
      .array(z.string().min(1))
      .default([...CONFIG_CLIENT_DEFAULTS.scopes])
      .describe(`Scopes the client may request: ${STANDARD_SCOPES.join(', ')} or a custom scope.`),
    grant_types: z
      .array(oneOf(GRANT_TYPES))
      .default([...CONFIG_CLIENT_DEFAULTS.grant_types])
      .superRefine(refuseValues(['implicit']))
      .describe(
        '`authorization_code`, `refresh_token`, `client_credentials` or `urn:ietf:params:oauth:grant-type:device_code` (the device authorization grant, RFC 8628).',
      ),
    response_types: z
      .array(oneOf(RESPONSE_TYPES))
      .optional()
      .superRefine((types, ctx) =>
        refuseValues(RESPONSE_TYPES.filter((type) => type !== 'code'))(types ?? [], ctx),
      )
      .describe(
        '`code` (or none, for clients that never use the authorization endpoint). Defaults to `code` when `grant_types` has `authorization_code`, otherwise to none.',
      ),
    response_modes: z
      .array(oneOf(RESPONSE_MODES))
      .default([...CONFIG_CLIENT_DEFAULTS.response_modes])
      .superRefine((modes, ctx) => {
        modes.forEach((mode, index) => {
          if (mode.includes('jwt'))
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `'${mode}' (JARM) is ${NOT_SUPPORTED_YET}`,
              params: { allowed: 'form_post, query, fragment' },
            });
        });
      })
      .describe(
        'The response modes the client may ask for; an authorization request with another one (or, without `response_mode`, when `query` is not listed) is refused.',
      ),
    authorization_policy: z
      .string()
      .default(CONFIG_CLIENT_DEFAULTS.authorization_policy)
      .describe('`one_factor`, `two_factor`, `deny`, or the name of an entry in `authorization_policies`.'),
    lifespan: z.string().optional().describe('The name of an entry in `lifespans.custom`.'),
    claims_policy: notSupportedYet('claims policies'),
    requested_audience_mode: oneOf(REQUESTED_AUDIENCE_MODES)
      .default(CONFIG_CLIENT_DEFAULTS.requested_audience_mode)
      .describe(
        '`explicit`: an access token is for the audiences the client requested (`resource`); `implicit`: a request naming none is granted every `audience`.',
      ),
    consent_mode: oneOf(CONSENT_MODES)
      .default(CONFIG_CLIENT_DEFAULTS.consent_mode)
      .describe('`auto` means `pre-configured` when a duration is set, otherwise `explicit`.'),
    pre_configured_consent_duration: duration().optional().describe('How long a remembered consent lasts.'),
    require_pushed_authorization_requests: z
      .boolean()
      .default(false)
      .describe('Refuse this client’s authorization requests that were not pushed first (RFC 9126).'),
    dpop_bound_access_tokens: z
      .boolean()
      .default(false)
      .describe(
        'Require DPoP (RFC 9449): refuse this client’s token requests without a DPoP proof, so every access token it gets is bound to its key. Sesame’s own key (Authelia has no such setting); the name is the standard client metadata.',
      ),
    require_pkce: z.boolean().default(false),
    pkce_challenge_method: oneOf(['S256', 'plain'])
      .optional()
      .describe('`S256` requires PKCE for this client. `plain` is not supported (OAuth 2.1 removed it).'),
    token_endpoint_auth_method: oneOf(TOKEN_ENDPOINT_AUTH_METHODS)
      .optional()
      .describe('Defaults to `client_secret_basic` for confidential clients and `none` for public ones.'),
    token_endpoint_auth_signing_alg: oneOf(CLIENT_AUTH_SIGNING_ALGORITHMS).optional(),
    id_token_signed_response_alg: oneOf(SIGNING_ALGORITHMS).default(
      CONFIG_CLIENT_DEFAULTS.id_token_signed_response_alg,
    ),
    id_token_signed_response_key_id: notSupportedYet('choosing the signing key'),
    access_token_signed_response_alg: oneOf(RESPONSE_ALGORITHMS)
      .default(CONFIG_CLIENT_DEFAULTS.response_alg)
      .describe(
        '`none` issues opaque access tokens; an algorithm issues RFC 9068 JWT access tokens (`typ: at+jwt`) signed with the issuer’s keys for requests with an audience (see docs/jwt-access-tokens.md).',
      ),
    access_token_signed_response_key_id: notSupportedYet('choosing the signing key'),
    userinfo_signed_response_alg: oneOf(RESPONSE_ALGORITHMS)
      .default(CONFIG_CLIENT_DEFAULTS.response_alg)
      .describe('`none` answers userinfo as JSON; an algorithm answers a signed JWT.'),
    userinfo_signed_response_key_id: notSupportedYet('choosing the signing key'),
    introspection_signed_response_alg: onlyNoneYet('JSON introspection answers'),
    introspection_signed_response_key_id: notSupportedYet('choosing the signing key'),
    authorization_signed_response_alg: onlyNoneYet(
      'plain authorization responses; JARM is not supported yet',
    ),
    authorization_signed_response_key_id: notSupportedYet('choosing the signing key'),
    subject_mode: oneOf(SUBJECT_MODES)
      .default(CONFIG_CLIENT_DEFAULTS.subject_mode)
      .describe(
        'What `sub` holds: the stable user id (default), a hash of it, the username, the email, or a pairwise identifier per sector (implied by `sector_identifier_uri`).',
      ),
    jwks_uri: absoluteUrl.optional().describe('Where the client publishes its keys (for `private_key_jwt`).'),
    jwks: z.array(jwk).optional().describe('The client’s public keys, inline.'),
    ...refusedClientKeys,
  })
  .superRefine((value, ctx) => {
    const problem = (path: string, message: string, allowed?: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, params: allowed ? { allowed } : undefined });
    // This also runs when other keys of the client are invalid (to report everything at once),
    // so it reads values defensively.
    const grantTypes = strings(value.grant_types);
    const responseTypes = effectiveResponseTypes(grantTypes, value.response_types);
    const secret = typeof value.client_secret === 'string' ? value.client_secret : undefined;
    const method = value.token_endpoint_auth_method;
    if (value.public) {
      if (secret !== undefined) problem('client_secret', 'must not be set for a public client');
      if (method !== undefined && method !== 'none')
        problem('token_endpoint_auth_method', 'must be none for a public client', 'none');
      if (grantTypes.includes('client_credentials'))
        problem('grant_types', 'client_credentials is not allowed for a public client');
    } else {
      if (method === 'none')
        problem('token_endpoint_auth_method', 'none is only allowed for a public client (public: true)');
      if (value.client_secret === undefined && method !== 'private_key_jwt')
        problem('client_secret', 'is required for a confidential client', 'a digest, or public: true');
      if (method === 'client_secret_jwt' && secret?.startsWith('$') && !secret.startsWith('$plaintext$'))
        problem(
          'client_secret',
          'client_secret_jwt needs the plaintext secret: a digest cannot verify an HMAC',
        );
      if (method === 'private_key_jwt' && !value.jwks && !value.jwks_uri)
        problem('jwks_uri', 'private_key_jwt needs the client’s public keys', 'jwks_uri or jwks');
    }
    const usesCode = responseTypes.some((type) => type.includes('code'));
    if (usesCode && !grantTypes.includes('authorization_code'))
      problem('grant_types', 'response type code needs the authorization_code grant type');
    if (
      (usesCode || grantTypes.includes('implicit')) &&
      Array.isArray(value.redirect_uris) &&
      value.redirect_uris.length === 0
    )
      problem('redirect_uris', 'is required for clients that use the authorization endpoint');
    if (value.consent_mode === 'pre-configured' && value.pre_configured_consent_duration === undefined)
      problem('pre_configured_consent_duration', 'is required when consent_mode is pre-configured');
    if (value.pkce_challenge_method === 'plain')
      problem('pkce_challenge_method', 'plain is not supported (OAuth 2.1 removed it); use S256', 'S256');
  }, ALWAYS);

const client = clientObject.transform((value) => ({
  ...value,
  response_types: effectiveResponseTypes(value.grant_types, value.response_types),
}));

/**
 * The response types of a client that sets none: `code` when it may use the authorization code
 * grant, otherwise none (a client_credentials-only client never visits the authorization endpoint,
 * so it needs no redirect URIs).
 */
function effectiveResponseTypes(grantTypes: readonly string[], responseTypes: unknown): ResponseType[] {
  if (Array.isArray(responseTypes)) return responseTypes as ResponseType[];
  return grantTypes.includes('authorization_code') ? [...CONFIG_CLIENT_DEFAULTS.response_types] : [];
}

type ResponseType = (typeof RESPONSE_TYPES)[number];

export type ClientConfig = z.output<typeof client>;

const lifespanSet = z.strictObject({
  access_token: duration().optional(),
  authorize_code: duration().optional(),
  id_token: duration().optional(),
  refresh_token: duration().optional(),
  grants: notSupportedYet('lifespans per grant type'),
});

const policyRule = z.strictObject({
  policy: oneOf(POLICY_LEVELS),
  subject: z
    .union([z.string(), z.array(z.union([z.string(), z.array(z.string())]))])
    .optional()
    .describe('`user:<name>` or `group:<name>`; a list means any of them; a nested list means all of them.'),
  networks: z.array(z.string()).optional().describe('Client networks (CIDR) the rule applies to.'),
});

const jwksEntry = z
  .strictObject({
    key_id: z
      .string()
      .max(100)
      .regex(UNRESERVED, 'may only contain RFC 3986 unreserved characters')
      .optional(),
    algorithm: oneOf(SIGNING_ALGORITHMS).default('RS256'),
    use: oneOf(['sig']).default('sig'),
    key: z.string().meta(SECRET).describe('The private key in PEM format.'),
    certificate_chain: warned(z.string(), 'the certificate chain is not published (x5c) with the key'),
  })
  .superRefine((value, ctx) => {
    let keyType: string | undefined;
    try {
      keyType = createPrivateKey(value.key).asymmetricKeyType;
    } catch {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'is not a PEM private key' });
      return;
    }
    const expected = value.algorithm.startsWith('ES')
      ? 'ec'
      : value.algorithm === 'EdDSA'
        ? 'ed25519'
        : 'rsa';
    if (keyType !== expected && !(expected === 'rsa' && keyType === 'rsa-pss'))
      ctx.addIssue({
        code: 'custom',
        path: ['algorithm'],
        message: `${value.algorithm} needs an ${expected} key, but the key is ${keyType}`,
      });
  });

type Problem = (path: (string | number)[], message: string, allowed?: string) => void;

/** Unique client ids, and the names clients refer to (policies, lifespans, scopes) exist. */
function checkClientReferences(
  clients: unknown[],
  known: { policies: string[]; lifespans: string[]; scopes: string[] },
  problem: Problem,
): void {
  const seen = new Map<string, number>();
  clients.forEach((value, index) => {
    if (!isRecord(value)) return;
    const entry = value as Partial<ClientConfig>;
    const at = (key: string | number, ...rest: (string | number)[]) => ['clients', index, key, ...rest];
    if (typeof entry.client_id === 'string') {
      const first = seen.get(entry.client_id);
      if (first !== undefined)
        problem(
          at('client_id'),
          `'${entry.client_id}' is already used by clients[${first}]`,
          'a unique client id',
        );
      else seen.set(entry.client_id, index);
    }
    if (
      typeof entry.authorization_policy === 'string' &&
      !known.policies.includes(entry.authorization_policy)
    )
      problem(
        at('authorization_policy'),
        `'${entry.authorization_policy}' is not a policy`,
        known.policies.join(', '),
      );
    if (typeof entry.lifespan === 'string' && !known.lifespans.includes(entry.lifespan))
      problem(
        at('lifespan'),
        `'${entry.lifespan}' is not defined in lifespans.custom`,
        known.lifespans.join(', ') || 'none defined',
      );
    strings(entry.scopes).forEach((scope, scopeIndex) => {
      if (!known.scopes.includes(scope))
        problem(at('scopes', scopeIndex), `'${scope}' is not a known scope`, known.scopes.join(', '));
    });
  });
}

/** Each client's response signing algorithms have a key to sign with. */
function checkClientAlgorithms(
  clients: unknown[],
  configured: (string | undefined)[],
  problem: Problem,
): void {
  clients.forEach((value, index) => {
    if (!isRecord(value)) return;
    const entry = value as Partial<ClientConfig>;
    for (const key of [
      'id_token_signed_response_alg',
      'userinfo_signed_response_alg',
      'access_token_signed_response_alg',
    ] as const) {
      const algorithm = entry[key];
      const message = signingKeyProblem(algorithm, configured);
      if (message)
        problem(
          ['clients', index, key],
          message,
          `a jwks entry with algorithm: ${algorithm}, or RS256, PS256, ES256, EdDSA …`,
        );
    }
  });
}

const oidc = z
  .strictObject({
    hmac_secret: z
      .string()
      .min(32, 'must be at least 32 characters (generate one with `sesame crypto rand --length 64`)')
      .meta(SECRET)
      .describe(
        'Secret for HMAC-signed values (cookies, opaque token integrity). Random, at least 32 characters.',
      ),
    jwks: z
      .array(jwksEntry)
      .default([])
      .describe(
        'Signing keys. When empty, Sesame generates its own on first start (RSA for RS256/PS256, P-256 for ES256, Ed25519 for EdDSA) and stores them encrypted.',
      ),
    enable_client_debug_messages: z
      .boolean()
      .default(false)
      .describe('Show the detailed reason for a refused request on error pages (it is always in the log).'),
    minimum_parameter_entropy: z
      .number()
      .int()
      .min(-1)
      .default(8)
      .describe('Minimum length of `state` and `nonce`; -1 disables the check.'),
    enforce_pkce: oneOf(['public_clients_only', 'always', 'never']).default('public_clients_only'),
    enable_pkce_plain_challenge: z
      .literal(false)
      .default(false)
      .describe('The `plain` PKCE method is not supported (OAuth 2.1 removed it); only `false` is accepted.'),
    require_pushed_authorization_requests: z
      .boolean()
      .default(false)
      .describe('Refuse authorization requests that were not pushed first (RFC 9126).'),
    lifespans: z
      .strictObject({
        access_token: durationWithDefault('1h'),
        authorize_code: durationWithDefault('1m'),
        id_token: durationWithDefault('1h'),
        refresh_token: durationWithDefault('90m'),
        device_code: durationWithDefault('10m').describe(
          'How long a device authorization (its user code and device code) stays valid.',
        ),
        jwt_secured_authorization: warned(duration(), 'JARM responses are not supported yet'),
        custom: z
          .record(z.string(), lifespanSet)
          .default({})
          .describe('Named lifespans clients select with `lifespan`.'),
      })
      .prefault({}),
    cors: z
      .strictObject({
        endpoints: z.array(oneOf(CORS_ENDPOINTS)).default([]),
        allowed_origins: z.array(z.string()).default([]).describe('Origins (scheme://host[:port]) or `*`.'),
        allowed_origins_from_client_redirect_uris: z.boolean().default(false),
      })
      .prefault({}),
    authorization_policies: z
      .record(
        z.string(),
        z.strictObject({
          default_policy: oneOf(POLICY_LEVELS).default('two_factor'),
          rules: z.array(policyRule).default([]),
        }),
      )
      .default({})
      .describe('Named policies clients select with `authorization_policy`.'),
    claims_policies: notSupportedYet('claims policies'),
    scopes: z
      .record(z.string(), z.strictObject({ claims: z.array(z.string()).default([]) }))
      .default({})
      .describe('Custom scopes and the claims they release.'),
    clients: z
      .array(client)
      .default([])
      .describe('OAuth 2.0 / OpenID Connect clients (read-only in the admin UI).'),
    ...oidcCompatKeys,
  })
  .superRefine((value, ctx) => {
    // Runs even when single keys are invalid, so that duplicates and dangling names are reported
    // in the same pass; hence the defensive reads.
    const clients = Array.isArray(value.clients) ? value.clients : [];
    const problem: Problem = (path, message, allowed) =>
      ctx.addIssue({ code: 'custom', path, message, params: allowed ? { allowed } : undefined });
    const policyNames = isRecord(value.authorization_policies)
      ? Object.keys(value.authorization_policies)
      : [];
    checkClientReferences(
      clients,
      {
        policies: policyChoices(policyNames),
        lifespans: isRecord(value.lifespans?.custom) ? Object.keys(value.lifespans.custom) : [],
        scopes: [...STANDARD_SCOPES, ...(isRecord(value.scopes) ? Object.keys(value.scopes) : [])],
      },
      problem,
    );
    const configuredAlgorithms = Array.isArray(value.jwks) ? value.jwks.map((key) => key?.algorithm) : [];
    checkClientAlgorithms(clients, configuredAlgorithms, problem);
    if (
      Array.isArray(value.jwks) &&
      value.jwks.length > 0 &&
      !value.jwks.some((key) => key?.algorithm === 'RS256')
    )
      problem(['jwks'], 'needs at least one RS256 key (the default ID token algorithm)');
    if (value.issuer_private_key !== undefined && Array.isArray(value.jwks) && value.jwks.length > 0)
      problem(
        ['issuer_private_key'],
        'cannot be used together with jwks',
        'jwks (preferred) or issuer_private_key',
      );
  }, ALWAYS);

const hashingObject = z.strictObject({
  algorithm: oneOf(['argon2', 'pbkdf2', 'scrypt', 'bcrypt', 'sha2crypt'])
    .default('argon2')
    .describe('The digest used for new passwords. Existing digests of any kind keep verifying.'),
  argon2: z
    .strictObject({
      variant: oneOf(['argon2id', 'argon2i', 'argon2d']).default('argon2id'),
      iterations: z.number().int().min(1).default(2),
      memory: z
        .number()
        .int()
        .min(8)
        .default(19456)
        .describe('KiB. The defaults (m=19456, t=2, p=1) are OWASP’s; Authelia’s are m=65536, t=3, p=4.'),
      parallelism: z.number().int().min(1).default(1),
      key_length: z.number().int().min(16).default(32),
      salt_length: z.number().int().min(8).default(16),
    })
    .prefault({}),
  pbkdf2: z
    .strictObject({
      variant: oneOf(['sha1', 'sha256', 'sha384', 'sha512']).default('sha512'),
      iterations: z.number().int().min(1000).default(310000),
      salt_length: z.number().int().min(8).default(16),
    })
    .prefault({}),
  scrypt: z
    .strictObject({
      iterations: z.number().int().min(1).max(20).default(16).describe('log2 of N.'),
      block_size: z.number().int().min(1).default(8),
      parallelism: z.number().int().min(1).default(1),
      key_length: z.number().int().min(16).default(32),
      salt_length: z.number().int().min(8).default(16),
    })
    .prefault({}),
  bcrypt: z.strictObject({ cost: z.number().int().min(10).max(31).default(12) }).prefault({}),
  sha2crypt: z
    .strictObject({
      variant: oneOf(['sha256', 'sha512']).default('sha512'),
      iterations: z.number().int().min(1000).default(50000),
      salt_length: z.number().int().min(1).max(16).default(16),
    })
    .prefault({}),
});
const hashing = hashingObject.prefault({});

/** Authelia's flat argon2 keys of `file.password` (its legacy form) apply to its `argon2` block. */
const legacyArgon2 = () => z.number().int().min(1).optional().describe('Legacy: use `argon2.*`.');
const filePassword = hashingObject
  .extend({
    iterations: legacyArgon2(),
    memory: legacyArgon2(),
    parallelism: legacyArgon2(),
    key_length: legacyArgon2(),
    salt_length: legacyArgon2(),
  })
  .transform(({ iterations, memory, parallelism, key_length, salt_length, ...rest }) => {
    const legacy = { iterations, memory, parallelism, key_length, salt_length };
    const given = Object.fromEntries(Object.entries(legacy).filter(([, value]) => value !== undefined));
    return { ...rest, argon2: { ...rest.argon2, ...given } };
  })
  .optional()
  .describe(
    'Authelia’s location of the password hashing settings; used when `password_hashing` is not set. The flat legacy keys (iterations, memory …) apply to `argon2`.',
  );

const postgres = z.strictObject({
  address: z
    .string()
    .default('tcp://127.0.0.1:5432')
    .describe('`tcp://host:port` or `unix:///path/to/socket/dir`.'),
  database: z.string().min(1).describe('The database name.'),
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier')
    .default('public'),
  username: z.string().min(1).default('postgres'),
  password: z.string().meta(SECRET).optional(),
  timeout: durationWithDefault('5s').describe('Connection timeout.'),
  max_connections: z.number().int().min(1).max(1000).default(10).describe('Connection pool size per node.'),
  tls: clientTls
    .extend({
      certificate_authority: z.string().optional().describe('PEM CA bundle used to verify the server.'),
    })
    .optional()
    .describe('Connect with TLS.'),
  ...postgresCompatKeys,
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        address: z
          .string()
          .default('tcp://127.0.0.1:9091/')
          .refine((value) => parseListenAddress(value) !== undefined, {
            message: 'is not a listen address',
            params: { allowed: 'tcp://host:port/, tcp://:port/ or unix:///path/to.sock' },
          })
          .describe('Where Sesame listens.'),
        external_url: absoluteUrl
          .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
          .optional()
          .describe(
            'The public base URL users and apps reach Sesame at (behind a proxy, the proxy’s URL). The global issuer is this URL without a trailing slash; per-application issuers live under `/application/o/<slug>/`. Defaults to the listen address.',
          ),
        endpoints: serverEndpoints,
        trusted_proxies: z
          .array(
            z.string().refine((value) => parseNetwork(value) !== undefined, {
              message: 'is not an IP address or CIDR',
              params: { allowed: NETWORK_HELP },
            }),
          )
          .default([])
          .describe(
            'Addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are believed (client IP, scheme, host).',
          ),
        workers: z
          .union([z.literal('auto'), z.number().int().min(1).max(64)])
          .default(1)
          .describe(
            'Processes serving requests on this machine: a number, or `auto` for one per CPU core. They share the listen address and the database; each takes its own memory (~150 MiB).',
          ),
        ...serverCompatKeys,
        ...serverSettings,
      })
      .prefault({}),
    branding: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .max(60)
          .default('Sesame')
          .describe('Shown on the login, consent and logout pages.'),
        logo_url: absoluteUrl.optional().describe('A logo shown beside the name.'),
      })
      .prefault({})
      .describe('How the pages look to your users.'),
    log: logSchema,
    telemetry: telemetrySchema(parseListenAddress),
    storage: z
      .strictObject({
        encryption_key: z
          .string()
          .min(20, 'must be at least 20 characters')
          .meta(SECRET)
          .describe('Encrypts sensitive columns (private signing keys). Changing it makes them unreadable.'),
        local: z
          .strictObject({
            path: z.string().min(1).describe('The SQLite database file, relative to the configuration file.'),
            synchronous: oneOf(['normal', 'full'])
              .default('normal')
              .describe(
                "When commits reach the disk. 'normal': at WAL checkpoints — a power cut can undo the last " +
                  "moments' commits (tokens issued then stop working) but never corrupts the file; 'full': every " +
                  'commit is flushed before it returns, several times slower for token writes.',
              ),
          })
          .optional()
          .describe('The embedded SQLite database (one node).'),
        postgres: postgres.optional().describe('PostgreSQL (one or several nodes).'),
        mysql: mysqlStorage.optional(),
      })
      .superRefine((value, ctx) => {
        const chosen = [value.local && 'local', value.postgres && 'postgres', value.mysql && 'mysql'].filter(
          Boolean,
        );
        if (chosen.length !== 1)
          ctx.addIssue({
            code: 'custom',
            message:
              chosen.length === 0
                ? 'no storage backend is configured'
                : 'only one storage backend may be configured',
            params: { allowed: 'exactly one of storage.local, storage.postgres or storage.mysql' },
          });
      }),
    authentication_backend: z
      .strictObject({
        file: z
          .strictObject({
            path: z
              .string()
              .min(1)
              .describe(
                'An Authelia users database (YAML), relative to the configuration file; loaded at start.',
              ),
            password: filePassword,
            ...usersFileKeys,
          })
          .optional()
          .describe('Users defined in a file. They are read-only in the admin UI.'),
        ldap: ldapSchema.optional(),
        password_hashing: hashing.describe('How new passwords are hashed.'),
        ...authenticationBackendKeys,
      })
      .superRefine((value, ctx) => {
        if (value.file && value.ldap)
          ctx.addIssue({
            code: 'custom',
            path: ['ldap'],
            message: 'only one of file and ldap may be configured',
            params: {
              allowed:
                'authentication_backend.file or authentication_backend.ldap (the database’s own users sign in with either)',
            },
          });
        if (value.ldap?.permit_unauthenticated_bind && !value.password_reset?.disable)
          ctx.addIssue({
            code: 'custom',
            path: ['ldap', 'permit_unauthenticated_bind'],
            message: 'needs authentication_backend.password_reset.disable: true',
            params: { allowed: 'false, or disable password reset' },
          });
      }, ALWAYS)
      .prefault({}),
    totp: totpSchema,
    webauthn: webauthnSchema,
    password_policy: passwordPolicySchema,
    regulation: z
      .strictObject({
        max_retries: z
          .number()
          .int()
          .min(0)
          .default(3)
          .describe('Failed attempts within find_time that cause a ban; 0 turns regulation off.'),
        find_time: durationWithDefault('2m').describe('The window in which failures are counted.'),
        ban_time: durationWithDefault('5m').describe('How long a ban lasts.'),
        modes: z
          .array(oneOf(['user', 'ip']))
          .min(1)
          .default(['user'])
          .describe(
            'Count failures per account (for client secrets: per client id), per client IP address, or both (as Authelia, `user` by default: many users may share one address).',
          ),
      })
      .prefault({})
      .describe(
        'Brute-force protection for passwords and second factors (counted in the database, per account whichever name is typed), and for hashed client secrets (counted in each process: a ban there saves its CPU).',
      ),
    identity_providers: z
      .strictObject({ oidc: oidc.optional() })
      .optional()
      .describe(
        'The OpenID Connect provider. Optional: without it Sesame still signs users in to its portal and admin UI (and forward-auth), with no configured clients.',
      ),
    ...autheliaTopLevel,
    notifier: notifierSchema,
    registration: registrationSchema,
    session: sessionSchema,
    access_control: accessControlSection,
    definitions: definitionsSection,
  })
  .superRefine(checkAccessControlReferences, ALWAYS)
  .superRefine(checkRegistrationNotifier, ALWAYS)
  .describe('Sesame configuration');

export type Config = z.output<typeof configSchema>;
export type OidcConfig = z.output<typeof oidc>;
/** The `identity_providers.oidc` a configuration without one gets (hmac_secret is filled in by load.ts). */
export function defaultOidc(hmacSecret: string): OidcConfig {
  return oidc.parse({ hmac_secret: hmacSecret });
}
export type ConfigInput = z.input<typeof configSchema>;

export interface ListenAddress {
  kind: 'tcp' | 'unix';
  host?: string;
  port?: number;
  path: string;
}

/** Parses Authelia's `tcp://host:port/path` and `unix:///socket` listen addresses. */
export function parseListenAddress(value: string): ListenAddress | undefined {
  const unix = /^unix:\/\/(\/.+)$/.exec(value);
  if (unix) return { kind: 'unix', path: unix[1]! };
  const tcp = /^(?:tcp[46]?:\/\/)?(\[[^\]]+\]|[^:/]*)?:(\d{1,5})(\/.*)?$/.exec(value);
  if (!tcp) return undefined;
  const port = Number(tcp[2]);
  if (port > 65535) return undefined;
  const host = tcp[1]?.replace(/^\[|\]$/g, '') || undefined;
  return { kind: 'tcp', host, port, path: tcp[3] ?? '/' };
}
/** The client's fields and rules (its `.shape` describes them), before defaults that depend on other keys. */
export const clientConfigSchema = clientObject;
