// Who is signed in, for Sesame's own pages and the admin API: the same login session the apps'
// logins use (oidc-provider's session cookie), read without starting an authorization request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Store, User } from '../store/index.ts';
import { CsrfTokens } from './csrf.ts';

export interface SignedIn {
  user: User;
  /** The session's id: what CSRF tokens are bound to. */
  sessionUid: string;
  /**
   * The CSRF token for this page's forms (and the admin UI's API calls): bound to the session and
   * fresh on every page; a form that changes something claims it, so a form sent twice (double
   * click, reload, back button) changes nothing the second time.
   */
  csrf: string;
  amr: string[];
}

export class BrowserSessions {
  private readonly provider: Provider;
  private readonly store: Store;
  readonly csrf: CsrfTokens;
  constructor(provider: Provider, store: Store, hmacSecret: string) {
    this.provider = provider;
    this.store = store;
    this.csrf = new CsrfTokens(hmacSecret, store);
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
      csrf: this.csrf.issue(session.uid),
      amr: (session as { amr?: string[] }).amr ?? [],
    };
  }
}
