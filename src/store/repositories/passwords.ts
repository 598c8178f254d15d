import { onConflictUpdate, toDate, type SqlExecutor } from '../sql.ts';

/** Password digests, one per user; the digest string says its own algorithm and cost. */
export class PasswordRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async get(userId: string): Promise<{ digest: string; updatedAt: Date } | undefined> {
    const row = await this.db.get<{ digest: string; updated_at: number | Date }>(
      'SELECT digest, updated_at FROM password_credentials WHERE user_id = ?',
      [userId],
    );
    return row && { digest: row.digest, updatedAt: toDate(row.updated_at) };
  }

  async set(userId: string, digest: string): Promise<void> {
    await this.db.run(
      `INSERT INTO password_credentials (user_id, digest, updated_at) VALUES (?, ?, ?)
       ${onConflictUpdate(this.db.dialect, ['user_id'], ['digest', 'updated_at'])}`,
      [userId, digest, new Date()],
    );
  }

  async delete(userId: string): Promise<void> {
    await this.db.run('DELETE FROM password_credentials WHERE user_id = ?', [userId]);
  }
}
