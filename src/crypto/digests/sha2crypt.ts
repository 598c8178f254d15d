import * as crypto from 'node:crypto';
import { encrypt as unixCrypt } from 'unixcrypt';
import type { DigestOptions } from '../digest.ts';
import { randomString } from '../random.ts';
import { assertInBounds, parseBoundedInteger } from './encoding.ts';
import { DigestFormatError } from './errors.ts';
import { assertOnlyOptions, integerOption, variantOption } from './options.ts';

export type Sha2cryptVariant = 'sha256' | 'sha512';

export interface Sha2cryptDigest {
  readonly algorithm: 'sha2crypt';
  readonly variant: Sha2cryptVariant;
  readonly parameters: { readonly rounds: number };
  /** The salt characters: SHA-crypt uses the salt text itself, not decoded bytes. */
  readonly salt: Buffer;
  /**
   * The hash in its crypt-base64 text form. SHA-crypt shuffles the digest bytes before encoding, so the
   * text is compared as is; equal text means equal bytes.
   */
  readonly hash: Buffer;
}

export const SHA2CRYPT_DEFAULTS = { variant: 'sha512', rounds: 50_000, saltLength: 16 } as const;

// The spec's lower limit is 1000 (smaller values are raised to it, and the output then says
// rounds=1000). The upper limit is far below the spec's 999,999,999: unixcrypt runs synchronously and
// allocates an array entry per round, so 1,000,000 (a few seconds) is as far as a digest may push it.
// That still covers passlib's defaults (535,000 / 656,000).
const ROUNDS = { min: 1000, max: 1_000_000 };
// Without a rounds= field the spec's default applies.
const IMPLICIT_ROUNDS = 5000;
const SALT_CHARS = { min: 1, max: 16 };
const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CRYPT_TEXT = /^[./0-9A-Za-z]*$/;
const HASH_CHARS: Readonly<Record<Sha2cryptVariant, number>> = { sha256: 43, sha512: 86 };
const IDENTIFIER_OF: Readonly<Record<Sha2cryptVariant, string>> = { sha256: '5', sha512: '6' };

export function isSha2cryptIdentifier(identifier: string): boolean {
  return identifier === '5' || identifier === '6';
}

/** Parses `$6$rounds=50000$<salt>$<hash>` / `$5$…`; `rounds=` may be left out (then 5000). */
export function parseSha2crypt(digest: string): Sha2cryptDigest {
  const segments = digest.split('$');
  const identifier = segments[1] ?? '';
  if (!isSha2cryptIdentifier(identifier)) {
    throw new DigestFormatError('sha2crypt digest must start with $5$ (sha256) or $6$ (sha512)');
  }
  const variant: Sha2cryptVariant = identifier === '5' ? 'sha256' : 'sha512';
  const hasRounds = segments[2]?.startsWith('rounds=') === true;
  if (segments.length !== (hasRounds ? 5 : 4)) {
    throw new DigestFormatError(
      `sha2crypt digest must look like $${identifier}$rounds=<rounds>$<salt>$<hash>`,
    );
  }
  const rounds = hasRounds
    ? parseBoundedInteger((segments[2] ?? '').slice('rounds='.length), ROUNDS, 'sha2crypt rounds')
    : IMPLICIT_ROUNDS;
  const saltText = segments.at(-2) ?? '';
  const hashText = segments.at(-1) ?? '';
  const parsed: Sha2cryptDigest = {
    algorithm: 'sha2crypt',
    variant,
    parameters: { rounds },
    salt: Buffer.from(saltText, 'latin1'),
    hash: Buffer.from(hashText, 'latin1'),
  };
  assertSha2cryptDigest(parsed);
  return parsed;
}

export function assertSha2cryptDigest(digest: Sha2cryptDigest): void {
  if (digest.variant !== 'sha256' && digest.variant !== 'sha512') {
    throw new DigestFormatError('sha2crypt variant must be sha256 or sha512');
  }
  assertInBounds(digest.parameters.rounds, ROUNDS, 'sha2crypt rounds');
  const salt = digest.salt.toString('latin1');
  if (salt.length < SALT_CHARS.min || salt.length > SALT_CHARS.max || !CRYPT_TEXT.test(salt)) {
    throw new DigestFormatError(
      `sha2crypt salt must be ${SALT_CHARS.min} to ${SALT_CHARS.max} characters from ./0-9A-Za-z`,
    );
  }
  const expected = HASH_CHARS[digest.variant];
  const hash = digest.hash.toString('latin1');
  if (hash.length !== expected || !CRYPT_TEXT.test(hash)) {
    throw new DigestFormatError(
      `sha2crypt ${digest.variant} hash must be ${expected} characters from ./0-9A-Za-z`,
    );
  }
}

export function encodeSha2crypt(digest: Sha2cryptDigest): string {
  const identifier = IDENTIFIER_OF[digest.variant];
  return `$${identifier}$rounds=${digest.parameters.rounds}$${digest.salt.toString('latin1')}$${digest.hash.toString('latin1')}`;
}

export function describeSha2crypt(digest: Sha2cryptDigest): string {
  return `${digest.variant}crypt rounds=${digest.parameters.rounds}`;
}

function deriveSha2crypt(secret: string, variant: Sha2cryptVariant, rounds: number, salt: string): Buffer {
  const full = unixCrypt(secret, `$${IDENTIFIER_OF[variant]}$rounds=${rounds}$${salt}`);
  return Buffer.from(full.slice(full.lastIndexOf('$') + 1), 'latin1');
}

export function verifySha2crypt(secret: string, digest: Sha2cryptDigest): Promise<boolean> {
  // unixcrypt is synchronous; wrapping keeps verifySecret's contract (errors become rejections).
  return new Promise((resolve) => {
    const derived = deriveSha2crypt(
      secret,
      digest.variant,
      digest.parameters.rounds,
      digest.salt.toString('latin1'),
    );
    resolve(derived.length === digest.hash.length && crypto.timingSafeEqual(derived, digest.hash));
  });
}

export interface Sha2cryptSettings {
  variant: Sha2cryptVariant;
  rounds: number;
  saltLength: number;
}

/** `iterations` is accepted as another name for rounds, as in Authelia's CLI. */
export function resolveSha2cryptOptions(options: DigestOptions): Sha2cryptSettings {
  assertOnlyOptions(options, ['variant', 'rounds', 'iterations', 'saltLength'], 'sha2crypt');
  if (
    options.rounds !== undefined &&
    options.iterations !== undefined &&
    options.rounds !== options.iterations
  ) {
    throw new RangeError('sha2crypt takes rounds or iterations (the same thing), not two different values');
  }
  return {
    variant: variantOption(
      options.variant,
      SHA2CRYPT_DEFAULTS.variant,
      { sha256: 'sha256', sha512: 'sha512' },
      'sha2crypt',
    ),
    rounds: integerOption(
      options.rounds ?? options.iterations,
      SHA2CRYPT_DEFAULTS.rounds,
      ROUNDS,
      'sha2crypt rounds',
    ),
    saltLength: integerOption(
      options.saltLength,
      SHA2CRYPT_DEFAULTS.saltLength,
      SALT_CHARS,
      'sha2crypt salt length',
    ),
  };
}

export function hashSha2crypt(secret: string, options: DigestOptions): Promise<string> {
  return new Promise((resolve) => {
    const { variant, rounds, saltLength } = resolveSha2cryptOptions(options);
    const salt = randomString(saltLength, CRYPT_ALPHABET);
    const hash = deriveSha2crypt(secret, variant, rounds, salt);
    resolve(
      encodeSha2crypt({
        algorithm: 'sha2crypt',
        variant,
        parameters: { rounds },
        salt: Buffer.from(salt, 'latin1'),
        hash,
      }),
    );
  });
}
