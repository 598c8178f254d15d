// One CSRF mechanism for every form and browser call: a token is `<expiry>.<nonce>.<mac>`, the MAC
// binding it to what it protects (a login session, or a sign-in interaction) under a key derived from
// hmac_secret. Nothing is stored to issue or check one; a form that must change things once also
// claims its token, and only then is the nonce remembered (until the token would expire anyway).
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto/compare.ts';
import { deriveKey } from '../crypto/derive.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store } from '../store/index.ts';

/** How long a page's form stays usable. */
const TOKEN_SECONDS = 12 * 60 * 60;
/** The artifact model that remembers claimed tokens. */
const CLAIMED = 'UsedFormToken';

export type CsrfClaim = 'ok' | 'invalid' | 'used';

export class CsrfTokens {
  private readonly key: Buffer;
  private readonly store: Store;
  constructor(hmacSecret: string, store: Store) {
    this.key = deriveKey(hmacSecret, 'csrf');
    this.store = store;
  }

  private mac(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }

  /**
   * A token for `binding` (a session's or an interaction's id): fresh on every call, or, with
   * `stable`, the same for the same binding and expiry (so that two renderings of a page that must
   * not differ, such as the sign-in page's answers, do not).
   */
  issue(binding: string, options: { expiresAt?: number; stable?: boolean } = {}): string {
    const expiry = options.expiresAt ?? Math.floor(Date.now() / 1000) + TOKEN_SECONDS;
    const nonce = options.stable ? this.mac(`stable.${binding}.${expiry}`).slice(0, 22) : randomToken(16);
    const body = `${expiry}.${nonce}`;
    return `${body}.${this.mac(`${binding}.${body}`)}`;
  }

  /** A token issued for `binding` and not expired (it may have been claimed already). */
  valid(binding: string, presented: unknown, now = Date.now()): presented is string {
    if (typeof presented !== 'string') return false;
    const [expiry, nonce, mac, extra] = presented.split('.');
    if (!expiry || !nonce || !mac || extra !== undefined || !/^\d{1,12}$/.test(expiry)) return false;
    if (!constantTimeEqual(mac, this.mac(`${binding}.${expiry}.${nonce}`))) return false;
    return Number(expiry) * 1000 > now;
  }

  /** Accepts a valid token once: of two submits of the same form exactly one gets 'ok'. */
  async claim(binding: string, presented: unknown, now = Date.now()): Promise<CsrfClaim> {
    if (!this.valid(binding, presented, now)) return 'invalid';
    const [expiry, nonce] = presented.split('.');
    const first = await this.store.artifacts.claim(CLAIMED, nonce!, new Date(Number(expiry) * 1000));
    return first ? 'ok' : 'used';
  }
}
