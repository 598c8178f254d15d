// `password_policy`: the rules a new password must meet wherever it is set (admin API, admin UI,
// CLI, portal). Authelia's two engines: fixed character rules, or zxcvbn's strength estimate.
import { z } from 'zod';
import { ALWAYS } from './schema-kit.ts';

/** Authelia reads 0 as "not set" for these numbers and puts its default in. */
const zeroMeans = (fallback: number) => (value: number) => (value === 0 ? fallback : value);

const standard = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Check new passwords against the rules below.'),
    min_length: z
      .number()
      .int()
      .min(0)
      .default(8)
      .transform(zeroMeans(8))
      .describe('The fewest characters a password may have (0 means the default, 8).'),
    max_length: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('The most characters a password may have; 0 means no limit.'),
    require_uppercase: z.boolean().default(false).describe('At least one upper-case letter.'),
    require_lowercase: z.boolean().default(false).describe('At least one lower-case letter.'),
    require_number: z.boolean().default(false).describe('At least one digit.'),
    require_special: z
      .boolean()
      .default(false)
      .describe('At least one character that is neither a letter nor a digit.'),
  })
  .superRefine((value, ctx) => {
    if (value.enabled && value.max_length !== 0 && value.max_length < value.min_length)
      ctx.addIssue({
        code: 'custom',
        path: ['max_length'],
        message: `is less than min_length (${value.min_length}): no password could be set`,
        params: { allowed: `0 (no limit) or at least ${value.min_length}` },
      });
  }, ALWAYS)
  .prefault({})
  .describe('Fixed rules: length and the kinds of characters required.');

const zxcvbn = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Refuse passwords zxcvbn estimates as too easy to guess (common words, patterns, names).'),
    min_score: z
      .number()
      .int()
      .min(0)
      .max(4)
      .default(3)
      .transform(zeroMeans(3))
      .describe(
        'The lowest score accepted, from 1 (too guessable) to 4 (very unguessable); 0 means the default, 3.',
      ),
  })
  .prefault({})
  .describe('A strength estimate by zxcvbn (English and common dictionaries).');

export const passwordPolicySchema = z
  .strictObject({ standard, zxcvbn })
  .superRefine((value, ctx) => {
    if (value.standard?.enabled && value.zxcvbn?.enabled)
      ctx.addIssue({
        code: 'custom',
        message: 'standard and zxcvbn are both enabled',
        params: { allowed: 'at most one of password_policy.standard and password_policy.zxcvbn enabled' },
      });
  }, ALWAYS)
  .prefault({})
  .describe(
    'What a new password must meet wherever it is set: the admin API and UI, the CLI and the portal. Without an enabled engine a password needs 8 characters.',
  );

export type PasswordPolicySettings = z.output<typeof passwordPolicySchema>;
