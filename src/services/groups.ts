// Group administration — create, delete, add and remove members — for the admin API, the admin UI
// and the CLI alike, each change with its audit event in the same transaction.
import type { PasswordHashing } from '../auth/passwords.ts';
import { appendAudit, UserService } from '../auth/users.ts';
import type { PasswordPolicySettings } from '../config/password-policy-schema.ts';
import { ConflictError, InvalidInputError, NotFoundError, ReadOnlyError } from '../lib/errors.ts';
import type { Group, Store, User } from '../store/index.ts';
import { keepAdministrator } from './users.ts';

export const GROUP_NAME = /^[A-Za-z0-9._-]{1,100}$/;
export const GROUP_NAME_HELP = 'letters, digits, . _ -; at most 100';

export type GroupRow = Group & { members: number };

/** What the admin UI shows on a group's page. */
export interface GroupOverview {
  group: GroupRow;
  members: User[];
  /** The only administrators group: it cannot be deleted. */
  lastAdmin: boolean;
}

const isLastAdmin = (group: Group, groups: Group[]) =>
  group.isAdmin && groups.filter((entry) => entry.isAdmin).length === 1;

export class GroupAdminService {
  private readonly store: Store;
  private readonly users: UserService;
  constructor(store: Store, hashing: PasswordHashing, policy: PasswordPolicySettings) {
    this.store = store;
    this.users = new UserService(store, hashing, policy);
  }

  list(): Promise<GroupRow[]> {
    return this.store.groups.list();
  }

  async overview(name: string): Promise<GroupOverview | undefined> {
    const groups = await this.store.groups.list();
    const group = groups.find((entry) => entry.name === name);
    if (!group) return undefined;
    const members = (await this.store.users.list({ limit: 100_000 })).filter((user) =>
      user.groups.includes(group.name),
    );
    return { group, members, lastAdmin: isLastAdmin(group, groups) };
  }

  /** Members of an `isAdmin` group may use the admin UI and API. */
  async create(actor: string, name: string, isAdmin: boolean): Promise<Group> {
    if (!GROUP_NAME.test(name)) throw new InvalidInputError(GROUP_NAME_HELP, 'name');
    if (await this.store.groups.findByName(name)) throw new ConflictError(`a group named '${name}' exists`);
    return this.store.transaction(async (tx) => {
      const group = await tx.groups.ensure(name, { isAdmin });
      await appendAudit(
        tx,
        { type: 'group.created', actor, details: { is_admin: group.isAdmin } },
        group.name,
      );
      return group;
    });
  }

  /** Deletes a group; its members stay, without it. */
  async delete(actor: string, name: string): Promise<void> {
    const group = await this.require(name);
    if (group.source === 'file') throw new ReadOnlyError(`'${group.name}' comes from the users file`);
    if (isLastAdmin(group, await this.store.groups.list()))
      throw new ConflictError('this is the last administrators group');
    await this.store.transaction(async (tx) => {
      await tx.groups.delete(group.name);
      await appendAudit(tx, { type: 'group.deleted', actor }, group.name);
    });
  }

  async addMember(actor: string, name: string, username: string): Promise<void> {
    await this.require(name);
    const user = await this.users.requireLocal(username);
    if (user.groups.includes(name)) return;
    await this.setGroups(actor, user, [...user.groups, name], { added: name });
  }

  /** Nothing to do when the user is unknown, from the users file, or not a member. */
  async removeMember(actor: string, name: string, username: string): Promise<void> {
    const user = await this.store.users.findByUsername(username);
    if (!user || user.source !== 'local' || !user.groups.includes(name)) return;
    const groups = user.groups.filter((group) => group !== name);
    await keepAdministrator(this.users, actor, user, groups);
    await this.setGroups(actor, user, groups, { removed: name });
  }

  private async require(name: string): Promise<Group> {
    const group = await this.store.groups.findByName(name);
    if (!group) throw new NotFoundError(`there is no group named '${name}'`);
    return group;
  }

  private setGroups(actor: string, user: User, groups: string[], details: Record<string, string>) {
    return this.store.transaction(async (tx) => {
      await tx.users.update(user.id, { groups });
      await appendAudit(
        tx,
        { type: 'user.updated', actor, details: { fields: ['groups'], ...details } },
        user.username,
      );
    });
  }
}
