import { randomUUID } from 'node:crypto';
import { fromJson, optional, toDate, toOptionalDate, type SqlExecutor } from '../sql.ts';
import type { ApiToken, NewApiToken } from '../types.ts';

interface ApiTokenRow {
  id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_by: string | null;
  created_at: number | Date;
  expires_at: number | Date | null;
  last_used_at: number | Date | null;
  revoked_at: number | Date | null;
}

function toToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: fromJson(row.scopes, []),
    createdBy: optional(row.created_by),
    createdAt: toDate(row.created_at),
    expiresAt: toOptionalDate(row.expires_at),
    lastUsedAt: toOptionalDate(row.last_used_at),
    revokedAt: toOptionalDate(row.revoked_at),
  };
}

export class ApiTokenRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async create(token: NewApiToken): Promise<ApiToken> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO api_tokens (id, name, token_hash, scopes, created_by, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        token.name,
        token.tokenHash,
        JSON.stringify(token.scopes),
        token.createdBy,
        new Date(),
        token.expiresAt,
      ],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const row = await this.db.get<ApiTokenRow>('SELECT * FROM api_tokens WHERE id = ?', [id]);
    return row && toToken(row);
  }

  /** Looks a presented token up by its hash; revoked and expired ones are returned too, for the caller to refuse. */
  async findByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.db.get<ApiTokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?', [tokenHash]);
    return row && toToken(row);
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.all<ApiTokenRow>('SELECT * FROM api_tokens ORDER BY created_at DESC');
    return rows.map(toToken);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.db.run(
      'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      [at, id],
    );
    return result.changes > 0;
  }
}
