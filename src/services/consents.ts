// Remembered consents (clients with consent_mode pre-configured) as an admin action: listed per
// user and forgotten one client at a time, so the user is asked again.
import { NotFoundError } from '../lib/errors.ts';
import { forgetConsent, rememberedConsents } from '../oidc/consent.ts';
import type { Repositories, Store, User } from '../store/index.ts';

async function requireUser(repositories: Repositories, username: string): Promise<User> {
  const user = await repositories.users.findByUsername(username);
  if (!user) throw new NotFoundError(`there is no user named '${username}'`);
  return user;
}

export class ConsentService {
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  async list(username: string): Promise<{ clientId: string; scopes: string[]; expiresAt?: Date }[]> {
    return rememberedConsents(this.store, (await requireUser(this.store, username)).id);
  }

  /** Forgets `username`'s consent for `clientId` and writes `consent.revoked`. */
  async revoke(username: string, clientId: string, actor: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const user = await requireUser(tx, username);
      if (!(await forgetConsent(tx, user.id, clientId)))
        throw new NotFoundError(`${username} has no remembered consent for '${clientId}'`);
      await tx.events.append({
        type: 'consent.revoked',
        actor,
        subject: user.username,
        details: { client_id: clientId },
      });
    });
  }
}
