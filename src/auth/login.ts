// Checking a username (or email) and password. Unknown users, wrong passwords and disabled users
// get the same answer after the same work: the password is always verified against some digest.
import { hashSecret, verifySecret } from '../crypto/digest.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store, User } from '../store/index.ts';
import { hashingParameters, type PasswordHashing } from './passwords.ts';

export interface Identity {
  user: User | undefined;
  account: string;
}

export class PasswordAuthenticator {
  private readonly store: Store;
  private readonly decoy: Promise<string>;
  constructor(store: Store, hashing: PasswordHashing) {
    this.store = store;
    const { algorithm, options } = hashingParameters(hashing);
    // A digest of nothing anyone knows, at the configured cost: verified when there is no user.
    this.decoy = hashSecret(randomToken(), algorithm, options);
  }

  async findUser(identifier: string): Promise<User | undefined> {
    const byName = await this.store.users.findByUsername(identifier);
    if (byName) return byName;
    if (!identifier.includes('@')) return undefined;
    const byEmail = await this.store.users.findByEmail(identifier);
    return byEmail.length === 1 ? byEmail[0] : undefined;
  }

  /**
   * Who an identifier names. `account` is what brute-force regulation counts attempts under: the
   * account's username whichever identifier (username or email, any case) named it, so a ban covers
   * the account; for an identifier naming no account, the identifier itself, so that a banned
   * unknown name is answered exactly like a banned account.
   */
  async identify(identifier: string): Promise<Identity> {
    const typed = identifier.trim();
    const user = typed ? await this.findUser(typed) : undefined;
    return { user, account: user?.username ?? typed };
  }

  /** The user when the password is right and the account enabled; undefined otherwise. */
  async authenticate(identifier: string, password: string): Promise<User | undefined> {
    return this.verifyPassword(await this.identify(identifier), password);
  }

  /** As authenticate, for an identifier already identified. */
  async verifyPassword({ user }: Identity, password: string): Promise<User | undefined> {
    const digest = user ? (await this.store.passwords.get(user.id))?.digest : undefined;
    const matches = await verifySecret(password, digest ?? (await this.decoy));
    return user && digest && matches && !user.disabled ? user : undefined;
  }
}
