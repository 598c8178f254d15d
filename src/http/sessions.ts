// Who is signed in, for Sesame's own pages and the admin API: the same login session the apps'
// logins use (oidc-provider's session cookie), read without starting an authorization request.
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { constantTimeEqual } from '../crypto/compare.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store, User } from '../store/index.ts';

export interface SignedIn {
  user: User;
  /** The session's id: what CSRF tokens are bound to. */
  sessionUid: string;
  /**
   * The token for the forms of this page: bound to the session, fresh on every page and accepted
   * once, so a form sent twice (double click, reload, back button) changes nothing the second time.
   */
  csrf: string;
  /** The session's reusable CSRF token for admin API calls (X-CSRF-Token header). */
  headerCsrf: string;
  amr: string[];
}

/** How long a page's form stays usable; a used token is remembered as long. */
const FORM_TOKEN_SECONDS = 12 * 60 * 60;
/** The artifact model that remembers used form tokens until they would have expired anyway. */
const USED_FORM_TOKEN = 'UsedFormToken';

export type FormTokenCheck = 'ok' | 'invalid' | 'used';

export class BrowserSessions {
  private readonly provider: Provider;
  private readonly store: Store;
  private readonly csrfKey: Buffer;
  constructor(provider: Provider, store: Store, hmacSecret: string) {
    this.provider = provider;
    this.store = store;
    this.csrfKey = createHmac('sha256', hmacSecret).update('sesame session csrf').digest();
  }

  async current(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    if (!request.headers.cookie?.includes('sesame_session')) return undefined;
    const session = await this.provider.Session.get({
      req: request.raw,
      res: reply.raw,
      secure: request.protocol === 'https',
    } as never);
    if (!session.accountId) return undefined;
    const user = await this.store.users.get(session.accountId);
    if (!user || user.disabled) return undefined;
    return {
      user,
      sessionUid: session.uid,
      csrf: this.newFormToken(session.uid),
      headerCsrf: this.mac(session.uid),
      amr: (session as { amr?: string[] }).amr ?? [],
    };
  }

  private mac(value: string): string {
    return createHmac('sha256', this.csrfKey).update(value).digest('base64url');
  }

  /** `<expiry>.<nonce>.<mac over session, expiry and nonce>`: nothing is stored until it is used. */
  private newFormToken(sessionUid: string, now = Date.now()): string {
    const body = `${Math.floor(now / 1000) + FORM_TOKEN_SECONDS}.${randomToken(16)}`;
    return `${body}.${this.mac(`${sessionUid}.${body}`)}`;
  }

  /** The admin API's header token. */
  csrfMatches(signedIn: SignedIn, presented: unknown): boolean {
    return typeof presented === 'string' && constantTimeEqual(presented, signedIn.headerCsrf);
  }

  /** A form token made for this session and not expired (it may still have been used). */
  private formTokenValid(signedIn: SignedIn, presented: unknown, now: number): presented is string {
    if (typeof presented !== 'string') return false;
    const [expiry, nonce, mac, extra] = presented.split('.');
    if (!expiry || !nonce || !mac || extra !== undefined || !/^\d{1,12}$/.test(expiry)) return false;
    if (!constantTimeEqual(mac, this.mac(`${signedIn.sessionUid}.${expiry}.${nonce}`))) return false;
    return Number(expiry) * 1000 > now;
  }

  /** Checks a form token without using it up (for a step that only prepares the real submit). */
  formTokenMatches(signedIn: SignedIn, presented: unknown, now = Date.now()): boolean {
    return this.formTokenValid(signedIn, presented, now);
  }

  /** Accepts a form token once: of two submits of the same form exactly one gets 'ok'. */
  async useFormToken(signedIn: SignedIn, presented: unknown, now = Date.now()): Promise<FormTokenCheck> {
    if (!this.formTokenValid(signedIn, presented, now)) return 'invalid';
    const [expiry, nonce] = presented.split('.');
    const first = await this.store.artifacts.claim(USED_FORM_TOKEN, nonce!, new Date(Number(expiry) * 1000));
    return first ? 'ok' : 'used';
  }
}
