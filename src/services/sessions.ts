// Login sessions as an admin action: listed by their public uid (never by the cookie value) and
// ended one at a time; the next authorization then asks for a login again.
import { NotFoundError } from '../lib/errors.ts';
import { loginSession, sessionsOf, type LoginSession, type SessionPayload } from '../auth/login-sessions.ts';
import type { Repositories, Store } from '../store/index.ts';

export type { LoginSession };

export class SessionService {
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  /** Every live session, newest first, with its user's name; `nextOffset` when there are more. */
  async list(page: {
    limit: number;
    offset: number;
  }): Promise<{ items: LoginSession[]; nextOffset?: number }> {
    const sessions = await this.store.artifacts.listSessions({ limit: page.limit + 1, offset: page.offset });
    const usernames = new Map<string, string | undefined>();
    const items: LoginSession[] = [];
    for (const session of sessions.slice(0, page.limit)) {
      const userId = (session.payload as SessionPayload).accountId ?? '';
      if (!usernames.has(userId)) usernames.set(userId, (await this.store.users.get(userId))?.username);
      items.push(loginSession(session, usernames.get(userId)));
    }
    return { items, nextOffset: sessions.length > page.limit ? page.offset + page.limit : undefined };
  }

  /** One user's live sessions, newest first. */
  async listForUser(user: { id: string; username: string }, limit = 100): Promise<LoginSession[]> {
    return sessionsOf(this.store, user, limit);
  }

  /**
   * Ends the session with public uid `id` (only when it belongs to `userId`, if given) and writes
   * `session.revoked`; NotFoundError when there is no such live session.
   */
  async revoke(id: string, actor: string, userId?: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const session = await tx.artifacts.findByUid('Session', id);
      const owner = (session?.payload as SessionPayload | undefined)?.accountId;
      if (!session || (userId !== undefined && owner !== userId))
        throw new NotFoundError(`there is no live session '${id}'`);
      await tx.artifacts.destroy('Session', session.id);
      await tx.events.append({ type: 'session.revoked', actor, subject: owner, details: { session: id } });
    });
  }
}

/**
 * Signs a user out everywhere, in the caller's transaction: ends `sessions` (their login sessions,
 * listed before the transaction) and revokes every grant of the account with what was issued under
 * it (access and refresh tokens). The Grant record goes first: refresh, introspection and userinfo
 * refuse a token whose grant is gone.
 */
export async function signOutEverywhere(
  tx: Repositories,
  accountId: string,
  sessions: LoginSession[],
): Promise<{ sessions: number; grants: number }> {
  for (const session of sessions) await tx.artifacts.destroy('Session', session.storeId);
  const grants = await tx.artifacts.grantsOfAccount(accountId);
  for (const grant of grants) {
    await tx.artifacts.destroy('Grant', grant);
    await tx.artifacts.revokeByGrantId(grant);
  }
  return { sessions: sessions.length, grants: grants.length };
}
