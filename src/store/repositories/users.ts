import { randomUUID } from 'node:crypto';
import { fromJson, lowered, optional, toBoolean, toDate, type SqlExecutor } from '../sql.ts';
import type { Group, NewUser, Page, ProfileClaims, User, UserPatch } from '../types.ts';
import { GroupRepository } from './groups.ts';

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  email_verified: number | boolean;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  claims: string | null;
  disabled: number | boolean;
  source: string;
  created_at: number | Date;
  updated_at: number | Date;
}

const COLUMNS = {
  email: 'email',
  emailVerified: 'email_verified',
  displayName: 'display_name',
  givenName: 'given_name',
  familyName: 'family_name',
  picture: 'picture',
  claims: 'claims',
  disabled: 'disabled',
} as const;

/** Only the claims that have a value are stored. */
function claimsJson(claims: ProfileClaims | undefined): string | null {
  const present = Object.entries(claims ?? {}).filter(([, value]) => value !== undefined && value !== '');
  return present.length > 0 ? JSON.stringify(Object.fromEntries(present)) : null;
}

function toUser(row: UserRow, groups: string[]): User {
  return {
    id: row.id,
    username: row.username,
    email: optional(row.email),
    emailVerified: toBoolean(row.email_verified),
    displayName: optional(row.display_name),
    givenName: optional(row.given_name),
    familyName: optional(row.family_name),
    picture: optional(row.picture),
    claims: fromJson<ProfileClaims>(row.claims, {}),
    disabled: toBoolean(row.disabled),
    source: row.source as User['source'],
    groups,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class UserRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  private async withGroups(rows: UserRow[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const memberships = await this.db.all<{ user_id: string; name: string }>(
      `SELECT ug.user_id, g.name FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id
       WHERE ug.user_id IN (${ids.map(() => '?').join(', ')}) ORDER BY g.name`,
      ids,
    );
    const byUser = new Map<string, string[]>();
    for (const row of memberships) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.name]);
    return rows.map((row) => toUser(row, byUser.get(row.id) ?? []));
  }

  /** The group names as a JSON array in the same row: one query where every request needs the user. */
  private groupNamesColumn(): string {
    const memberships = 'FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id WHERE ug.user_id = u.id';
    switch (this.db.dialect) {
      case 'postgres':
        return `(SELECT coalesce(json_agg(g.name ORDER BY g.name), '[]'::json) ${memberships})`;
      case 'mysql':
        // JSON_ARRAYAGG cannot order on MySQL; the session allows lists of up to 1 MiB.
        return `(SELECT concat('[', coalesce(group_concat(json_quote(g.name) ORDER BY g.name SEPARATOR ','), ''), ']') ${memberships})`;
      default:
        return `(SELECT json_group_array(g.name ORDER BY g.name) ${memberships})`;
    }
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow & { group_names: string | string[] }>(
      `SELECT u.*, ${this.groupNamesColumn()} AS group_names FROM users u WHERE u.id = ?`,
      [id],
    );
    if (!row) return undefined;
    const groups =
      typeof row.group_names === 'string' ? (JSON.parse(row.group_names) as string[]) : row.group_names;
    return toUser(row, groups);
  }

  /** Creates the user and its group memberships (groups are created as needed) in one transaction. */
  async create(user: NewUser): Promise<User> {
    const id = randomUUID();
    const now = new Date();
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO users (id, username, email, email_verified, display_name, given_name, family_name, picture,
           claims, disabled, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          user.username,
          user.email,
          user.emailVerified ?? false,
          user.displayName,
          user.givenName,
          user.familyName,
          user.picture,
          claimsJson(user.claims),
          user.disabled ?? false,
          user.source ?? 'local',
          now,
          now,
        ],
      );
      if (user.groups?.length) await new UserRepository(tx).setGroups(id, user.groups);
    });
    return (await this.get(id))!;
  }

  /** Usernames are unique regardless of case, as login forms treat them. */
  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(
      `SELECT * FROM users WHERE ${lowered(this.db.dialect, 'username')} = lower(?)`,
      [username],
    );
    return row ? (await this.withGroups([row]))[0] : undefined;
  }

  async findByEmail(email: string): Promise<User[]> {
    return this.withGroups(
      await this.db.all<UserRow>(
        `SELECT * FROM users WHERE ${lowered(this.db.dialect, 'email')} = lower(?)`,
        [email],
      ),
    );
  }

  async list(page: Page & { search?: string; source?: User['source'] } = {}): Promise<User[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (page.search) {
      where.push('(lower(username) LIKE ? OR lower(email) LIKE ? OR lower(display_name) LIKE ?)');
      const pattern = `%${page.search.toLowerCase()}%`;
      params.push(pattern, pattern, pattern);
    }
    if (page.source) {
      where.push('source = ?');
      params.push(page.source);
    }
    const rows = await this.db.all<UserRow>(
      `SELECT * FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY lower(username) LIMIT ? OFFSET ?`,
      [...params, page.limit ?? 100, page.offset ?? 0],
    );
    return this.withGroups(rows);
  }

  async count(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }

  /** Enabled users in a group that grants administration. */
  async countAdministrators(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      `SELECT COUNT(DISTINCT u.id) AS n FROM users u JOIN user_groups ug ON ug.user_id = u.id
       JOIN "groups" g ON g.id = ug.group_id WHERE g.is_admin = ? AND u.disabled = ?`,
      [true, false],
    );
    return Number(row?.n ?? 0);
  }

  async update(id: string, patch: UserPatch): Promise<User | undefined> {
    const sets: string[] = [];
    const params: (string | boolean | null | Date)[] = [];
    for (const [key, column] of Object.entries(COLUMNS)) {
      const value = patch[key as keyof typeof COLUMNS];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(key === 'claims' ? claimsJson(value as ProfileClaims) : (value as string | boolean));
    }
    await this.db.transaction(async (tx) => {
      if (sets.length > 0)
        await tx.run(`UPDATE users SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
          ...params,
          new Date(),
          id,
        ]);
      if (patch.groups) await new UserRepository(tx).setGroups(id, patch.groups);
    });
    return this.get(id);
  }

  /** Replaces the user's memberships with exactly these groups, creating missing groups. */
  async setGroups(userId: string, names: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const groups = new GroupRepository(tx);
      const wanted: Group[] = [];
      for (const name of new Set(names)) wanted.push(await groups.ensure(name));
      await tx.run('DELETE FROM user_groups WHERE user_id = ?', [userId]);
      for (const group of wanted)
        await tx.run('INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)', [userId, group.id]);
    });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM users WHERE id = ?', [id])).changes > 0;
  }
}
