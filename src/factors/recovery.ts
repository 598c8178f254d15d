// Recovery codes: ten single-use codes shown once. They are kept as HMACs under a key derived from
// hmac_secret, so a copy of the database alone does not let anyone try codes offline.
import { createHmac, randomInt } from 'node:crypto';
import { deriveKey } from '../crypto/derive.ts';
import type { Store } from '../store/index.ts';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet without look-alikes (0/O, 1/I/L): codes are read off paper.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const GROUP = 5;

export class RecoveryCodeService {
  private readonly store: Store;
  private readonly key: Buffer;
  private readonly now: () => number;
  constructor(store: Store, hmacSecret: string, now: () => number = Date.now) {
    this.store = store;
    this.key = deriveKey(hmacSecret, 'recoveryCodes');
    this.now = now;
  }

  private hash(userId: string, code: string): string {
    return createHmac('sha256', this.key)
      .update(`${userId}\0${normalise(code)}`)
      .digest('base64url');
  }

  /** Ten new codes (about 50 bits each) replacing any old ones; the caller shows them once. */
  async generate(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const characters = Array.from({ length: GROUP * 2 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(
        '',
      );
      return `${characters.slice(0, GROUP)}-${characters.slice(GROUP)}`;
    });
    await this.store.transaction((tx) =>
      tx.recoveryCodes.replace(
        userId,
        codes.map((code) => this.hash(userId, code)),
      ),
    );
    return codes;
  }

  /** True once per code. */
  async use(userId: string, code: string): Promise<boolean> {
    if (normalise(code).length !== GROUP * 2) return false;
    return this.store.recoveryCodes.use(userId, this.hash(userId, code), new Date(this.now()));
  }

  remaining(userId: string): Promise<number> {
    return this.store.recoveryCodes.remaining(userId);
  }
}

/** Case, spaces and dashes do not matter when typing a code back. */
function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}
