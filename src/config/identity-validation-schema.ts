// `identity_validation` as Authelia 4.39 defines it: how a user proves, by e-mail, that they may reset
// a password (a signed single-use link) or change their second factors (a one-time code that
// elevates their session for a while). Both need a notifier.
import { z } from 'zod';
import { durationWithDefault, oneOf, SECRET } from './schema-kit.ts';

const resetPassword = z
  .strictObject({
    jwt_lifespan: durationWithDefault('5m').describe('How long a password reset link works.'),
    jwt_algorithm: oneOf(['HS256', 'HS384', 'HS512'])
      .default('HS256')
      .describe('How the reset link’s token is signed.'),
    jwt_secret: z
      .string()
      .min(1)
      .meta(SECRET)
      .optional()
      .describe(
        'The key reset links are signed with (also read from the legacy top-level `jwt_secret`). Without it, one is derived from the hmac secret.',
      ),
  })
  .prefault({});

const elevatedSession = z
  .strictObject({
    code_lifespan: durationWithDefault('5m').describe('How long an e-mailed one-time code works.'),
    elevation_lifespan: durationWithDefault('10m').describe(
      'How long a session may change second factors and the e-mail address after the code.',
    ),
    characters: z
      .number()
      .int()
      .min(6)
      .max(20)
      .default(8)
      .describe('The length of the one-time code (letters and digits a person can read out).'),
    require_second_factor: z
      .boolean()
      .default(false)
      .describe('A user who has a second factor must have used it in this session before elevating.'),
    skip_second_factor: z
      .boolean()
      .default(false)
      .describe('A session signed in with a second factor is elevated without a code.'),
  })
  .prefault({});

export const identityValidationSchema = z
  .strictObject({ reset_password: resetPassword, elevated_session: elevatedSession })
  .prefault({})
  .describe(
    'E-mail proofs of identity: password reset links and the one-time codes that let a user change their second factors.',
  );

export type IdentityValidationSettings = z.output<typeof identityValidationSchema>;
