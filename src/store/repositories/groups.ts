import { randomUUID } from 'node:crypto';
import { lowered, toBoolean, toDate, type SqlExecutor } from '../sql.ts';
import type { Group, RecordSource } from '../types.ts';

interface GroupRow {
  id: string;
  name: string;
  is_admin: number | boolean;
  source: string;
  created_at: number | Date;
}

function toGroup(row: GroupRow): Group {
  return {
    id: row.id,
    name: row.name,
    isAdmin: toBoolean(row.is_admin),
    source: row.source as RecordSource,
    createdAt: toDate(row.created_at),
  };
}

export class GroupRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  /** Group names compare regardless of case. ("groups" is quoted: a reserved word in MySQL 8.) */
  private get byName(): string {
    return `${lowered(this.db.dialect, 'name')} = lower(?)`;
  }

  async findByName(name: string): Promise<Group | undefined> {
    const row = await this.db.get<GroupRow>(`SELECT * FROM "groups" WHERE ${this.byName}`, [name]);
    return row && toGroup(row);
  }

  /** Returns the group, creating it first if needed (safe when two callers race). */
  async ensure(name: string, options: { isAdmin?: boolean; source?: RecordSource } = {}): Promise<Group> {
    const existing = await this.findByName(name);
    if (existing) return existing;
    await this.db.run(
      `INSERT INTO "groups" (id, name, is_admin, source, created_at) VALUES (?, ?, ?, ?, ?)
       ${this.db.dialect === 'mysql' ? 'ON DUPLICATE KEY UPDATE id = id' : 'ON CONFLICT DO NOTHING'}`,
      [randomUUID(), name, options.isAdmin ?? false, options.source ?? 'local', new Date()],
    );
    return (await this.findByName(name))!;
  }

  async setAdmin(name: string, isAdmin: boolean): Promise<void> {
    await this.db.run(`UPDATE "groups" SET is_admin = ? WHERE ${this.byName}`, [isAdmin, name]);
  }

  async list(): Promise<(Group & { members: number })[]> {
    const rows = await this.db.all<GroupRow & { members: number | string }>(
      `SELECT g.*, (SELECT COUNT(*) FROM user_groups ug WHERE ug.group_id = g.id) AS members
       FROM "groups" g ORDER BY lower(g.name)`,
    );
    return rows.map((row) => ({ ...toGroup(row), members: Number(row.members) }));
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM "groups" WHERE ${this.byName}`, [name])).changes > 0;
  }
}
