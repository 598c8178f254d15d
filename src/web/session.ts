// Who is signed in, for Sesame's own pages and the admin API: the same login session the apps'
// logins use (oidc-provider's session cookie), read without starting an authorization request.
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { constantTimeEqual } from '../crypto/compare.ts';
import type { Store, User } from '../store/index.ts';

export interface SignedIn {
  user: User;
  /** The session's id: what CSRF tokens are bound to. */
  sessionUid: string;
  /** A CSRF token for forms and API calls made with this session. */
  csrf: string;
  amr: string[];
}

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
      csrf: createHmac('sha256', this.csrfKey).update(session.uid).digest('base64url'),
      amr: (session as { amr?: string[] }).amr ?? [],
    };
  }

  csrfMatches(signedIn: SignedIn, presented: unknown): boolean {
    return typeof presented === 'string' && constantTimeEqual(presented, signedIn.csrf);
  }
}
