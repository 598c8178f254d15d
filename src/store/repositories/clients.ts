import { randomUUID } from 'node:crypto';
import { CLIENT_COLUMNS, type ColumnKind } from '../../config/client-model.ts';
import { fromJson, toBoolean, toDate, type SqlExecutor, type SqlValue } from '../sql.ts';
import type { NewOAuthClient, OAuthClient, OAuthClientPatch, Page } from '../types.ts';

/** A row of oauth_clients: the columns of CLIENT_COLUMNS, plus the id, client id and timestamps. */
type ClientRow = Record<string, unknown> & {
  id: string;
  client_id: string;
  created_at: number | Date;
  updated_at: number | Date;
};

const FIELDS = Object.entries(CLIENT_COLUMNS) as [keyof OAuthClientPatch, readonly [string, ColumnKind]][];

function fromColumn(value: unknown, kind: ColumnKind): unknown {
  switch (kind) {
    case 'list':
      return fromJson(value, []);
    case 'object':
      return fromJson(value, {});
    case 'boolean':
      return toBoolean(value);
    case 'optional':
      return value ?? undefined;
    default:
      return value;
  }
}

function toColumn(value: unknown, kind: ColumnKind): SqlValue {
  return kind === 'list' || kind === 'object' ? JSON.stringify(value) : (value as SqlValue);
}

function toClient(row: ClientRow): OAuthClient {
  const fields = Object.fromEntries(
    FIELDS.map(([key, [column, kind]]) => [key, fromColumn(row[column], kind)]),
  );
  return {
    ...(fields as Omit<OAuthClient, 'id' | 'clientId' | 'createdAt' | 'updatedAt'>),
    id: row.id,
    clientId: row.client_id,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class ClientRepository {
  private readonly db: SqlExecutor;
  private readonly changed: () => void;
  constructor(db: SqlExecutor, changed: () => void = () => {}) {
    this.db = db;
    this.changed = changed;
  }

  async create(client: NewOAuthClient): Promise<OAuthClient> {
    const id = randomUUID();
    const now = new Date();
    const columns = ['id', 'client_id', ...FIELDS.map(([, [column]]) => column), 'created_at', 'updated_at'];
    const values = [
      id,
      client.clientId,
      ...FIELDS.map(([key, [, kind]]) => toColumn(client[key], kind)),
      now,
      now,
    ];
    await this.db.run(
      `INSERT INTO oauth_clients (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    );
    this.changed();
    return (await this.get(id))!;
  }

  private async findBy(column: 'id' | 'client_id', value: string): Promise<OAuthClient | undefined> {
    const row = await this.db.get<ClientRow>(`SELECT * FROM oauth_clients WHERE ${column} = ?`, [value]);
    return row && toClient(row);
  }

  get(id: string): Promise<OAuthClient | undefined> {
    return this.findBy('id', id);
  }

  findByClientId(clientId: string): Promise<OAuthClient | undefined> {
    return this.findBy('client_id', clientId);
  }

  async list(page: Page = {}): Promise<OAuthClient[]> {
    const rows = await this.db.all<ClientRow>(
      'SELECT * FROM oauth_clients ORDER BY lower(name) LIMIT ? OFFSET ?',
      [page.limit ?? 1000, page.offset ?? 0],
    );
    return rows.map(toClient);
  }

  async update(id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined> {
    const changed = FIELDS.filter(([key]) => key in patch);
    if (changed.length > 0)
      await this.db.run(
        `UPDATE oauth_clients SET ${changed.map(([, [column]]) => `${column} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
        [...changed.map(([key, [, kind]]) => toColumn(patch[key], kind)), new Date(), id],
      );
    this.changed();
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = (await this.db.run('DELETE FROM oauth_clients WHERE id = ?', [id])).changes > 0;
    this.changed();
    return deleted;
  }
}
