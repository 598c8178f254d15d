import * as crypto from 'node:crypto';
import type * as NodeRsArgon2 from '@node-rs/argon2';
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

export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

export interface Argon2Digest {
  readonly algorithm: 'argon2';
  readonly variant: Argon2Variant;
  readonly parameters: {
    /** Always 19 (0x13): the only version Node's argon2 and Authelia produce. */
    readonly version: 19;
    /** Memory in KiB (`m`). */
    readonly memory: number;
    /** Passes over memory (`t`). */
    readonly iterations: number;
    /** Lanes (`p`). */
    readonly parallelism: number;
  };
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// OWASP's current recommendation for argon2id (Password Storage Cheat Sheet): 19 MiB, two passes,
// one lane. Authelia's heavier defaults (m=65536, t=3, p=4) remain one flag away and verify as usual.
export const ARGON2_DEFAULTS = {
  variant: 'argon2id',
  iterations: 2,
  memory: 19456,
  parallelism: 1,
  keyLength: 32,
  saltLength: 16,
} as const;

// Bounds keep a corrupt or hostile digest from costing more than about 2 GiB and a few seconds per
// verification; 2 GiB is RFC 9106's first profile, which Authelia lists as recommended.
const MEMORY_KIB = { min: 8, max: 2 * 1024 * 1024 };
const ITERATIONS = { min: 1, max: 32 };
const PARALLELISM = { min: 1, max: 255 };
const SALT_BYTES = { min: 8, max: 1024 };
// Less than 16 bytes of output would make a lucky match far more likely than the salt/cost imply.
const HASH_BYTES = { min: 16, max: 1024 };

const VARIANT_ALIASES: Readonly<Record<string, Argon2Variant>> = {
  argon2id: 'argon2id',
  argon2i: 'argon2i',
  argon2d: 'argon2d',
  id: 'argon2id',
  i: 'argon2i',
  d: 'argon2d',
};

export function isArgon2Identifier(identifier: string): identifier is Argon2Variant {
  return identifier === 'argon2id' || identifier === 'argon2i' || identifier === 'argon2d';
}

/** Parses `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>` (PHC string format, unpadded base64). */
export function parseArgon2(digest: string): Argon2Digest {
  const segments = digest.split('$');
  const [, identifier = '', versionText = '', parameterText = '', saltText = '', hashText = ''] = segments;
  if (!isArgon2Identifier(identifier)) {
    throw new DigestFormatError('argon2 digest must start with $argon2id$, $argon2i$ or $argon2d$');
  }
  if (segments.length !== 6) {
    throw new DigestFormatError(
      `argon2 digest must look like $${identifier}$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`,
    );
  }
  if (versionText !== 'v=19') {
    throw new DigestFormatError('argon2 digest must declare version v=19 (the only supported version)');
  }
  const parameters = parseParameterList(parameterText, ['m', 't', 'p'], 'argon2');
  const parsed: Argon2Digest = {
    algorithm: 'argon2',
    variant: identifier,
    parameters: {
      version: 19,
      memory: parseBoundedInteger(requireParameter(parameters, 'm'), MEMORY_KIB, 'argon2 memory (m, KiB)'),
      iterations: parseBoundedInteger(requireParameter(parameters, 't'), ITERATIONS, 'argon2 iterations (t)'),
      parallelism: parseBoundedInteger(
        requireParameter(parameters, 'p'),
        PARALLELISM,
        'argon2 parallelism (p)',
      ),
    },
    salt: decodeUnpaddedBase64(saltText, 'standard', 'argon2 salt'),
    hash: decodeUnpaddedBase64(hashText, 'standard', 'argon2 hash'),
  };
  assertArgon2Digest(parsed);
  return parsed;
}

/** Re-checks every bound, so that a hand-built ParsedDigest gets the same protection as a parsed one. */
export function assertArgon2Digest(digest: Argon2Digest): void {
  if (!isArgon2Identifier(digest.variant)) {
    throw new DigestFormatError('argon2 variant must be argon2id, argon2i or argon2d');
  }
  if (digest.parameters.version !== 19) {
    throw new DigestFormatError('argon2 version must be 19');
  }
  const { memory, iterations, parallelism } = digest.parameters;
  assertInBounds(memory, MEMORY_KIB, 'argon2 memory (m, KiB)');
  assertInBounds(iterations, ITERATIONS, 'argon2 iterations (t)');
  assertInBounds(parallelism, PARALLELISM, 'argon2 parallelism (p)');
  // Argon2 needs at least 8 KiB blocks per lane (RFC 9106 §3.1).
  if (memory < 8 * parallelism) {
    throw new DigestFormatError('argon2 memory (m) must be at least 8 KiB per lane (m >= 8 * p)');
  }
  assertLengthInBounds(digest.salt, SALT_BYTES, 'argon2 salt');
  assertLengthInBounds(digest.hash, HASH_BYTES, 'argon2 hash');
}

export function encodeArgon2(digest: Argon2Digest): string {
  const { memory, iterations, parallelism } = digest.parameters;
  return encodePhc(
    digest.variant,
    ['v=19', `m=${memory},t=${iterations},p=${parallelism}`],
    digest,
    'standard',
  );
}

export function describeArgon2(digest: Argon2Digest): string {
  const { memory, iterations, parallelism } = digest.parameters;
  return `${digest.variant} m=${memory} t=${iterations} p=${parallelism}`;
}

export interface Argon2KeyInput {
  variant: Argon2Variant;
  secret: Buffer;
  salt: Buffer;
  memory: number;
  iterations: number;
  parallelism: number;
  keyLength: number;
}

export type Argon2Backend = 'node' | 'node-rs';

/** Node ≥ 24.7 ships argon2 (OpenSSL 3.2+); older runtimes need the optional native package. */
export function nodeHasArgon2(): boolean {
  return typeof (crypto as Partial<typeof crypto>).argon2 === 'function';
}

/** Derives the raw argon2 output. `backend` exists so tests can check both implementations agree. */
export async function deriveArgon2Key(
  input: Argon2KeyInput,
  backend: Argon2Backend = nodeHasArgon2() ? 'node' : 'node-rs',
): Promise<Buffer> {
  if (backend === 'node') {
    return new Promise((resolve, reject) => {
      crypto.argon2(
        input.variant,
        {
          message: input.secret,
          nonce: input.salt,
          memory: input.memory,
          passes: input.iterations,
          parallelism: input.parallelism,
          tagLength: input.keyLength,
        },
        (error, key) => (error ? reject(error) : resolve(key)),
      );
    });
  }
  const nodeRs = await loadNodeRsArgon2();
  return nodeRs.hashRaw(input.secret, {
    // Numeric values of @node-rs/argon2's const enums (Argon2d = 0, Argon2i = 1, Argon2id = 2; V0x13 = 1),
    // which cannot be referenced directly under isolated modules.
    algorithm: input.variant === 'argon2d' ? 0 : input.variant === 'argon2i' ? 1 : 2,
    version: 1,
    memoryCost: input.memory,
    timeCost: input.iterations,
    parallelism: input.parallelism,
    outputLen: input.keyLength,
    salt: input.salt,
  });
}

export async function loadNodeRsArgon2(): Promise<typeof NodeRsArgon2> {
  try {
    return await import('@node-rs/argon2');
  } catch (cause) {
    throw new Error(
      'argon2 needs Node.js 24.7 or later (crypto.argon2) or the optional @node-rs/argon2 package',
      { cause },
    );
  }
}

export async function verifyArgon2(secret: string, digest: Argon2Digest): Promise<boolean> {
  const derived = await deriveArgon2Key({
    variant: digest.variant,
    secret: Buffer.from(secret, 'utf8'),
    salt: digest.salt,
    ...digest.parameters,
    keyLength: digest.hash.length,
  });
  return crypto.timingSafeEqual(derived, digest.hash);
}

export interface Argon2Settings {
  variant: Argon2Variant;
  memory: number;
  iterations: number;
  parallelism: number;
  keyLength: number;
  saltLength: number;
}

export function resolveArgon2Options(options: DigestOptions): Argon2Settings {
  assertOnlyOptions(
    options,
    ['variant', 'iterations', 'memory', 'parallelism', 'keyLength', 'saltLength'],
    'argon2',
  );
  const parallelism = integerOption(
    options.parallelism,
    ARGON2_DEFAULTS.parallelism,
    PARALLELISM,
    'argon2 parallelism',
  );
  const memory = integerOption(options.memory, ARGON2_DEFAULTS.memory, MEMORY_KIB, 'argon2 memory (KiB)');
  if (memory < 8 * parallelism) {
    throw new RangeError('argon2 memory must be at least 8 KiB per lane (memory >= 8 * parallelism)');
  }
  return {
    variant: variantOption(options.variant, ARGON2_DEFAULTS.variant, VARIANT_ALIASES, 'argon2'),
    memory,
    iterations: integerOption(
      options.iterations,
      ARGON2_DEFAULTS.iterations,
      ITERATIONS,
      'argon2 iterations',
    ),
    parallelism,
    keyLength: integerOption(options.keyLength, ARGON2_DEFAULTS.keyLength, HASH_BYTES, 'argon2 key length'),
    saltLength: integerOption(
      options.saltLength,
      ARGON2_DEFAULTS.saltLength,
      SALT_BYTES,
      'argon2 salt length',
    ),
  };
}

export async function hashArgon2(secret: string, options: DigestOptions): Promise<string> {
  const { variant, memory, iterations, parallelism, keyLength, saltLength } = resolveArgon2Options(options);
  const salt = crypto.randomBytes(saltLength);
  const hash = await deriveArgon2Key({
    variant,
    secret: Buffer.from(secret, 'utf8'),
    salt,
    memory,
    iterations,
    parallelism,
    keyLength,
  });
  return encodeArgon2({
    algorithm: 'argon2',
    variant,
    parameters: { version: 19, memory, iterations, parallelism },
    salt,
    hash,
  });
}
