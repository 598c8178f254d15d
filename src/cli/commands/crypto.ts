import type { Command } from 'commander';
import {
  digestCostSummary,
  hashSecret,
  verifySecret,
  type DigestAlgorithm,
  type DigestOptions,
} from '../../crypto/digest.ts';
import { CHARSETS, randomString } from '../../crypto/random.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import type { Output } from '../output.ts';
import { integer, readSecretInput } from './shared.ts';

const ALGORITHMS: DigestAlgorithm[] = ['argon2', 'pbkdf2', 'scrypt', 'bcrypt', 'sha2crypt'];

type HashOptions = Record<string, string | number | boolean | undefined>;

/** The digest options from the command line; `-i` means rounds for sha2crypt, iterations elsewhere. */
function digestOptionsOf(algorithm: string, options: HashOptions): DigestOptions {
  return {
    variant: options.variant as string | undefined,
    iterations: algorithm === 'sha2crypt' ? undefined : (options.iterations as number | undefined),
    rounds: algorithm === 'sha2crypt' ? (options.iterations as number | undefined) : undefined,
    memory: options.memory as number | undefined,
    parallelism: options.parallelism as number | undefined,
    blockSize: options.blockSize as number | undefined,
    cost: options.cost as number | undefined,
    keyLength: options.keySize as number | undefined,
    saltLength: options.saltSize as number | undefined,
  };
}

function registerRand(crypto: Command, output: Output): void {
  crypto
    .command('rand')
    .description('Print a random value, e.g. for a secret or a client id')
    .option('--length <n>', 'number of characters', integer, 72)
    .option('--charset <name>', `one of: ${Object.keys(CHARSETS).join(', ')}`, 'alphanumeric')
    .option('--characters <chars>', 'use exactly these characters instead of a charset')
    .action((options: { length: number; charset: string; characters?: string }) => {
      if (!options.characters && !(options.charset in CHARSETS))
        throw new InvalidInputError(
          `unknown charset '${options.charset}' (allowed: ${Object.keys(CHARSETS).join(', ')})`,
        );
      output.out(`Random Value: ${randomString(options.length, options.characters ?? options.charset)}`);
    });
}

function registerHashGenerate(hash: Command, output: Output): void {
  hash
    .command('generate')
    .description('Hash a password or client secret; prints "Digest: $…"')
    .argument('[algorithm]', `${ALGORITHMS.join(' | ')}`, 'argon2')
    .option('--password <password>', 'the secret to hash (otherwise read from stdin)')
    .option('--random', 'generate a random secret, print it and its digest')
    .option('--random.length <n>', 'length of the random secret', integer, 72)
    .option(
      '-v, --variant <variant>',
      'argon2id|argon2i|argon2d, sha1|sha256|sha384|sha512 (pbkdf2), sha256|sha512 (sha2crypt)',
    )
    .option(
      '-i, --iterations <n>',
      'iterations (argon2 t, pbkdf2 rounds, scrypt log2 N, sha2crypt rounds)',
      integer,
    )
    .option('-m, --memory <kib>', 'argon2 memory in KiB', integer)
    .option('-p, --parallelism <n>', 'argon2 lanes / scrypt p', integer)
    .option('-r, --block-size <n>', 'scrypt block size r', integer)
    .option('-c, --cost <n>', 'bcrypt cost', integer)
    .option('-k, --key-size <bytes>', 'derived key length', integer)
    .option('-s, --salt-size <bytes>', 'salt length', integer)
    .action(async (algorithm: string, options: HashOptions) => {
      if (!ALGORITHMS.includes(algorithm as DigestAlgorithm))
        throw new InvalidInputError(`unknown algorithm '${algorithm}' (allowed: ${ALGORITHMS.join(', ')})`);
      const random = options.random === true;
      const secret = random
        ? randomString(options['random.length'] as number, 'rfc3986')
        : await readSecretInput(options.password as string | undefined, 'password');
      const digest = await hashSecret(
        secret,
        algorithm as DigestAlgorithm,
        digestOptionsOf(algorithm, options),
      );
      if (random) output.out(`Random Password: ${secret}`);
      output.out(`Digest: ${digest}`);
    });
}

function registerHashValidate(hash: Command, output: Output): void {
  hash
    .command('validate')
    .description("Check a secret against a digest: sesame crypto hash validate --password X -- '$digest'")
    .argument('<digest>', 'the digest (quote it: it contains $)')
    .option('--password <password>', 'the secret to check (otherwise read from stdin)')
    .action(async (digest: string, options: { password?: string }) => {
      const secret = await readSecretInput(options.password, 'password');
      if (await verifySecret(secret, digest)) {
        output.out(`The password matches the digest (${digestCostSummary(digest)}).`);
      } else {
        output.err('The password does not match the digest.');
        process.exitCode = 1;
      }
    });
}

export function registerCrypto(program: Command, output: Output): void {
  const crypto = program.command('crypto').description('Generate random values and secret digests');
  registerRand(crypto, output);
  const hash = crypto.command('hash').description('Create and check secret digests (Authelia-compatible)');
  registerHashGenerate(hash, output);
  registerHashValidate(hash, output);
}
