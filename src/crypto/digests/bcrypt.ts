import * as crypto from 'node:crypto';
import { decodeBase64, encodeBase64, hash as bcryptHash } from 'bcryptjs';
import type { DigestOptions } from '../digest.ts';
import { assertInBounds, parseBoundedInteger, parseParameterList, requireParameter } from './encoding.ts';
import { DigestFormatError } from './errors.ts';
import { assertOnlyOptions, integerOption, variantOption } from './options.ts';

export type BcryptVariant = 'standard' | 'sha256';
export type BcryptRevision = '2a' | '2b' | '2y';

export interface BcryptDigest {
  readonly algorithm: 'bcrypt';
  /** `sha256` is passlib's bcrypt_sha256 v2 (`$bcrypt-sha256$`), which Authelia also accepts. */
  readonly variant: BcryptVariant;
  readonly parameters: {
    readonly revision: BcryptRevision;
    /** log2 of the number of key expansion rounds. */
    readonly cost: number;
  };
  /** The 16 salt bytes (decoded from bcrypt's own base64 alphabet). */
  readonly salt: Buffer;
  /** The 23 hash bytes bcrypt keeps. */
  readonly hash: Buffer;
}

export const BCRYPT_DEFAULTS = { variant: 'standard', cost: 12 } as const;

// bcrypt only ever reads this many bytes of the secret; the rest is silently ignored.
export const BCRYPT_MAX_SECRET_BYTES = 72;

// bcryptjs runs in JavaScript: cost 12 is a few hundred milliseconds, and each step doubles it, so
// anything above 16 (about a minute of CPU) is refused rather than computed.
const COST = { min: 4, max: 16 };
const REVISIONS: readonly string[] = ['2a', '2b', '2y'];
const SALT_BYTES = 16;
const HASH_BYTES = 23;
const SALT_CHARS = 22;
const HASH_CHARS = 31;
const BCRYPT_ALPHABET = /^[./A-Za-z0-9]+$/;

export function isBcryptIdentifier(identifier: string): boolean {
  return identifier === 'bcrypt-sha256' || /^2[abxy]?$/.test(identifier);
}

function decodeBcryptBase64(text: string, chars: number, bytes: number, what: string): Buffer {
  if (text.length !== chars || !BCRYPT_ALPHABET.test(text)) {
    throw new DigestFormatError(
      `${what} must be ${chars} characters of bcrypt's base64 alphabet (./A-Za-z0-9)`,
    );
  }
  return Buffer.from(decodeBase64(text, bytes));
}

/** Parses `$2b$12$<22 salt chars><31 hash chars>` (also $2a$/$2y$) and `$bcrypt-sha256$v=2,t=2b,r=12$<salt>$<hash>`. */
export function parseBcrypt(digest: string): BcryptDigest {
  const segments = digest.split('$');
  const identifier = segments[1] ?? '';
  if (identifier === 'bcrypt-sha256') return parseBcryptSha256(segments);
  if (!REVISIONS.includes(identifier)) {
    throw new DigestFormatError(
      'bcrypt digest must start with $2a$, $2b$ or $2y$ ($2$ and $2x$ come from buggy implementations and are not supported)',
    );
  }
  const [, , costText = '', payload = ''] = segments;
  if (segments.length !== 4 || payload.length !== SALT_CHARS + HASH_CHARS) {
    throw new DigestFormatError(
      `bcrypt digest must look like $${identifier}$<two-digit cost>$<53 characters>`,
    );
  }
  if (!/^[0-9]{2}$/.test(costText)) {
    throw new DigestFormatError(`bcrypt cost must be two digits from ${pad(COST.min)} to ${COST.max}`);
  }
  const parsed: BcryptDigest = {
    algorithm: 'bcrypt',
    variant: 'standard',
    parameters: {
      revision: identifier as BcryptRevision,
      cost: parseBoundedInteger(costText, COST, 'bcrypt cost'),
    },
    salt: decodeBcryptBase64(payload.slice(0, SALT_CHARS), SALT_CHARS, SALT_BYTES, 'bcrypt salt'),
    hash: decodeBcryptBase64(payload.slice(SALT_CHARS), HASH_CHARS, HASH_BYTES, 'bcrypt hash'),
  };
  assertBcryptDigest(parsed);
  return parsed;
}

function parseBcryptSha256(segments: string[]): BcryptDigest {
  const [, , parameterText = '', saltText = '', hashText = ''] = segments;
  if (segments.length !== 5 || !parameterText.startsWith('v=')) {
    throw new DigestFormatError(
      'bcrypt-sha256 digest must look like $bcrypt-sha256$v=2,t=2b,r=<cost>$<salt>$<hash> (the older passlib v1 format is not supported)',
    );
  }
  const parameters = parseParameterList(parameterText, ['v', 't', 'r'], 'bcrypt-sha256');
  if (requireParameter(parameters, 'v') !== '2') {
    throw new DigestFormatError('bcrypt-sha256 digest must be version v=2');
  }
  const revision = requireParameter(parameters, 't');
  if (!REVISIONS.includes(revision)) {
    throw new DigestFormatError('bcrypt-sha256 type (t) must be 2a, 2b or 2y');
  }
  const parsed: BcryptDigest = {
    algorithm: 'bcrypt',
    variant: 'sha256',
    parameters: {
      revision: revision as BcryptRevision,
      cost: parseBoundedInteger(requireParameter(parameters, 'r'), COST, 'bcrypt-sha256 cost (r)'),
    },
    salt: decodeBcryptBase64(saltText, SALT_CHARS, SALT_BYTES, 'bcrypt-sha256 salt'),
    hash: decodeBcryptBase64(hashText, HASH_CHARS, HASH_BYTES, 'bcrypt-sha256 hash'),
  };
  assertBcryptDigest(parsed);
  return parsed;
}

export function assertBcryptDigest(digest: BcryptDigest): void {
  if (digest.variant !== 'standard' && digest.variant !== 'sha256') {
    throw new DigestFormatError('bcrypt variant must be standard or sha256');
  }
  if (!REVISIONS.includes(digest.parameters.revision)) {
    throw new DigestFormatError('bcrypt revision must be 2a, 2b or 2y');
  }
  assertInBounds(digest.parameters.cost, COST, 'bcrypt cost');
  if (digest.salt.length !== SALT_BYTES || digest.hash.length !== HASH_BYTES) {
    throw new DigestFormatError(`bcrypt salt must be ${SALT_BYTES} bytes and hash ${HASH_BYTES} bytes`);
  }
}

function pad(cost: number): string {
  return String(cost).padStart(2, '0');
}

export function encodeBcrypt(digest: BcryptDigest): string {
  const { revision, cost } = digest.parameters;
  const salt = encodeBase64(digest.salt, SALT_BYTES);
  const hash = encodeBase64(digest.hash, HASH_BYTES);
  if (digest.variant === 'sha256') return `$bcrypt-sha256$v=2,t=${revision},r=${cost}$${salt}$${hash}`;
  return `$${revision}$${pad(cost)}$${salt}${hash}`;
}

export function describeBcrypt(digest: BcryptDigest): string {
  const name = digest.variant === 'sha256' ? 'bcrypt-sha256' : 'bcrypt';
  return `${name} cost=${digest.parameters.cost}`;
}

/**
 * bcrypt_sha256 v2 feeds bcrypt base64(HMAC-SHA256(key = the encoded salt, message = secret)), which
 * lifts the 72-byte limit while keeping the input free of NUL bytes.
 */
function bcryptInput(secret: string, variant: BcryptVariant, encodedSalt: string): string {
  if (variant === 'standard') return secret;
  return crypto.createHmac('sha256', encodedSalt).update(secret, 'utf8').digest('base64');
}

async function deriveBcrypt(
  secret: string,
  variant: BcryptVariant,
  cost: number,
  salt: Buffer,
): Promise<Buffer> {
  const encodedSalt = encodeBase64(salt, SALT_BYTES);
  // bcryptjs treats 2a, 2b and 2y alike, so the revision does not change the result.
  const full = await bcryptHash(bcryptInput(secret, variant, encodedSalt), `$2b$${pad(cost)}$${encodedSalt}`);
  return decodeBcryptBase64(full.slice(-HASH_CHARS), HASH_CHARS, HASH_BYTES, 'bcrypt output');
}

export async function verifyBcrypt(secret: string, digest: BcryptDigest): Promise<boolean> {
  const derived = await deriveBcrypt(secret, digest.variant, digest.parameters.cost, digest.salt);
  return crypto.timingSafeEqual(derived, digest.hash);
}

export interface BcryptSettings {
  variant: BcryptVariant;
  cost: number;
}

export function resolveBcryptOptions(options: DigestOptions): BcryptSettings {
  assertOnlyOptions(options, ['variant', 'cost'], 'bcrypt');
  return {
    variant: variantOption(
      options.variant,
      BCRYPT_DEFAULTS.variant,
      { standard: 'standard', sha256: 'sha256' },
      'bcrypt',
    ),
    cost: integerOption(options.cost, BCRYPT_DEFAULTS.cost, COST, 'bcrypt cost'),
  };
}

export async function hashBcrypt(secret: string, options: DigestOptions): Promise<string> {
  const { variant, cost } = resolveBcryptOptions(options);
  // Refuse rather than silently store a digest that ignores the end of the secret.
  if (variant === 'standard' && Buffer.byteLength(secret, 'utf8') > BCRYPT_MAX_SECRET_BYTES) {
    throw new RangeError(
      `bcrypt only uses the first ${BCRYPT_MAX_SECRET_BYTES} bytes of a secret; use argon2 or the bcrypt sha256 variant for longer secrets`,
    );
  }
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await deriveBcrypt(secret, variant, cost, salt);
  return encodeBcrypt({ algorithm: 'bcrypt', variant, parameters: { revision: '2b', cost }, salt, hash });
}
