/**
 * Password and client-secret digests in the formats Authelia writes and reads, so that users files
 * and client secrets can move between Authelia and Sesame unchanged.
 */
import {
  assertArgon2Digest,
  describeArgon2,
  encodeArgon2,
  hashArgon2,
  isArgon2Identifier,
  parseArgon2,
  verifyArgon2,
} from './digests/argon2.ts';
import type { Argon2Digest } from './digests/argon2.ts';
import {
  assertBcryptDigest,
  describeBcrypt,
  encodeBcrypt,
  hashBcrypt,
  isBcryptIdentifier,
  parseBcrypt,
  verifyBcrypt,
} from './digests/bcrypt.ts';
import type { BcryptDigest } from './digests/bcrypt.ts';
import { DigestFormatError } from './digests/errors.ts';
import {
  assertPbkdf2Digest,
  describePbkdf2,
  encodePbkdf2,
  hashPbkdf2,
  isPbkdf2Identifier,
  parsePbkdf2,
  verifyPbkdf2,
} from './digests/pbkdf2.ts';
import type { Pbkdf2Digest } from './digests/pbkdf2.ts';
import {
  assertPlaintextDigest,
  describePlaintext,
  encodePlaintext,
  hashPlaintext,
  isPlaintextIdentifier,
  parsePlaintext,
  verifyPlaintext,
} from './digests/plaintext.ts';
import type { PlaintextDigest } from './digests/plaintext.ts';
import {
  assertScryptDigest,
  describeScrypt,
  encodeScrypt,
  hashScrypt,
  parseScrypt,
  verifyScrypt,
} from './digests/scrypt.ts';
import type { ScryptDigest } from './digests/scrypt.ts';
import {
  assertSha2cryptDigest,
  describeSha2crypt,
  encodeSha2crypt,
  hashSha2crypt,
  isSha2cryptIdentifier,
  parseSha2crypt,
  verifySha2crypt,
} from './digests/sha2crypt.ts';
import type { Sha2cryptDigest } from './digests/sha2crypt.ts';

export { DigestFormatError };
export type { Argon2Digest, BcryptDigest, Pbkdf2Digest, PlaintextDigest, ScryptDigest, Sha2cryptDigest };

export type DigestAlgorithm = 'argon2' | 'pbkdf2' | 'scrypt' | 'bcrypt' | 'sha2crypt' | 'plaintext';

/**
 * Parameters for hashSecret. Each algorithm accepts only the options that mean something to it and
 * rejects the rest with a RangeError; anything left out takes Authelia's default.
 */
export interface DigestOptions {
  /**
   * argon2: argon2id | argon2i | argon2d (or id | i | d); pbkdf2: sha1 | sha224 | sha256 | sha384 | sha512;
   * scrypt: scrypt; bcrypt: standard | sha256; sha2crypt: sha256 | sha512; plaintext: plaintext | base64.
   */
  variant?: string;
  /** argon2: passes (t); pbkdf2: iterations; scrypt: ln = log2 N (as Authelia's CLI); sha2crypt: rounds. */
  iterations?: number;
  /** argon2 memory in KiB (m). */
  memory?: number;
  /** argon2 lanes (p) or scrypt p. */
  parallelism?: number;
  /** Derived key length in bytes (argon2, scrypt; pbkdf2's is fixed to the hash size). */
  keyLength?: number;
  /** Salt length in bytes (characters for sha2crypt). */
  saltLength?: number;
  /** bcrypt cost (log2 of rounds). */
  cost?: number;
  /** sha2crypt rounds. */
  rounds?: number;
  /** scrypt block size r. */
  blockSize?: number;
}

/**
 * A digest taken apart: algorithm, variant, parameters, and the salt and hash bytes (or, for plaintext,
 * the value). Narrow on `algorithm`.
 */
export type ParsedDigest =
  Argon2Digest | Pbkdf2Digest | ScryptDigest | BcryptDigest | Sha2cryptDigest | PlaintextDigest;

const KNOWN_PREFIXES =
  '$argon2id$, $argon2i$, $argon2d$, $pbkdf2$, $pbkdf2-sha224$, $pbkdf2-sha256$, $pbkdf2-sha384$, $pbkdf2-sha512$, ' +
  '$scrypt$, $2a$, $2b$, $2y$, $bcrypt-sha256$, $5$, $6$, $plaintext$ or $base64$';

/**
 * Takes a digest apart and checks every parameter against safe bounds, so that a corrupt or hostile
 * digest cannot make verification allocate gigabytes or run for minutes. A value that does not start
 * with `$` is a plaintext secret, as Authelia treats client secrets.
 * @throws DigestFormatError when the digest is malformed or out of bounds.
 */
export function parseDigest(digest: string): ParsedDigest {
  if (typeof digest !== 'string' || digest.length === 0) {
    throw new DigestFormatError('digest must be a non-empty string');
  }
  if (!digest.startsWith('$')) return parsePlaintext(digest);
  const identifier = digest.slice(1).split('$', 1)[0] ?? '';
  if (isArgon2Identifier(identifier)) return parseArgon2(digest);
  if (isPbkdf2Identifier(identifier)) return parsePbkdf2(digest);
  if (identifier === 'scrypt') return parseScrypt(digest);
  if (isBcryptIdentifier(identifier)) return parseBcrypt(digest);
  if (isSha2cryptIdentifier(identifier)) return parseSha2crypt(digest);
  if (isPlaintextIdentifier(identifier)) return parsePlaintext(digest);
  // The identifier is deliberately not echoed: a secret that happens to start with '$' ends up here.
  throw new DigestFormatError(
    `unrecognised digest format; a digest starts with ${KNOWN_PREFIXES} (a value without a leading $ is a plaintext secret)`,
  );
}

export function isValidDigest(digest: string): { ok: true } | { ok: false; reason: string } {
  try {
    parseDigest(digest);
    return { ok: true };
  } catch (error) {
    if (error instanceof DigestFormatError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Applies the parse-time bounds to a ParsedDigest that may have been built or altered by hand. */
function checkParsedDigest(digest: ParsedDigest): ParsedDigest {
  switch (digest.algorithm) {
    case 'argon2':
      assertArgon2Digest(digest);
      return digest;
    case 'pbkdf2':
      assertPbkdf2Digest(digest);
      return digest;
    case 'scrypt':
      assertScryptDigest(digest);
      return digest;
    case 'bcrypt':
      assertBcryptDigest(digest);
      return digest;
    case 'sha2crypt':
      assertSha2cryptDigest(digest);
      return digest;
    case 'plaintext':
      return assertPlaintextDigest(digest);
    default:
      throw new DigestFormatError('parsed digest has an unknown algorithm');
  }
}

/**
 * Creates a digest of `secret`; by default argon2id with OWASP's parameters (m=19456 KiB, t=2, p=1),
 * a 32-byte key and a 16-byte salt.
 * @throws RangeError for options that are unknown to the algorithm or out of range.
 */
export async function hashSecret(
  secret: string,
  algorithm: DigestAlgorithm = 'argon2',
  options: DigestOptions = {},
): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('secret must be a non-empty string');
  }
  switch (algorithm) {
    case 'argon2':
      return hashArgon2(secret, options);
    case 'pbkdf2':
      return hashPbkdf2(secret, options);
    case 'scrypt':
      return hashScrypt(secret, options);
    case 'bcrypt':
      return hashBcrypt(secret, options);
    case 'sha2crypt':
      return hashSha2crypt(secret, options);
    case 'plaintext':
      return hashPlaintext(secret, options);
    default:
      throw new RangeError('algorithm must be one of argon2, pbkdf2, scrypt, bcrypt, sha2crypt, plaintext');
  }
}

/**
 * Checks `secret` against a digest, comparing derived bytes in constant time. Resolves to false for a
 * wrong secret; rejects with DigestFormatError only when the digest itself is unusable.
 */
export async function verifySecret(secret: string, digest: string | ParsedDigest): Promise<boolean> {
  if (typeof secret !== 'string') throw new TypeError('secret must be a string');
  const parsed = typeof digest === 'string' ? parseDigest(digest) : checkParsedDigest(digest);
  switch (parsed.algorithm) {
    case 'argon2':
      return verifyArgon2(secret, parsed);
    case 'pbkdf2':
      return verifyPbkdf2(secret, parsed);
    case 'scrypt':
      return verifyScrypt(secret, parsed);
    case 'bcrypt':
      return verifyBcrypt(secret, parsed);
    case 'sha2crypt':
      return verifySha2crypt(secret, parsed);
    case 'plaintext':
      return verifyPlaintext(secret, parsed);
  }
}

/** Writes a ParsedDigest back out in its canonical form (sha2crypt always spells out rounds=). */
export function encodeDigest(digest: ParsedDigest): string {
  const checked = checkParsedDigest(digest);
  switch (checked.algorithm) {
    case 'argon2':
      return encodeArgon2(checked);
    case 'pbkdf2':
      return encodePbkdf2(checked);
    case 'scrypt':
      return encodeScrypt(checked);
    case 'bcrypt':
      return encodeBcrypt(checked);
    case 'sha2crypt':
      return encodeSha2crypt(checked);
    case 'plaintext':
      return encodePlaintext(checked);
  }
}

/**
 * A one-line description of a digest's algorithm and cost for logs and the CLI, e.g.
 * "argon2id m=65536 t=3 p=4" or "pbkdf2-sha512 310000 iterations". Never includes salt or hash.
 * @throws DigestFormatError when the digest is malformed.
 */
export function digestCostSummary(digest: string): string {
  const parsed = parseDigest(digest);
  switch (parsed.algorithm) {
    case 'argon2':
      return describeArgon2(parsed);
    case 'pbkdf2':
      return describePbkdf2(parsed);
    case 'scrypt':
      return describeScrypt(parsed);
    case 'bcrypt':
      return describeBcrypt(parsed);
    case 'sha2crypt':
      return describeSha2crypt(parsed);
    case 'plaintext':
      return describePlaintext(parsed);
  }
}
