import { toDate, type SqlExecutor } from '../sql.ts';
import type { SigningKey, SigningKeyStatus } from '../types.ts';

interface KeyRow {
  kid: string;
  algorithm: string;
  use: string;
  private_jwk: string;
  public_jwk: string;
  status: string;
  created_at: number | Date;
  retired_at: number | Date | null;
}

/** Private keys are sealed with `storage.encryption_key` before they reach the database. */
export interface Sealer {
  seal(plaintext: string, associatedData?: string): string;
  open(sealed: string, associatedData?: string): string;
}

export class SigningKeyRepository {
  private readonly db: SqlExecutor;
  private readonly sealer: Sealer;
  private readonly changed: () => void;
  constructor(db: SqlExecutor, sealer: Sealer, changed: () => void = () => {}) {
    this.db = db;
    this.sealer = sealer;
    this.changed = changed;
  }

  private toKey(row: KeyRow): SigningKey {
    return {
      kid: row.kid,
      algorithm: row.algorithm,
      use: row.use,
      // The kid is bound as associated data: a sealed key copied onto another row will not open.
      privateJwk: this.sealer.open(row.private_jwk, row.kid),
      publicJwk: row.public_jwk,
      status: row.status as SigningKeyStatus,
      createdAt: toDate(row.created_at),
      retiredAt: row.retired_at === null ? undefined : toDate(row.retired_at),
    };
  }

  async add(key: Omit<SigningKey, 'createdAt' | 'retiredAt'>): Promise<SigningKey> {
    await this.db.run(
      `INSERT INTO signing_keys (kid, algorithm, "use", private_jwk, public_jwk, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        key.kid,
        key.algorithm,
        key.use,
        this.sealer.seal(key.privateJwk, key.kid),
        key.publicJwk,
        key.status,
        new Date(),
      ],
    );
    this.changed();
    return (await this.get(key.kid))!;
  }

  async get(kid: string): Promise<SigningKey | undefined> {
    const row = await this.db.get<KeyRow>('SELECT * FROM signing_keys WHERE kid = ?', [kid]);
    return row && this.toKey(row);
  }

  async list(status?: SigningKeyStatus): Promise<SigningKey[]> {
    const rows = status
      ? await this.db.all<KeyRow>('SELECT * FROM signing_keys WHERE status = ? ORDER BY created_at', [status])
      : await this.db.all<KeyRow>('SELECT * FROM signing_keys ORDER BY created_at');
    return rows.map((row) => this.toKey(row));
  }

  async setStatus(kid: string, status: SigningKeyStatus): Promise<void> {
    await this.db.run('UPDATE signing_keys SET status = ?, retired_at = ? WHERE kid = ?', [
      status,
      status === 'retired' ? new Date() : null,
      kid,
    ]);
    this.changed();
  }

  async delete(kid: string): Promise<boolean> {
    const deleted = (await this.db.run('DELETE FROM signing_keys WHERE kid = ?', [kid])).changes > 0;
    this.changed();
    return deleted;
  }
}
