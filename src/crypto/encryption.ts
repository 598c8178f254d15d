import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Thrown by `open` when a sealed value cannot be decrypted. Never includes the value or the key. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export interface Sealer {
  /** Encrypts `plaintext`; `associatedData` (e.g. the row's id and column) is bound but not stored. */
  seal(plaintext: string, associatedData?: string): string;
  /** Decrypts a value from `seal`; the same `associatedData` must be given. */
  open(sealed: string, associatedData?: string): string;
}

// Authelia's rule for storage.encryption_key.
export const MIN_ENCRYPTION_KEY_LENGTH = 20;

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * At-rest encryption for sensitive columns: AES-256-GCM under SHA-256(encryption key), as Authelia
 * derives its storage key, with a random 96-bit nonce per value. Output is one self-describing string,
 * `v1.<base64url nonce>.<base64url ciphertext+tag>`, so the format can change later without guessing.
 */
export function createSealer(encryptionKey: string): Sealer {
  if (typeof encryptionKey !== 'string' || [...encryptionKey].length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new RangeError(
      `storage.encryption_key must be a string of at least ${MIN_ENCRYPTION_KEY_LENGTH} characters`,
    );
  }
  const key = createHash('sha256').update(encryptionKey, 'utf8').digest();

  function seal(plaintext: string, associatedData?: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${nonce.toString('base64url')}.${ciphertext.toString('base64url')}`;
  }

  function open(sealed: string, associatedData?: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const [version = '', nonceText = '', ciphertextText = ''] = parts;
    if (parts.length !== 3 || !BASE64URL.test(nonceText) || !BASE64URL.test(ciphertextText)) {
      throw new DecryptionError(
        'sealed value is malformed: expected v1.<base64url nonce>.<base64url ciphertext>',
      );
    }
    if (version !== VERSION) {
      throw new DecryptionError(
        `sealed value uses an unsupported format version (this build reads ${VERSION})`,
      );
    }
    const nonce = Buffer.from(nonceText, 'base64url');
    const sealedBytes = Buffer.from(ciphertextText, 'base64url');
    if (nonce.length !== NONCE_BYTES || sealedBytes.length < TAG_BYTES) {
      throw new DecryptionError('sealed value is malformed: wrong nonce or ciphertext length');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealedBytes.subarray(sealedBytes.length - TAG_BYTES));
    const ciphertext = sealedBytes.subarray(0, sealedBytes.length - TAG_BYTES);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError(
        'could not decrypt a stored value: the authentication tag does not match. The storage.encryption_key is ' +
          'probably wrong or was changed after the value was stored (or the value or its associated data was altered)',
      );
    }
  }

  return { seal, open };
}
