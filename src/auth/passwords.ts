import type { Config } from '../config/schema.ts';
import { hashSecret, type DigestAlgorithm, type DigestOptions } from '../crypto/digest.ts';

export type PasswordHashing = Config['authentication_backend']['password_hashing'];

/** The digest algorithm and cost for new passwords, from `authentication_backend.password_hashing`. */
export function hashingParameters(hashing: PasswordHashing): {
  algorithm: DigestAlgorithm;
  options: DigestOptions;
} {
  switch (hashing.algorithm) {
    case 'argon2':
      return {
        algorithm: 'argon2',
        options: {
          variant: hashing.argon2.variant,
          iterations: hashing.argon2.iterations,
          memory: hashing.argon2.memory,
          parallelism: hashing.argon2.parallelism,
          keyLength: hashing.argon2.key_length,
          saltLength: hashing.argon2.salt_length,
        },
      };
    case 'pbkdf2':
      return {
        algorithm: 'pbkdf2',
        options: {
          variant: hashing.pbkdf2.variant,
          iterations: hashing.pbkdf2.iterations,
          saltLength: hashing.pbkdf2.salt_length,
        },
      };
    case 'scrypt':
      return {
        algorithm: 'scrypt',
        options: {
          iterations: hashing.scrypt.iterations,
          blockSize: hashing.scrypt.block_size,
          parallelism: hashing.scrypt.parallelism,
          keyLength: hashing.scrypt.key_length,
          saltLength: hashing.scrypt.salt_length,
        },
      };
    case 'bcrypt':
      return { algorithm: 'bcrypt', options: { cost: hashing.bcrypt.cost } };
    case 'sha2crypt':
      return {
        algorithm: 'sha2crypt',
        options: {
          variant: hashing.sha2crypt.variant,
          rounds: hashing.sha2crypt.iterations,
          saltLength: hashing.sha2crypt.salt_length,
        },
      };
  }
}

export function hashPassword(password: string, hashing: PasswordHashing): Promise<string> {
  const { algorithm, options } = hashingParameters(hashing);
  return hashSecret(password, algorithm, options);
}
