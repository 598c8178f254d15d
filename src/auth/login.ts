// Checking a username (or email) and password. Unknown users, wrong passwords and disabled users
// get the same answer after the same work: the password is always verified against some digest.
import { hashSecret, verifySecret } from '../crypto/digest.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store, User } from '../store/index.ts';
import { hashingParameters, type PasswordHashing } from './passwords.ts';

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

  /** The user when the password is right and the account enabled; undefined otherwise. */
  async authenticate(identifier: string, password: string): Promise<User | undefined> {
    const user = identifier ? await this.findUser(identifier.trim()) : undefined;
    const digest = user ? (await this.store.passwords.get(user.id))?.digest : undefined;
    const matches = await verifySecret(password, digest ?? (await this.decoy));
    return user && digest && matches && !user.disabled ? user : undefined;
  }
}
