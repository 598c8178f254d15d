// User administration: every change an administrator makes to an account — from the admin API, the
// admin UI or the CLI — with its audit event written in the same transaction. `actor` is how the
// event names who acted: `user:<name>`, `token:<name>` or `cli`.
import { definedOnly } from '../store/sql.ts';
import type { PasswordHashing } from '../auth/passwords.ts';
import type { PasswordPolicySettings } from '../config/password-policy-schema.ts';
import { sessionsOf, type LoginSession } from '../auth/login-sessions.ts';
import { appendAudit, checkProfile, UserService } from '../auth/users.ts';
import type { Factors, FactorSummary } from '../factors/index.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import type { NewUser, Page, Repositories, Store, User, UserPatch } from '../store/index.ts';
import { SessionService, signOutEverywhere } from './sessions.ts';

export type UserQuery = Page & { search?: string; source?: User['source'] };

/** What the admin UI shows on a user's page. */
export interface UserOverview {
  user: User;
  factors: FactorSummary;
  sessions: LoginSession[];
  groupNames: string[];
}

/** The user acting on their own account (an administrator signed in to the UI or the API). */
const isSelf = (actor: string, user: User): boolean => actor === `user:${user.username}`;

/** An administrator cannot lock themselves out, whichever transport they use. */
export async function keepAdministrator(
  users: UserService,
  actor: string,
  user: User,
  groups: string[],
): Promise<void> {
  if (isSelf(actor, user) && !(await users.isAdmin({ ...user, groups })))
    throw new InvalidInputError('You cannot take yourself out of every administrators group.', 'groups');
}

/**
 * Disabling a user signs them out everywhere at once, whichever way it is asked for: their login
 * sessions end and their grants go with every token issued under them, so enabling the account
 * again does not bring old refresh tokens back.
 */
async function endSessions(
  tx: Repositories,
  user: User,
  sessions: LoginSession[] | undefined,
): Promise<void> {
  if (sessions) await signOutEverywhere(tx, user.id, sessions);
}

export class UserAdminService {
  private readonly store: Store;
  private readonly factors: Factors;
  /** The account rules (usernames, passwords, the users file's read-only records). */
  private readonly users: UserService;
  constructor(store: Store, hashing: PasswordHashing, factors: Factors, policy: PasswordPolicySettings) {
    [this.store, this.factors] = [store, factors];
    this.users = new UserService(store, hashing, policy);
  }

  list(query: UserQuery): Promise<User[]> {
    return this.store.users.list(query);
  }

  find(username: string): Promise<User | undefined> {
    return this.store.users.findByUsername(username);
  }

  require(username: string): Promise<User> {
    return this.users.require(username);
  }

  async withFactors(username: string): Promise<{ user: User; factors: FactorSummary }> {
    const user = await this.users.require(username);
    return { user, factors: await this.factors.summary(user.id) };
  }

  /** The user, their second factors, live sessions and every group name; undefined when unknown. */
  async overview(username: string): Promise<UserOverview | undefined> {
    const user = await this.find(username);
    if (!user) return undefined;
    const [factors, sessions, groups] = await Promise.all([
      this.factors.summary(user.id),
      sessionsOf(this.store, user),
      this.store.groups.list(),
    ]);
    return { user, factors, sessions, groupNames: groups.map((group) => group.name) };
  }

  async loginSessions(username: string): Promise<LoginSession[]> {
    return new SessionService(this.store).listForUser(await this.users.require(username));
  }

  /** Creates a local user; without a password one is generated and returned (shown once). */
  async create(
    actor: string,
    input: NewUser & { password?: string },
  ): Promise<{ user: User; password?: string }> {
    const generated = input.password === undefined ? await this.users.policy.generate() : undefined;
    const user = await this.users.create(
      { ...input, password: input.password ?? generated },
      { type: 'user.created', actor },
    );
    return { user, password: generated };
  }

  /**
   * Changes profile fields, claims, groups or the disabled flag; `fields` names them in the audit
   * event as the caller spelled them. Given claims replace those of the same name; the others stay.
   */
  async update(actor: string, username: string, patch: UserPatch, fields: string[]): Promise<User> {
    const user = await this.users.requireLocal(username);
    checkProfile(patch);
    if (patch.groups) await keepAdministrator(this.users, actor, user, patch.groups);
    if (patch.disabled && isSelf(actor, user)) throw new ConflictError('You cannot disable yourself.');
    const change = definedOnly({
      ...patch,
      // A new address typed by an administrator is verified unless they say otherwise.
      emailVerified: patch.emailVerified ?? (patch.email !== undefined ? true : undefined),
      claims: patch.claims && { ...user.claims, ...patch.claims },
    });
    // (Listed before the transaction, as everywhere: sessions may live outside the database.)
    const sessions = patch.disabled ? await sessionsOf(this.store, user) : undefined;
    return this.store.transaction(async (tx) => {
      const updated = await tx.users.update(user.id, change);
      await endSessions(tx, user, sessions);
      await appendAudit(tx, { type: 'user.updated', actor, details: { fields } }, user.username);
      return updated!;
    });
  }

  /** Disabling also signs the user out everywhere (sessions, grants and their tokens). */
  async setDisabled(actor: string, username: string, disabled: boolean): Promise<User> {
    const user = await this.users.requireLocal(username);
    if (disabled && isSelf(actor, user)) throw new ConflictError('You cannot disable yourself.');
    const sessions = disabled ? await sessionsOf(this.store, user) : undefined;
    return this.store.transaction(async (tx) => {
      const updated = await tx.users.update(user.id, { disabled });
      await endSessions(tx, user, sessions);
      await appendAudit(tx, { type: disabled ? 'user.disabled' : 'user.enabled', actor }, user.username);
      return updated!;
    });
  }

  /**
   * Sets the password typed, or generates one and returns it (shown once). The CLI's `passwd`
   * records a `user.password_changed`, as it always has; the API and the UI a `user.password_set`.
   */
  async setPassword(
    actor: string,
    username: string,
    typed: string | undefined,
    type: 'user.password_set' | 'user.password_changed' = 'user.password_set',
  ): Promise<{ user: User; password?: string }> {
    const generated = typed === undefined ? await this.users.policy.generate() : undefined;
    const user = await this.users.setPassword(username, typed ?? generated!, {
      type,
      actor,
      details: { generated: generated !== undefined },
    });
    return { user, password: generated };
  }

  /** Removes the authenticator app, passkeys and recovery codes (also of users-file users). */
  async resetFactors(actor: string, username: string): Promise<User> {
    const user = await this.users.require(username);
    await this.factors.reset(user.id, actor);
    return user;
  }

  /** Deletes a user; their sessions and tokens stop working. */
  async delete(actor: string, username: string): Promise<void> {
    const user = await this.users.requireLocal(username);
    if (isSelf(actor, user)) throw new ConflictError('you cannot delete the account you are signed in with');
    await this.store.transaction(async (tx) => {
      await tx.users.delete(user.id);
      await appendAudit(tx, { type: 'user.deleted', actor }, user.username);
    });
  }

  /** Ends one of the user's login sessions (by its public uid); false when it is not theirs or gone. */
  async revokeSession(actor: string, username: string, uid: string): Promise<boolean> {
    const user = await this.users.require(username);
    try {
      await new SessionService(this.store).revoke(uid, actor, user.id);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
}
