// Second factors and authentication attempts.
import { randomUUID } from 'node:crypto';
import { fromJson, optional, toBoolean, toDate, toOptionalDate, type SqlExecutor } from '../sql.ts';
import type { Sealer } from './signing-keys.ts';

export interface TotpCredential {
  userId: string;
  /** Base32, already unsealed. */
  secret: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  digits: 6 | 8;
  period: number;
  lastTimeStep?: number;
  confirmedAt?: Date;
  createdAt: Date;
}

interface TotpRow {
  user_id: string;
  secret: string;
  algorithm: string;
  digits: number;
  period: number;
  last_time_step: number | string | null;
  confirmed_at: number | Date | null;
  created_at: number | Date;
}

export class TotpRepository {
  private readonly db: SqlExecutor;
  private readonly sealer: Sealer;
  constructor(db: SqlExecutor, sealer: Sealer) {
    this.db = db;
    this.sealer = sealer;
  }

  async get(userId: string): Promise<TotpCredential | undefined> {
    const row = await this.db.get<TotpRow>('SELECT * FROM totp_credentials WHERE user_id = ?', [userId]);
    if (!row) return undefined;
    return {
      userId: row.user_id,
      // The user id is bound as associated data: a sealed secret copied to another user will not open.
      secret: this.sealer.open(row.secret, `totp:${row.user_id}`),
      algorithm: row.algorithm as TotpCredential['algorithm'],
      digits: Number(row.digits) as 6 | 8,
      period: Number(row.period),
      lastTimeStep: row.last_time_step === null ? undefined : Number(row.last_time_step),
      confirmedAt: toOptionalDate(row.confirmed_at),
      createdAt: toDate(row.created_at),
    };
  }

  /** Replaces any unconfirmed (or confirmed) secret with a new, unconfirmed one. */
  async begin(
    credential: Pick<TotpCredential, 'userId' | 'secret' | 'algorithm' | 'digits' | 'period'>,
  ): Promise<void> {
    await this.db.run('DELETE FROM totp_credentials WHERE user_id = ?', [credential.userId]);
    await this.db.run(
      `INSERT INTO totp_credentials (user_id, secret, algorithm, digits, period, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [
        credential.userId,
        this.sealer.seal(credential.secret, `totp:${credential.userId}`),
        credential.algorithm,
        credential.digits,
        credential.period,
        new Date(),
      ],
    );
  }

  async confirm(userId: string, timeStep: number, at: Date): Promise<void> {
    await this.db.run('UPDATE totp_credentials SET confirmed_at = ?, last_time_step = ? WHERE user_id = ?', [
      at,
      timeStep,
      userId,
    ]);
  }

  /** Records a used time step; false when it (or a later one) was already used: a replay. */
  async useTimeStep(userId: string, timeStep: number): Promise<boolean> {
    const result = await this.db.run(
      `UPDATE totp_credentials SET last_time_step = ?
       WHERE user_id = ? AND (last_time_step IS NULL OR last_time_step < ?)`,
      [timeStep, userId, timeStep],
    );
    return result.changes > 0;
  }

  async delete(userId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM totp_credentials WHERE user_id = ?', [userId])).changes > 0;
  }
}

export class RecoveryCodeRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async replace(userId: string, codeHashes: string[]): Promise<void> {
    await this.db.run('DELETE FROM recovery_codes WHERE user_id = ?', [userId]);
    const now = new Date();
    for (const hash of codeHashes)
      await this.db.run('INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)', [
        userId,
        hash,
        now,
      ]);
  }

  /** Marks an unused code used; false when there is no such unused code. Single use even under races. */
  async use(userId: string, codeHash: string, at: Date): Promise<boolean> {
    const result = await this.db.run(
      'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
      [at, userId, codeHash],
    );
    return result.changes > 0;
  }

  async remaining(userId: string): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL',
      [userId],
    );
    return Number(row?.n ?? 0);
  }

  async deleteAll(userId: string): Promise<void> {
    await this.db.run('DELETE FROM recovery_codes WHERE user_id = ?', [userId]);
  }
}

export interface WebauthnCredential {
  id: string;
  userId: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType?: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt?: Date;
}

interface WebauthnRow {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number | string;
  transports: string;
  device_type: string | null;
  backed_up: unknown;
  created_at: number | Date;
  last_used_at: number | Date | null;
}

function toWebauthn(row: WebauthnRow): WebauthnCredential {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: fromJson(row.transports, []),
    deviceType: optional(row.device_type),
    backedUp: toBoolean(row.backed_up),
    createdAt: toDate(row.created_at),
    lastUsedAt: toOptionalDate(row.last_used_at),
  };
}

export class WebauthnRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async add(credential: Omit<WebauthnCredential, 'createdAt' | 'lastUsedAt'>): Promise<void> {
    await this.db.run(
      `INSERT INTO webauthn_credentials (id, user_id, name, public_key, counter, transports, device_type, backed_up, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        credential.id,
        credential.userId,
        credential.name,
        credential.publicKey,
        credential.counter,
        JSON.stringify(credential.transports),
        credential.deviceType,
        credential.backedUp,
        new Date(),
      ],
    );
  }

  async get(id: string): Promise<WebauthnCredential | undefined> {
    const row = await this.db.get<WebauthnRow>('SELECT * FROM webauthn_credentials WHERE id = ?', [id]);
    return row && toWebauthn(row);
  }

  async listForUser(userId: string): Promise<WebauthnCredential[]> {
    const rows = await this.db.all<WebauthnRow>(
      'SELECT * FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at',
      [userId],
    );
    return rows.map(toWebauthn);
  }

  async used(id: string, counter: number, at: Date): Promise<void> {
    await this.db.run('UPDATE webauthn_credentials SET counter = ?, last_used_at = ? WHERE id = ?', [
      counter,
      at,
      id,
    ]);
  }

  async rename(userId: string, id: string, name: string): Promise<boolean> {
    const result = await this.db.run(
      'UPDATE webauthn_credentials SET name = ? WHERE id = ? AND user_id = ?',
      [name, id, userId],
    );
    return result.changes > 0;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.db.run('DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?', [
      id,
      userId,
    ]);
    return result.changes > 0;
  }

  async removeAll(userId: string): Promise<void> {
    await this.db.run('DELETE FROM webauthn_credentials WHERE user_id = ?', [userId]);
  }
}

export interface AuthenticationAttempt {
  occurredAt: Date;
  username: string;
  clientIp?: string;
  factor: string;
  success: boolean;
}

export class AttemptRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async record(attempt: AuthenticationAttempt): Promise<void> {
    await this.db.run(
      `INSERT INTO authentication_attempts (id, occurred_at, username, client_ip, factor, success) VALUES (?, ?, ?, ?, ?, ?)`,
      [randomUUID(), attempt.occurredAt, attempt.username, attempt.clientIp, attempt.factor, attempt.success],
    );
  }

  /** The newest attempts for a username or an IP address since a moment, newest first. */
  async recent(by: 'user' | 'ip', key: string, since: Date, limit: number): Promise<AuthenticationAttempt[]> {
    const column = by === 'user' ? 'username' : 'client_ip';
    // Attempts in the same millisecond, latest recorded first (see migration 0003 for MySQL's `seq`).
    const order = this.db.dialect === 'mysql' ? 'occurred_at DESC, seq DESC' : 'occurred_at DESC';
    const rows = await this.db.all<{
      occurred_at: number | Date;
      username: string;
      client_ip: string | null;
      factor: string;
      success: unknown;
    }>(
      `SELECT occurred_at, username, client_ip, factor, success FROM authentication_attempts
       WHERE ${column} = ? AND occurred_at >= ? ORDER BY ${order} LIMIT ?`,
      [key, since, limit],
    );
    return rows.map((row) => ({
      occurredAt: toDate(row.occurred_at),
      username: row.username,
      clientIp: optional(row.client_ip),
      factor: row.factor,
      success: toBoolean(row.success),
    }));
  }

  /** Attempts older than the longest window regulation looks at are of no use. */
  async deleteBefore(before: Date): Promise<number> {
    return (await this.db.run('DELETE FROM authentication_attempts WHERE occurred_at < ?', [before])).changes;
  }
}
