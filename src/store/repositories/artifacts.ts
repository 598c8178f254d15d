import {
  fromJson,
  isUniqueViolation,
  onConflictUpdate,
  optional,
  toOptionalDate,
  type SqlExecutor,
} from '../sql.ts';
import type { SessionArtifactStore } from '../redis-sessions.ts';
import type { Artifact } from '../types.ts';

interface ArtifactRow {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | Date | null;
  consumed_at: number | Date | null;
}

function toArtifact(row: ArtifactRow): Artifact {
  return {
    model: row.model,
    id: row.id,
    payload: fromJson(row.payload, {}),
    grantId: optional(row.grant_id),
    uid: optional(row.uid),
    userCode: optional(row.user_code),
    expiresAt: toOptionalDate(row.expires_at),
    consumedAt: toOptionalDate(row.consumed_at),
  };
}

/**
 * Short-lived protocol records (sessions, codes, tokens, grants, interactions). Expired ones read as
 * absent at once and are deleted in batches by `deleteExpired`.
 */
export class ArtifactRepository {
  private readonly db: SqlExecutor;
  /** Where login sessions go instead of the database (`session.redis`), if anywhere. */
  private readonly sessions?: SessionArtifactStore;
  constructor(db: SqlExecutor, sessions?: SessionArtifactStore) {
    this.db = db;
    this.sessions = sessions;
  }

  private elsewhere(model: string): SessionArtifactStore | undefined {
    return this.sessions?.models.has(model) ? this.sessions : undefined;
  }

  async upsert(artifact: Omit<Artifact, 'consumedAt'>): Promise<void> {
    const elsewhere = this.elsewhere(artifact.model);
    if (elsewhere) return elsewhere.upsert(artifact);
    await this.db.run(
      `INSERT INTO oidc_artifacts (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ${onConflictUpdate(this.db.dialect, ['model', 'id'], ['payload', 'grant_id', 'uid', 'user_code', 'expires_at'])}`,
      [
        artifact.model,
        artifact.id,
        JSON.stringify(artifact.payload),
        artifact.grantId,
        artifact.uid,
        artifact.userCode,
        artifact.expiresAt,
      ],
    );
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', model: string, value: string, now: Date) {
    const row = await this.db.get<ArtifactRow>(
      `SELECT * FROM oidc_artifacts WHERE model = ? AND ${column} = ? AND (expires_at IS NULL OR expires_at > ?)`,
      [model, value, now],
    );
    return row && toArtifact(row);
  }

  find(model: string, id: string, now = new Date()): Promise<Artifact | undefined> {
    const elsewhere = this.elsewhere(model);
    if (elsewhere) return elsewhere.find(model, id, now);
    return this.findWhere('id', model, id, now);
  }

  findByUid(model: string, uid: string, now = new Date()): Promise<Artifact | undefined> {
    const elsewhere = this.elsewhere(model);
    if (elsewhere) return elsewhere.findByUid(model, uid, now);
    return this.findWhere('uid', model, uid, now);
  }

  findByUserCode(model: string, userCode: string, now = new Date()): Promise<Artifact | undefined> {
    return this.findWhere('user_code', model, userCode, now);
  }

  /** Live artifacts of a model whose id starts with a prefix (remembered consents are `<user>:<client>`). */
  async listByIdPrefix(model: string, prefix: string, now = new Date()): Promise<Artifact[]> {
    const rows = await this.db.all<ArtifactRow>(
      `SELECT * FROM oidc_artifacts WHERE model = ? AND substr(id, 1, ?) = ? AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY id`,
      [model, prefix.length, prefix, now],
    );
    return rows.map(toArtifact);
  }

  /** Live login sessions, newest first, optionally of one account (read from the stored payload). */
  async listSessions(
    query: { accountId?: string; limit?: number; offset?: number } = {},
    now = new Date(),
  ): Promise<Artifact[]> {
    const elsewhere = this.elsewhere('Session');
    if (elsewhere) return elsewhere.listSessions(query, now);
    const account = {
      postgres: "(payload::jsonb ->> 'accountId')",
      mysql: "json_unquote(json_extract(payload, '$.accountId'))",
      sqlite: "json_extract(payload, '$.accountId')",
    }[this.db.dialect];
    const rows = await this.db.all<ArtifactRow>(
      `SELECT * FROM oidc_artifacts WHERE model = 'Session' AND ${account} IS NOT NULL
         AND (expires_at IS NULL OR expires_at > ?) ${query.accountId ? `AND ${account} = ?` : ''}
       ORDER BY expires_at DESC LIMIT ? OFFSET ?`,
      [now, ...(query.accountId ? [query.accountId] : []), query.limit ?? 100, query.offset ?? 0],
    );
    return rows.map(toArtifact);
  }

  /**
   * The grants an account holds (its Grant records and the grant of every token issued to it), so
   * that everything issued to a user can be revoked with revokeByGrantId.
   */
  async grantsOfAccount(accountId: string, now = new Date()): Promise<string[]> {
    const account = {
      postgres: "(payload::jsonb ->> 'accountId')",
      mysql: "json_unquote(json_extract(payload, '$.accountId'))",
      sqlite: "json_extract(payload, '$.accountId')",
    }[this.db.dialect];
    const rows = await this.db.all<{ model: string; id: string; grant_id: string | null }>(
      `SELECT model, id, grant_id FROM oidc_artifacts
       WHERE ${account} = ? AND (model = 'Grant' OR grant_id IS NOT NULL)
         AND (expires_at IS NULL OR expires_at > ?)`,
      [accountId, now],
    );
    return [...new Set(rows.map((row) => (row.model === 'Grant' ? row.id : row.grant_id!)))];
  }

  /**
   * Records a one-time marker (a used form token) unless it exists: of two concurrent callers
   * exactly one gets `true`. An expired marker is replaced, as it reads as absent.
   */
  async claim(model: string, id: string, expiresAt: Date, now = new Date()): Promise<boolean> {
    if (this.db.dialect === 'mysql') return this.claimByKey(model, id, expiresAt, now);
    const result = await this.db.run(
      `INSERT INTO oidc_artifacts (model, id, payload, expires_at) VALUES (?, ?, '{}', ?)
       ON CONFLICT (model, id) DO UPDATE SET expires_at = excluded.expires_at
       WHERE oidc_artifacts.expires_at IS NOT NULL AND oidc_artifacts.expires_at <= ?`,
      [model, id, expiresAt, now],
    );
    return result.changes === 1;
  }

  /**
   * MySQL has no conditional upsert (and its affected-row counts cannot tell "inserted" from "left
   * alone"): an expired marker is deleted, then the primary key lets exactly one insert through.
   */
  private async claimByKey(model: string, id: string, expiresAt: Date, now: Date): Promise<boolean> {
    await this.db.run(
      'DELETE FROM oidc_artifacts WHERE model = ? AND id = ? AND expires_at IS NOT NULL AND expires_at <= ?',
      [model, id, now],
    );
    try {
      await this.db.run(
        "INSERT INTO oidc_artifacts (model, id, payload, expires_at) VALUES (?, ?, '{}', ?)",
        [model, id, expiresAt],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Marks a one-time artifact used. Of two concurrent callers exactly one gets `true`. */
  async consume(model: string, id: string, now = new Date()): Promise<boolean> {
    const elsewhere = this.elsewhere(model);
    if (elsewhere) return elsewhere.consume(model, id, now);
    const result = await this.db.run(
      'UPDATE oidc_artifacts SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL',
      [now, model, id],
    );
    return result.changes === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    const elsewhere = this.elsewhere(model);
    if (elsewhere) return elsewhere.destroy(model, id);
    await this.db.run('DELETE FROM oidc_artifacts WHERE model = ? AND id = ?', [model, id]);
  }

  /** Deletes everything issued under one grant (refresh-token reuse, logout, revocation). */
  async revokeByGrantId(grantId: string): Promise<number> {
    const elsewhere = (await this.sessions?.revokeByGrantId(grantId)) ?? 0;
    return (
      elsewhere + (await this.db.run('DELETE FROM oidc_artifacts WHERE grant_id = ?', [grantId])).changes
    );
  }

  /** Deletes up to `limit` expired artifacts; returns how many went. */
  async deleteExpired(now = new Date(), limit = 1000): Promise<number> {
    // MySQL cannot read the table it deletes from in a subquery, but its DELETE takes a LIMIT.
    if (this.db.dialect === 'mysql')
      return (
        await this.db.run(
          'DELETE FROM oidc_artifacts WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?',
          [now, limit],
        )
      ).changes;
    const result = await this.db.run(
      `DELETE FROM oidc_artifacts WHERE (model, id) IN (
         SELECT model, id FROM oidc_artifacts WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`,
      [now, limit],
    );
    return result.changes;
  }

  async count(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM oidc_artifacts');
    return Number(row?.n ?? 0);
  }
}
