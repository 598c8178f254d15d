import * as crypto from 'node:crypto';
import type { DigestOptions } from '../digest.ts';
import {
  assertInBounds,
  assertLengthInBounds,
  decodeUnpaddedBase64,
  encodePhc,
  parseBoundedInteger,
} from './encoding.ts';
import { DigestFormatError } from './errors.ts';
import { assertOnlyOptions, integerOption, variantOption } from './options.ts';

export type Pbkdf2Variant = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface Pbkdf2Digest {
  readonly algorithm: 'pbkdf2';
  readonly variant: Pbkdf2Variant;
  readonly parameters: { readonly iterations: number };
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// The key is always exactly one HMAC output long, as in passlib and Authelia.
const DIGEST_BYTES: Readonly<Record<Pbkdf2Variant, number>> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

// `$pbkdf2$` is passlib's name for the SHA-1 variant; Authelia also reads `$pbkdf2-sha1$`.
const IDENTIFIERS: Readonly<Record<string, Pbkdf2Variant>> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha1': 'sha1',
  'pbkdf2-sha224': 'sha224',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha384': 'sha384',
  'pbkdf2-sha512': 'sha512',
};

const VARIANTS: Readonly<Record<string, Pbkdf2Variant>> = {
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

export const PBKDF2_DEFAULTS = { variant: 'sha512', saltLength: 16 } as const;

// sha512 is Authelia's default (310,000). Weaker hashes need more rounds for the same cost to an
// attacker: sha256/sha224 use 700,000 (above OWASP's 600,000), sha1 OWASP's 1,300,000.
export const PBKDF2_DEFAULT_ITERATIONS: Readonly<Record<Pbkdf2Variant, number>> = {
  sha1: 1_300_000,
  sha224: 700_000,
  sha256: 700_000,
  sha384: 310_000,
  sha512: 310_000,
};

// At most about a minute of CPU for one verification, whatever the digest says.
const ITERATIONS = { min: 1, max: 100_000_000 };
const SALT_BYTES = { min: 8, max: 1024 };

export function isPbkdf2Identifier(identifier: string): boolean {
  return Object.hasOwn(IDENTIFIERS, identifier);
}

/** Parses `$pbkdf2-sha512$<iterations>$<salt>$<hash>` (passlib format, adapted base64). */
export function parsePbkdf2(digest: string): Pbkdf2Digest {
  const segments = digest.split('$');
  const [, identifier = '', iterationsText = '', saltText = '', hashText = ''] = segments;
  const variant = Object.hasOwn(IDENTIFIERS, identifier) ? IDENTIFIERS[identifier] : undefined;
  if (variant === undefined) {
    throw new DigestFormatError(
      'pbkdf2 digest must start with $pbkdf2$ (sha1), $pbkdf2-sha224$, $pbkdf2-sha256$, $pbkdf2-sha384$ or $pbkdf2-sha512$',
    );
  }
  if (segments.length !== 5) {
    throw new DigestFormatError(`pbkdf2 digest must look like $${identifier}$<iterations>$<salt>$<hash>`);
  }
  const parsed: Pbkdf2Digest = {
    algorithm: 'pbkdf2',
    variant,
    parameters: { iterations: parseBoundedInteger(iterationsText, ITERATIONS, 'pbkdf2 iterations') },
    salt: decodeUnpaddedBase64(saltText, 'adapted', 'pbkdf2 salt'),
    hash: decodeUnpaddedBase64(hashText, 'adapted', 'pbkdf2 hash'),
  };
  assertPbkdf2Digest(parsed);
  return parsed;
}

export function assertPbkdf2Digest(digest: Pbkdf2Digest): void {
  if (!Object.hasOwn(DIGEST_BYTES, digest.variant)) {
    throw new DigestFormatError('pbkdf2 variant must be sha1, sha224, sha256, sha384 or sha512');
  }
  assertInBounds(digest.parameters.iterations, ITERATIONS, 'pbkdf2 iterations');
  assertLengthInBounds(digest.salt, SALT_BYTES, 'pbkdf2 salt');
  const expected = DIGEST_BYTES[digest.variant];
  if (digest.hash.length !== expected) {
    throw new DigestFormatError(`pbkdf2-${digest.variant} hash must be ${expected} bytes long`);
  }
}

export function encodePbkdf2(digest: Pbkdf2Digest): string {
  const identifier = digest.variant === 'sha1' ? 'pbkdf2' : `pbkdf2-${digest.variant}`;
  return encodePhc(identifier, [String(digest.parameters.iterations)], digest, 'adapted');
}

export function describePbkdf2(digest: Pbkdf2Digest): string {
  return `pbkdf2-${digest.variant} ${digest.parameters.iterations} iterations`;
}

function derivePbkdf2(
  secret: string,
  salt: Buffer,
  iterations: number,
  variant: Pbkdf2Variant,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.pbkdf2(
      Buffer.from(secret, 'utf8'),
      salt,
      iterations,
      DIGEST_BYTES[variant],
      variant,
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function verifyPbkdf2(secret: string, digest: Pbkdf2Digest): Promise<boolean> {
  const derived = await derivePbkdf2(secret, digest.salt, digest.parameters.iterations, digest.variant);
  return crypto.timingSafeEqual(derived, digest.hash);
}

export interface Pbkdf2Settings {
  variant: Pbkdf2Variant;
  iterations: number;
  saltLength: number;
}

export function resolvePbkdf2Options(options: DigestOptions): Pbkdf2Settings {
  assertOnlyOptions(options, ['variant', 'iterations', 'saltLength', 'keyLength'], 'pbkdf2');
  const variant = variantOption(options.variant, PBKDF2_DEFAULTS.variant, VARIANTS, 'pbkdf2');
  if (options.keyLength !== undefined && options.keyLength !== DIGEST_BYTES[variant]) {
    throw new RangeError(
      `pbkdf2-${variant} key length is fixed at ${DIGEST_BYTES[variant]} bytes (the hash's output size)`,
    );
  }
  return {
    variant,
    iterations: integerOption(
      options.iterations,
      PBKDF2_DEFAULT_ITERATIONS[variant],
      ITERATIONS,
      'pbkdf2 iterations',
    ),
    saltLength: integerOption(
      options.saltLength,
      PBKDF2_DEFAULTS.saltLength,
      SALT_BYTES,
      'pbkdf2 salt length',
    ),
  };
}

export async function hashPbkdf2(secret: string, options: DigestOptions): Promise<string> {
  const { variant, iterations, saltLength } = resolvePbkdf2Options(options);
  const salt = crypto.randomBytes(saltLength);
  const hash = await derivePbkdf2(secret, salt, iterations, variant);
  return encodePbkdf2({ algorithm: 'pbkdf2', variant, parameters: { iterations }, salt, hash });
}
