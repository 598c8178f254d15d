// `totp` and `webauthn`: the second factors, with Authelia's keys and meanings.
import { z } from 'zod';
import { ALWAYS, durationWithDefault, NOT_SUPPORTED_YET, oneOf, warnedKey } from './schema-kit.ts';

export const TOTP_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

// Authelia writes SHA1; Sesame always wrote sha1. Both are read.
const totpAlgorithm = oneOf(['SHA1', 'SHA256', 'SHA512', ...TOTP_ALGORITHMS]).transform(
  (value) => value.toLowerCase() as TotpAlgorithm,
);

const digits = z.literal([6, 8]);
const period = z.number().int().min(15, 'must be at least 15 seconds');

/** Authelia adds the default to the allowed list when it is missing; so does Sesame. */
function withDefault<T>(allowed: readonly T[], value: T): T[] {
  return allowed.includes(value) ? [...allowed] : [...allowed, value];
}

export const totpSchema = z
  .strictObject({
    disable: z.boolean().default(false).describe('Turn off one-time codes as a second factor.'),
    issuer: z
      .string()
      .min(1)
      .optional()
      .describe('The name authenticator apps show beside the account (default: branding.name).'),
    algorithm: totpAlgorithm
      .prefault('SHA1')
      .describe('The default for new secrets. Most apps only know SHA1.'),
    digits: digits.default(6).describe('The default length of a code: 6 or 8.'),
    period: period.default(30).describe('The default number of seconds each code is valid.'),
    skew: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('How many periods before and after the current one are accepted.'),
    secret_size: z.number().int().min(20).default(32).describe('Secret length in bytes.'),
    allowed_algorithms: z
      .array(totpAlgorithm)
      .prefault(['SHA1'])
      .describe('The algorithms a user may choose when setting up an app; the default is always allowed.'),
    allowed_digits: z
      .array(digits)
      .default([6])
      .describe('The code lengths a user may choose; the default is always allowed.'),
    allowed_periods: z
      .array(period)
      .default([30])
      .describe('The periods (seconds) a user may choose; the default is always allowed.'),
    disable_reuse_security_policy: z
      .boolean()
      .default(false)
      .describe(
        'Accept a code again within its validity window. By default each code (time step) is accepted once per user, on every node.',
      ),
  })
  .transform((value) => ({
    ...value,
    allowed_algorithms: withDefault(value.allowed_algorithms, value.algorithm),
    allowed_digits: withDefault(value.allowed_digits, value.digits),
    allowed_periods: withDefault(value.allowed_periods, value.period),
  }))
  .prefault({})
  .describe(
    'Time-based one-time codes (RFC 6238) as a second factor. Secrets keep the algorithm, digits and period they were set up with.',
  );

export type TotpSettings = z.output<typeof totpSchema>;

const requirement = oneOf(['discouraged', 'preferred', 'required']);
const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const aaguid = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.string().regex(AAGUID, 'is not a UUID (an AAGUID such as ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4)'));

const selectionCriteria = z
  .strictObject({
    attachment: oneOf(['', 'platform', 'cross-platform'])
      .default('')
      .describe(
        'Which authenticators registration asks for: `platform` (built into the device), `cross-platform` (security keys, phones) or empty for either.',
      ),
    discoverability: requirement
      .default('preferred')
      .describe(
        'Whether new credentials are stored on the authenticator (discoverable, needed for passkey login): discouraged, preferred or required.',
      ),
    user_verification: requirement
      .optional()
      .describe(
        'Whether the authenticator must verify the user (PIN, biometrics) when registering and as a second factor: discouraged, preferred (default) or required. A passkey login always requires it.',
      ),
  })
  .prefault({})
  .describe('What registration asks of the authenticator.');

const filtering = z
  .strictObject({
    permitted_aaguids: z
      .array(aaguid)
      .default([])
      .describe('Only authenticators of these models (AAGUIDs) can be registered.'),
    prohibited_aaguids: z
      .array(aaguid)
      .default([])
      .describe('Authenticators of these models (AAGUIDs) cannot be registered.'),
    prohibit_backup_eligibility: z
      .boolean()
      .default(false)
      .describe('Refuse credentials that can be backed up or synced off the device (synced passkeys).'),
  })
  .superRefine((value, ctx) => {
    if ((value.permitted_aaguids?.length ?? 0) > 0 && (value.prohibited_aaguids?.length ?? 0) > 0)
      ctx.addIssue({
        code: 'custom',
        message: 'permitted_aaguids and prohibited_aaguids are both set',
        params: { allowed: 'one of the two lists' },
      });
  }, ALWAYS)
  .prefault({})
  .describe(
    'Which authenticators may be registered, checked at registration. The AAGUID is what the authenticator claims: without attestation checked against metadata it is not proof of the model.',
  );

const STATUSES = [
  'FIDO_NOT_CERTIFIED',
  'FIDO_CERTIFIED',
  'USER_VERIFICATION_BYPASS',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
  'UPDATE_AVAILABLE',
  'REVOKED',
  'SELF_ASSERTION_SUBMITTED',
  'FIDO_CERTIFIED_L1',
  'FIDO_CERTIFIED_L1plus',
  'FIDO_CERTIFIED_L2',
  'FIDO_CERTIFIED_L2plus',
  'FIDO_CERTIFIED_L3',
  'FIDO_CERTIFIED_L3plus',
] as const;

const UNUSED = 'Used only with the metadata service, which is not supported yet.';
const metadata = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .refine((value) => !value, {
        message: `the FIDO metadata service is ${NOT_SUPPORTED_YET}: it downloads the metadata blob from the internet, and Sesame does not; a security check cannot be silently skipped`,
        params: { allowed: 'false, or remove webauthn.metadata' },
      })
      .describe(
        'Check authenticators against the FIDO Metadata Service. Not supported yet: `true` is refused.',
      ),
    cache_policy: oneOf(['strict', 'relaxed']).default('strict').describe(UNUSED),
    validate_trust_anchor: z.boolean().default(true).describe(UNUSED),
    validate_entry: z.boolean().default(true).describe(UNUSED),
    validate_entry_permit_zero_aaguid: z.boolean().default(false).describe(UNUSED),
    validate_status: z.boolean().default(true).describe(UNUSED),
    validate_status_permitted: z.array(oneOf(STATUSES)).default([]).describe(UNUSED),
    validate_status_prohibited: z.array(oneOf(STATUSES)).optional().describe(UNUSED),
  })
  .prefault({})
  .describe('The FIDO Metadata Service (MDS3).');

const webauthnKeys = z.strictObject({
  disable: z.boolean().default(false).describe('Turn off passkeys and security keys.'),
  display_name: z
    .string()
    .min(1)
    .optional()
    .describe('The relying party name browsers show (default: branding.name).'),
  enable_passkey_login: z
    .boolean()
    .optional()
    .describe(
      'Let users sign in with a passkey alone, with user verification (default true; Authelia’s is false).',
    ),
  experimental_enable_passkey_uv_two_factors: z
    .boolean()
    .default(true)
    .describe(
      'A passkey login (which always requires user verification) counts as two factors. Sesame’s default is true; with false it counts as one and a second factor is asked where two are needed.',
    ),
  experimental_enable_passkey_upgrade: warnedKey(
    'upgrading a registered credential to a discoverable one (registration already prefers discoverable credentials)',
  ),
  timeout: durationWithDefault('60s').describe('How long the browser waits for the authenticator.'),
  attestation_conveyance_preference: oneOf(['none', 'indirect', 'direct'])
    .default('indirect')
    .describe(
      'Whether registration asks the authenticator for its attestation: none, indirect or direct. An attestation given is verified.',
    ),
  selection_criteria: selectionCriteria,
  user_verification: requirement
    .optional()
    .describe('Deprecated since Authelia 4.39: `selection_criteria.user_verification`.'),
  filtering,
  metadata,
});

export const webauthnSchema = webauthnKeys
  .superRefine((value, ctx) => {
    if (value.enable_passkey_login && value.disable)
      ctx.addIssue({
        code: 'custom',
        path: ['enable_passkey_login'],
        message: 'is true while webauthn.disable is true',
        params: { allowed: 'false, or disable: false' },
      });
  })
  .transform(({ user_verification, ...value }) => ({
    ...value,
    enable_passkey_login: value.enable_passkey_login ?? true,
    selection_criteria: {
      ...value.selection_criteria,
      user_verification: value.selection_criteria.user_verification ?? user_verification ?? 'preferred',
    },
  }))
  .prefault({})
  .describe('Passkeys and security keys (WebAuthn).');

export type WebauthnSettings = z.output<typeof webauthnSchema>;
