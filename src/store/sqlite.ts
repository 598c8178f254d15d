// The embedded engine: Node's built-in SQLite (no native addon to rebuild), one file, WAL journal.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import type { SqlExecutor, SqlValue } from './sql.ts';

export interface SqliteOptions {
  path: string;
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  /** 'normal' (default) flushes at WAL checkpoints; 'full' flushes every commit. */
  synchronous?: 'normal' | 'full';
}

function bind(params: readonly SqlValue[]): SQLInputValue[] {
  return params.map((value) => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.getTime();
    return value;
  });
}

interface PendingWrite {
  sql: string;
  params: readonly SqlValue[];
  resolve: (result: { changes: number }) => void;
  reject: (error: unknown) => void;
}

class SqliteStatements {
  private readonly cache = new Map<string, StatementSync>();
  readonly db: DatabaseSync;
  constructor(db: DatabaseSync) {
    this.db = db;
  }
  prepare(sql: string): StatementSync {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

/** Runs statements directly: used inside a transaction, where the outer lock is already held. */
class SqliteDirect implements SqlExecutor {
  readonly dialect = 'sqlite';
  protected readonly statements: SqliteStatements;
  constructor(statements: SqliteStatements) {
    this.statements = statements;
  }
  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.statements.prepare(sql).all(...bind(params)) as T[]);
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return Promise.resolve(this.statements.prepare(sql).get(...bind(params)) as T | undefined);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = this.statements.prepare(sql).run(...bind(params));
    return Promise.resolve({ changes: Number(result.changes) });
  }
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/**
 * One connection shared by the process. node:sqlite is synchronous, so a transaction that awaits
 * (say, a password hash) would let other requests' statements run inside it: while a transaction
 * is open, everything else waits for it.
 */
export class SqliteExecutor extends SqliteDirect {
  private busy: Promise<void> | undefined;
  readonly database: DatabaseSync;

  private constructor(database: DatabaseSync) {
    super(new SqliteStatements(database));
    this.database = database;
  }

  static open(options: SqliteOptions): SqliteExecutor {
    const onDisk = options.path !== ':memory:';
    if (onDisk) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    const created = onDisk && !existsSync(options.path);
    const db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
    // The file holds password digests and sealed keys: owner only (SQLite gives -wal/-shm the same mode).
    if (created) chmodSync(options.path, 0o600);
    // WAL lets readers run beside the writer. node:sqlite runs on the event loop, so a flush per commit
    // (FULL) stalls every request; NORMAL flushes at checkpoints and still cannot corrupt the file.
    const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON;`);
    return new SqliteExecutor(db);
  }

  private async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  override async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.idle();
    return super.all<T>(sql, params);
  }
  override async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    await this.idle();
    return super.get<T>(sql, params);
  }
  /**
   * Writes outside a transaction are committed together: the ones issued during one turn of the
   * event loop share a transaction, so a burst of token writes pays for one commit (measured: about
   * half the cost per write) instead of one each. Each write still gets its own result or error,
   * and resolves only once committed.
   */
  override async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    await this.idle();
    return new Promise((resolve, reject) => {
      this.pending.push({ sql, params, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushWhenIdle());
      }
    });
  }

  private pending: PendingWrite[] = [];
  private flushScheduled = false;

  private flushWhenIdle(): void {
    if (this.busy) {
      // A transaction started meanwhile (it flushed what was queued before it): after it.
      void this.idle().then(() => this.flushWhenIdle());
      return;
    }
    this.flushScheduled = false;
    this.flush();
  }

  /** Commits the queued writes now (synchronously). */
  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (batch.length === 1) {
      const [write] = batch as [PendingWrite];
      try {
        write.resolve({
          changes: Number(this.statements.prepare(write.sql).run(...bind(write.params)).changes),
        });
      } catch (error) {
        write.reject(error);
      }
      return;
    }
    const outcomes: ({ changes: number } | { error: unknown })[] = [];
    try {
      this.database.exec('BEGIN IMMEDIATE');
      for (const write of batch) {
        try {
          // A failing statement (a constraint) is undone alone; the others still commit.
          outcomes.push({
            changes: Number(this.statements.prepare(write.sql).run(...bind(write.params)).changes),
          });
        } catch (error) {
          outcomes.push({ error });
        }
      }
      // Some errors (disk full, I/O) end the whole transaction: then nothing was written.
      if (!this.database.isTransaction) throw new Error('the transaction was rolled back');
      this.database.exec('COMMIT');
    } catch (error) {
      if (this.database.isTransaction) this.database.exec('ROLLBACK');
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if ('error' in outcome) write.reject(outcome.error);
      else write.resolve(outcome);
    });
  }

  override async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // Checked again in the turn that takes it: of several transactions woken by the end of one, the
    // first takes the connection and the others wait again.
    do await this.idle();
    while (this.busy);
    // Writes queued before this transaction go first, in their order.
    this.flush();
    let release!: () => void;
    this.busy = new Promise((resolve) => (release = resolve));
    try {
      // IMMEDIATE takes the write lock now, so another process cannot sneak in between our read and write.
      this.database.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteDirect(this.statements));
        this.database.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.database.isTransaction) this.database.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.busy = undefined;
      release();
    }
  }

  /** Runs a script of several statements (migrations). */
  async exec(sql: string): Promise<void> {
    await this.idle();
    this.flush();
    this.database.exec(sql);
  }

  close(): void {
    if (!this.database.isOpen) return;
    this.flush();
    this.database.close();
  }
}
