// Checking a username (or email) and password. Unknown users, wrong passwords and disabled users
// get the same answer after the same work: the password is always verified against some digest.
// With an LDAP directory, a name that is not a database user's is looked up there, the password is
// checked by the directory, and the person gets a local record (source `ldap`, read-only) that
// sessions, second factors and consents hang on; their profile and groups are refreshed at login.
import { hashSecret, verifySecret } from '../crypto/digest.ts';
import { randomToken } from '../crypto/random.ts';
import type { Logger } from '../lib/logger.ts';
import { isUniqueViolation } from '../store/sql.ts';
import type { Store, User } from '../store/index.ts';
import { directoryRecord, type DirectoryEntry, type LdapDirectory } from './ldap.ts';
import { hashingParameters, type PasswordHashing } from './passwords.ts';

export interface Identity {
  user: User | undefined;
  account: string;
  /** The directory's description of the person, when the identifier names a directory user. */
  entry?: DirectoryEntry;
}

export class PasswordAuthenticator {
  private readonly store: Store;
  private readonly decoy: Promise<string>;
  /** The LDAP directory (authentication_backend.ldap), when there is one. */
  readonly directory?: LdapDirectory;
  private readonly logger?: Logger;
  constructor(store: Store, hashing: PasswordHashing, directory?: LdapDirectory, logger?: Logger) {
    this.store = store;
    this.directory = directory;
    this.logger = logger;
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
    if (!this.directory || !typed || (user && user.source !== 'ldap'))
      return { user, account: user?.username ?? typed };
    // A directory user: the directory says who it is (and throws UnavailableError when it is down).
    const entry = await this.directory.findUser(typed);
    if (!entry) return { user: undefined, account: user?.username ?? typed };
    const record = await this.store.users.findByUsername(entry.username);
    if (record && record.source !== 'ldap') {
      this.logger?.error(
        { username: entry.username },
        'a directory user has the name of a database user; the directory user cannot sign in until one is renamed',
      );
      return { user: undefined, account: record.username };
    }
    return { user: record, account: entry.username, entry };
  }

  /** The user when the password is right and the account enabled; undefined otherwise. */
  async authenticate(identifier: string, password: string): Promise<User | undefined> {
    return this.verifyPassword(await this.identify(identifier), password);
  }

  /** As authenticate, for an identifier already identified. */
  async verifyPassword({ user, entry }: Identity, password: string): Promise<User | undefined> {
    if (this.directory && (entry || !user || user.source === 'ldap')) {
      // (Without an entry, a made-up DN is tried: the same round trip as a wrong password.)
      if (!(await this.directory.verifyPassword(entry?.dn, password)) || !entry) return undefined;
      return this.remember(entry);
    }
    const digest = user ? (await this.store.passwords.get(user.id))?.digest : undefined;
    const matches = await verifySecret(password, digest ?? (await this.decoy));
    return user && digest && matches && !user.disabled ? user : undefined;
  }

  /** Creates or refreshes the local record of a directory person; ids stay stable across logins. */
  private async remember(entry: DirectoryEntry, retried = false): Promise<User> {
    const fields = directoryRecord(entry);
    try {
      return await this.store.transaction(async (tx) => {
        const existing = await tx.users.findByUsername(entry.username);
        if (existing) return (await tx.users.update(existing.id, fields))!;
        return tx.users.create({ username: entry.username, source: 'ldap', ...fields });
      });
    } catch (error) {
      // Two first logins at once: the other one created the record; refresh it instead.
      if (isUniqueViolation(error) && !retried) return this.remember(entry, true);
      throw error;
    }
  }
}
