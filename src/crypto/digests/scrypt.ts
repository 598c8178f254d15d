import * as crypto from 'node:crypto';
import type { DigestOptions } from '../digest.ts';
import {
  assertInBounds,
  assertLengthInBounds,
  decodeUnpaddedBase64,
  encodePhc,
  parseBoundedInteger,
  parseParameterList,
  requireParameter,
} from './encoding.ts';
import { DigestFormatError } from './errors.ts';
import { assertOnlyOptions, integerOption, variantOption } from './options.ts';

export interface ScryptDigest {
  readonly algorithm: 'scrypt';
  readonly variant: 'scrypt';
  readonly parameters: {
    /** log2 of the CPU/memory cost N (`ln`). */
    readonly logN: number;
    /** Block size r. */
    readonly blockSize: number;
    /** Parallelism p. */
    readonly parallelism: number;
  };
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// Authelia's defaults (passlib's too): N = 2^16, r = 8, p = 1, 32-byte key, 16-byte salt.
export const SCRYPT_DEFAULTS = {
  logN: 16,
  blockSize: 8,
  parallelism: 1,
  keyLength: 32,
  saltLength: 16,
} as const;

const LOG_N = { min: 1, max: 20 };
const BLOCK_SIZE = { min: 1, max: 32 };
const PARALLELISM = { min: 1, max: 16 };
const SALT_BYTES = { min: 8, max: 1024 };
const HASH_BYTES = { min: 16, max: 1024 };
// scrypt's big table is 128 * N * r bytes; cap it so one verification never needs more than 1 GiB.
const MAX_TABLE_BYTES = 1024 * 1024 * 1024;

/** Memory OpenSSL asks for: the 128·N·r table plus the 128·r·p working blocks, with some slack. */
function scryptMemoryBytes(logN: number, blockSize: number, parallelism: number): number {
  return 128 * blockSize * (2 ** logN + 2 + parallelism) + 1024 * 1024;
}

/** Parses `$scrypt$ln=16,r=8,p=1$<salt>$<hash>` (passlib and Authelia; standard base64, no padding). */
export function parseScrypt(digest: string): ScryptDigest {
  const segments = digest.split('$');
  const [, identifier = '', parameterText = '', saltText = '', hashText = ''] = segments;
  if (identifier !== 'scrypt' || segments.length !== 5) {
    throw new DigestFormatError(
      'scrypt digest must look like $scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<hash>',
    );
  }
  const parameters = parseParameterList(parameterText, ['ln', 'r', 'p'], 'scrypt');
  const parsed: ScryptDigest = {
    algorithm: 'scrypt',
    variant: 'scrypt',
    parameters: {
      logN: parseBoundedInteger(requireParameter(parameters, 'ln'), LOG_N, 'scrypt ln (log2 N)'),
      blockSize: parseBoundedInteger(requireParameter(parameters, 'r'), BLOCK_SIZE, 'scrypt block size (r)'),
      parallelism: parseBoundedInteger(
        requireParameter(parameters, 'p'),
        PARALLELISM,
        'scrypt parallelism (p)',
      ),
    },
    salt: decodeUnpaddedBase64(saltText, 'standard', 'scrypt salt'),
    hash: decodeUnpaddedBase64(hashText, 'standard', 'scrypt hash'),
  };
  assertScryptDigest(parsed);
  return parsed;
}

export function assertScryptDigest(digest: ScryptDigest): void {
  if (digest.variant !== 'scrypt') {
    throw new DigestFormatError('scrypt variant must be scrypt (yescrypt is not supported)');
  }
  const { logN, blockSize, parallelism } = digest.parameters;
  assertInBounds(logN, LOG_N, 'scrypt ln (log2 N)');
  assertInBounds(blockSize, BLOCK_SIZE, 'scrypt block size (r)');
  assertInBounds(parallelism, PARALLELISM, 'scrypt parallelism (p)');
  assertTableSize(logN, blockSize, (message) => new DigestFormatError(message));
  assertLengthInBounds(digest.salt, SALT_BYTES, 'scrypt salt');
  assertLengthInBounds(digest.hash, HASH_BYTES, 'scrypt hash');
}

function assertTableSize(logN: number, blockSize: number, makeError: (message: string) => Error): void {
  if (128 * 2 ** logN * blockSize > MAX_TABLE_BYTES) {
    throw makeError('scrypt memory (128 * 2^ln * r bytes) must not exceed 1 GiB');
  }
}

export function encodeScrypt(digest: ScryptDigest): string {
  const { logN, blockSize, parallelism } = digest.parameters;
  return encodePhc('scrypt', [`ln=${logN},r=${blockSize},p=${parallelism}`], digest, 'standard');
}

export function describeScrypt(digest: ScryptDigest): string {
  const { logN, blockSize, parallelism } = digest.parameters;
  return `scrypt ln=${logN} r=${blockSize} p=${parallelism}`;
}

function deriveScrypt(
  secret: string,
  salt: Buffer,
  logN: number,
  blockSize: number,
  parallelism: number,
  keyLength: number,
): Promise<Buffer> {
  const options: crypto.ScryptOptions = {
    N: 2 ** logN,
    r: blockSize,
    p: parallelism,
    // Node's default limit is 32 MiB, which is below what the default parameters need (64 MiB).
    maxmem: scryptMemoryBytes(logN, blockSize, parallelism),
  };
  return new Promise((resolve, reject) => {
    crypto.scrypt(Buffer.from(secret, 'utf8'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function verifyScrypt(secret: string, digest: ScryptDigest): Promise<boolean> {
  const { logN, blockSize, parallelism } = digest.parameters;
  const derived = await deriveScrypt(secret, digest.salt, logN, blockSize, parallelism, digest.hash.length);
  return crypto.timingSafeEqual(derived, digest.hash);
}

export interface ScryptSettings {
  logN: number;
  blockSize: number;
  parallelism: number;
  keyLength: number;
  saltLength: number;
}

/** `iterations` is ln (log2 N), as in Authelia's `crypto hash generate scrypt --iterations`. */
export function resolveScryptOptions(options: DigestOptions): ScryptSettings {
  assertOnlyOptions(
    options,
    ['variant', 'iterations', 'blockSize', 'parallelism', 'keyLength', 'saltLength'],
    'scrypt',
  );
  variantOption(options.variant, 'scrypt', { scrypt: 'scrypt' }, 'scrypt');
  const logN = integerOption(
    options.iterations,
    SCRYPT_DEFAULTS.logN,
    LOG_N,
    'scrypt iterations (ln, log2 N)',
  );
  const blockSize = integerOption(
    options.blockSize,
    SCRYPT_DEFAULTS.blockSize,
    BLOCK_SIZE,
    'scrypt block size (r)',
  );
  assertTableSize(logN, blockSize, (message) => new RangeError(message));
  return {
    logN,
    blockSize,
    parallelism: integerOption(
      options.parallelism,
      SCRYPT_DEFAULTS.parallelism,
      PARALLELISM,
      'scrypt parallelism',
    ),
    keyLength: integerOption(options.keyLength, SCRYPT_DEFAULTS.keyLength, HASH_BYTES, 'scrypt key length'),
    saltLength: integerOption(
      options.saltLength,
      SCRYPT_DEFAULTS.saltLength,
      SALT_BYTES,
      'scrypt salt length',
    ),
  };
}

export async function hashScrypt(secret: string, options: DigestOptions): Promise<string> {
  const { logN, blockSize, parallelism, keyLength, saltLength } = resolveScryptOptions(options);
  const salt = crypto.randomBytes(saltLength);
  const hash = await deriveScrypt(secret, salt, logN, blockSize, parallelism, keyLength);
  return encodeScrypt({
    algorithm: 'scrypt',
    variant: 'scrypt',
    parameters: { logN, blockSize, parallelism },
    salt,
    hash,
  });
}
