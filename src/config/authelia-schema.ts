// Authelia keys Sesame understands beside its own: the ones it has no equivalent for yet are
// accepted with a warning (`unimplemented` meta, see warnings.ts), a security setting it cannot
// honour is refused. Each section's shape follows Authelia 4.39's configuration schema.
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { identityValidationSchema } from './identity-validation-schema.ts';
import { absoluteUrl, duration, NOT_SUPPORTED_YET, notSupportedYet, oneOf, SECRET } from './schema-kit.ts';

/**
 * A section (or value) Sesame accepts for compatibility but does not act on yet: its shape is
 * still checked, and a warning naming the key and `what` is logged when it is set.
 */
export function warned<T extends z.ZodType>(schema: T, what: string) {
  return schema
    .optional()
    .meta({ unimplemented: what })
    .describe(
      `Accepted for compatibility with Authelia, not implemented yet: ${what}. A warning is logged when set.`,
    );
}

/** Refuses `true`: Sesame cannot honour this switch yet, and ignoring it would weaken security. */
function refusedWhenTrue(what: string) {
  return z
    .boolean()
    .default(false)
    .refine((value) => !value, {
      message: `true is ${NOT_SUPPORTED_YET} (${what})`,
      params: { allowed: 'false' },
    })
    .describe(`Only \`false\` is supported yet (${what}).`);
}

const tls = z.strictObject({
  minimum_version: oneOf(['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3'])
    .optional()
    .describe('The lowest TLS version accepted.'),
  maximum_version: oneOf(['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3'])
    .optional()
    .describe('The highest TLS version offered.'),
  skip_verify: z.boolean().default(false).describe('Do not verify the server certificate (insecure).'),
  server_name: z.string().optional().describe('The name the server certificate must carry (SNI).'),
  private_key: z
    .string()
    .meta(SECRET)
    .optional()
    .describe('A PEM private key for client certificate authentication.'),
  certificate_chain: z
    .string()
    .optional()
    .describe('The PEM client certificate chain that goes with private_key.'),
});

/** Authelia's TLS client settings for outgoing connections (LDAP, SMTP, PostgreSQL). */
export const clientTls = tls;

const duoApi = warned(
  z.strictObject({
    disable: z.boolean().optional(),
    hostname: z.string().optional(),
    integration_key: z.string().optional(),
    secret_key: z.string().meta(SECRET).optional(),
    enable_self_enrollment: z.boolean().optional(),
  }),
  'Duo push notifications are not offered as a second factor',
);

const ntp = warned(
  z.strictObject({
    address: z.string().optional(),
    version: z.union([z.literal(3), z.literal(4)]).optional(),
    max_desync: duration().optional(),
    disable_startup_check: z.boolean().optional(),
    disable_failure: z.boolean().optional(),
  }),
  'the clock is not checked against an NTP server at start (keep the host clock synchronised: one-time codes depend on it)',
);

const privacyPolicy = warned(
  z.strictObject({
    enabled: z.boolean().optional(),
    require_user_acceptance: z.boolean().optional(),
    policy_url: absoluteUrl.optional(),
  }),
  'no privacy policy link or acceptance is shown',
);

/** Top-level Authelia keys (beside the sections other modules own). */
export const autheliaTopLevel = {
  theme: warned(
    oneOf(['light', 'dark', 'grey', 'oled', 'auto']),
    'the pages follow the browser’s colour scheme',
  ),
  default_2fa_method: warned(
    oneOf(['', 'totp', 'webauthn', 'mobile_push']),
    'the second-factor page offers the methods a user has in a fixed order',
  ),
  certificates_directory: warned(
    z.string(),
    'extra certificate authorities are not loaded from it; give them to Node.js with NODE_EXTRA_CA_CERTS',
  ),
  default_redirection_url: warned(
    absoluteUrl,
    'legacy location of session.cookies[].default_redirection_url: after a sign-in without a target the portal is shown',
  ),
  jwt_secret: z
    .string()
    .min(1)
    .meta(SECRET)
    .optional()
    .describe(
      'Legacy location of identity_validation.reset_password.jwt_secret (used when that is not set).',
    ),
  privacy_policy: privacyPolicy,
  duo_api: duoApi,
  ntp,
  identity_validation: identityValidationSchema,
};

/** `definitions.user_attributes`: computed attributes Authelia evaluates with CEL expressions. */
export const userAttributeDefinitions = warned(
  z.record(z.string(), z.strictObject({ expression: z.string() })),
  'computed user attributes (CEL expressions) are not evaluated',
);

const rateLimit = z.strictObject({
  enable: z.boolean().optional(),
  buckets: z.array(z.strictObject({ period: duration(), requests: z.number().int().min(1) })).optional(),
});

const RATE_LIMITED = [
  'reset_password_start',
  'reset_password_finish',
  'second_factor_totp',
  'second_factor_duo',
  'session_elevation_start',
  'session_elevation_finish',
  'openid_connect_token',
  'openid_connect_pushed_authorization_request',
  'openid_connect_userinfo',
  'openid_connect_introspection',
  'openid_connect_revocation',
] as const;

/** `server.endpoints` keys other than `authz`. */
export const serverEndpointKeys = {
  enable_pprof: warned(z.boolean(), 'there are no Go profiling endpoints'),
  enable_expvars: warned(z.boolean(), 'there are no Go expvar endpoints'),
  rate_limits: warned(
    z.strictObject(Object.fromEntries(RATE_LIMITED.map((name) => [name, rateLimit.optional()]))),
    'per-endpoint rate limit buckets; failed sign-ins and client secrets are throttled by `regulation` instead',
  ),
};

/** `server` keys Authelia has beside address, tls, timeouts, buffers, headers and endpoints. */
export const serverCompatKeys = {
  asset_path: warned(
    z.string(),
    'custom assets (logo, favicon, translations) are not served; use branding.logo_url',
  ),
  disable_healthcheck: z
    .boolean()
    .default(false)
    .describe('Authelia writes a file for its container health check; Sesame has none to disable.'),
};

/** `authentication_backend` keys beside `file`, `ldap` and Sesame's `password_hashing`. */
export const authenticationBackendKeys = {
  password_reset: z
    .strictObject({
      disable: z
        .boolean()
        .default(false)
        .describe('Hide "Forgot password?" and refuse password reset requests.'),
      custom_url: absoluteUrl
        .optional()
        .describe(
          'Where "Forgot password?" leads instead of Sesame’s own reset (another system manages passwords).',
        ),
    })
    .optional(),
  password_change: z
    .strictObject({
      disable: refusedWhenTrue('the portal always lets a signed-in user change their password'),
    })
    .optional(),
  refresh_interval: z
    .union([duration(), z.literal('always'), z.literal('disable')])
    .optional()
    .describe(
      'With `ldap`: how often the directory users’ profile, groups and standing are read again (default 5m; `always`: every minute; `disable`: only at sign-in). A user the directory no longer has, or its users_filter now leaves out, is disabled in Sesame: their sessions and tokens end. The users file is read at start.',
    ),
};

/** `authentication_backend.file` keys beside `path` (and `password`, honoured in schema.ts). */
export const usersFileKeys = {
  watch: warned(z.boolean(), 'the users file is read at start; restart Sesame to apply changes'),
  search: warned(
    z.strictObject({ email: z.boolean().optional(), case_insensitive: z.boolean().optional() }),
    'users sign in with their exact username',
  ),
  extra_attributes: warned(
    z.record(z.string(), z.strictObject({ multi_valued: z.boolean().optional(), value_type: z.string() })),
    'extra user attributes from the users file are not released as claims',
  ),
};

/** `storage.postgres` keys Authelia has beside Sesame's. */
export const postgresCompatKeys = {
  servers: warned(
    z.array(z.strictObject({ address: z.string(), tls: tls.optional() })),
    'fail-over to further PostgreSQL servers (only `address` is used)',
  ),
  ssl: notSupportedYet('the legacy `ssl` section: use storage.postgres.tls'),
};

/** A key of which only Authelia's default value `none` is supported yet (anything else is refused). */
function onlyNone(what: string) {
  return z
    .string()
    .optional()
    .refine((value) => value === undefined || value === 'none', {
      message: NOT_SUPPORTED_YET,
      params: { allowed: 'none, or remove this key' },
    })
    .describe(`Not supported yet (${what}): only \`none\` is accepted.`);
}

const ENCRYPTED = ['authorization', 'id_token', 'access_token', 'userinfo', 'introspection'] as const;
const ENDPOINT_AUTH = ['revocation', 'introspection', 'pushed_authorization_request'] as const;

type EncryptedKey = `${(typeof ENCRYPTED)[number]}_encrypted_response_${'alg' | 'enc' | 'key_id'}`;
type EndpointAuthKey = `${(typeof ENDPOINT_AUTH)[number]}_endpoint_auth_${'method' | 'signing_alg'}`;

/** Client keys Authelia 4.39 has that Sesame refuses until it implements them. */
export const refusedClientKeys: Record<EncryptedKey | EndpointAuthKey, z.ZodType> & {
  request_object_signing_alg: z.ZodType;
  request_object_encryption_alg: z.ZodType;
  request_object_encryption_enc: z.ZodType;
  allow_multiple_auth_methods: z.ZodType;
} = {
  ...(Object.fromEntries(
    ENCRYPTED.flatMap((what) => [
      [`${what}_encrypted_response_alg`, onlyNone(`encrypted ${what.replace(/_/g, ' ')} responses`)],
      [`${what}_encrypted_response_enc`, notSupportedYet(`encrypted ${what.replace(/_/g, ' ')} responses`)],
      [
        `${what}_encrypted_response_key_id`,
        notSupportedYet(`encrypted ${what.replace(/_/g, ' ')} responses`),
      ],
    ]),
  ) as unknown as Record<EncryptedKey, z.ZodType>),
  request_object_signing_alg: notSupportedYet('restricting the request object signing algorithm'),
  request_object_encryption_alg: onlyNone('encrypted request objects'),
  request_object_encryption_enc: notSupportedYet('encrypted request objects'),
  ...(Object.fromEntries(
    ENDPOINT_AUTH.flatMap((endpoint) => [
      [`${endpoint}_endpoint_auth_method`, notSupportedYet('per-endpoint client authentication')],
      [`${endpoint}_endpoint_auth_signing_alg`, notSupportedYet('per-endpoint client authentication')],
    ]),
  ) as unknown as Record<EndpointAuthKey, z.ZodType>),
  allow_multiple_auth_methods: refusedWhenTrue(
    'a client authenticates with its token_endpoint_auth_method only',
  ),
};

function isRsaPrivateKey(value: string): boolean {
  try {
    return createPrivateKey(value).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** `identity_providers.oidc` keys Authelia 4.39 has beside Sesame's. */
export const oidcCompatKeys = {
  enable_jwt_access_token_stateless_introspection: refusedWhenTrue(
    'introspection of JWT access tokens answers from the stored record, so revocation is seen',
  ),
  discovery_signed_response_alg: warned(
    z.string(),
    'the discovery document is served as plain JSON, without signed metadata',
  ),
  discovery_signed_response_key_id: warned(z.string(), 'the discovery document is not signed'),
  issuer_private_key: z
    .string()
    .meta(SECRET)
    .refine(isRsaPrivateKey, 'is not a PEM RSA private key')
    .optional()
    .describe('Legacy form of `jwks`: one RS256 signing key in PEM format. Used when `jwks` is empty.'),
  issuer_certificate_chain: z
    .string()
    .optional()
    .describe('Legacy form of `jwks[].certificate_chain` for `issuer_private_key`.'),
};
