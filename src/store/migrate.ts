// Numbered migrations, one folder per engine (`migrations/<engine>/0001_name.sql`), applied in
// order at start under a lock so that several nodes starting together apply each exactly once.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { RowDataPacket as RowLike } from 'mysql2';
import type { MysqlExecutor } from './mysql.ts';
import type { PostgresExecutor } from './postgres.ts';
import type { Dialect } from './sql.ts';
import type { SqliteExecutor } from './sqlite.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  applied: { version: number; name: string }[];
  version: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dialect: Dialect): Migration[] {
  const folder = new URL(`./migrations/${dialect}/`, import.meta.url);
  const migrations = readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new MigrationError(`migration file '${file}' is not named NNNN_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(new URL(file, folder), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new MigrationError(
        `${dialect} migrations must be numbered 1, 2, 3 …; found ${migration.version} at position ${index + 1}`,
      );
  });
  return migrations;
}

const CREATE_TABLE = {
  sqlite:
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  postgres:
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)',
  mysql:
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
};

function pending(migrations: Migration[], applied: number[], dialect: Dialect): Migration[] {
  const current = Math.max(0, ...applied);
  const known = migrations.length;
  if (current > known)
    throw new MigrationError(
      `the ${dialect} database is at schema version ${current}, newer than this Sesame knows (${known}); run the newer Sesame or restore a backup`,
    );
  return migrations.filter((migration) => !applied.includes(migration.version));
}

export function migrateSqlite(executor: SqliteExecutor): Promise<MigrationReport> {
  const migrations = loadMigrations('sqlite');
  const db = executor.database;
  // BEGIN IMMEDIATE holds SQLite's write lock: a second process waits, then sees the work done.
  return executor.transaction(() => {
    db.exec(CREATE_TABLE.sqlite);
    const applied = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (row) => row.version,
    );
    const todo = pending(migrations, applied, 'sqlite');
    for (const migration of todo) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }
    return Promise.resolve({
      applied: todo.map(({ version, name }) => ({ version, name })),
      version: migrations.length,
    });
  });
}

export async function migratePostgres(executor: PostgresExecutor): Promise<MigrationReport> {
  const migrations = loadMigrations('postgres');
  return executor.withClient(async (client) => {
    await client.query('BEGIN');
    try {
      // Transaction-scoped advisory lock: released by COMMIT/ROLLBACK, even if this node dies.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `sesame-migrations:${executor.schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${executor.schema}"`);
      await client.query(CREATE_TABLE.postgres);
      const applied = (
        await client.query<{ version: number }>('SELECT version FROM schema_migrations')
      ).rows.map((row) => row.version);
      const todo = pending(migrations, applied, 'postgres');
      for (const migration of todo) {
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())',
          [migration.version, migration.name],
        );
      }
      await client.query('COMMIT');
      return { applied: todo.map(({ version, name }) => ({ version, name })), version: migrations.length };
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

/** A migration file's statements: each ends with `;` at the end of a line; comment-only pieces go. */
export function statementsOf(sql: string): string[] {
  return sql
    .split(/;[ \t]*$/m)
    .filter((piece) => piece.replace(/^\s*--.*$/gm, '').trim() !== '')
    .map((piece) => piece.trim());
}

/**
 * The migrations are written for MariaDB. MySQL 8 names the exact (binary, no-pad) utf8mb4
 * collation differently; nothing else differs.
 */
function forServer(sql: string, version: string): string {
  return /mariadb/i.test(version) ? sql : sql.replaceAll('utf8mb4_nopad_bin', 'utf8mb4_0900_bin');
}

const LOCK_WAIT_SECONDS = 120;

export async function migrateMysql(executor: MysqlExecutor): Promise<MigrationReport> {
  const migrations = loadMigrations('mysql');
  // Named locks are server-wide and at most 64 characters: one per database.
  const lock = `sesame-migrations:${createHash('sha256').update(executor.database).digest('hex').slice(0, 40)}`;
  return executor.withConnection(async (connection) => {
    // A session lock, released below or when this node's connection ends. MySQL commits each DDL
    // statement by itself, so a migration that fails halfway is not undone: its version is not
    // recorded, and the error says which statement failed.
    const [[locked]] = await connection.query<({ locked: number | null } & RowLike)[]>(
      'SELECT GET_LOCK(?, ?) AS locked',
      [lock, LOCK_WAIT_SECONDS],
    );
    if (locked?.locked !== 1)
      throw new MigrationError(`another node held the migration lock for over ${LOCK_WAIT_SECONDS}s`);
    try {
      await connection.query(CREATE_TABLE.mysql);
      const [rows] = await connection.query<({ version: number } & RowLike)[]>(
        'SELECT version FROM schema_migrations',
      );
      const todo = pending(
        migrations,
        rows.map((row) => row.version),
        'mysql',
      );
      const [[server]] = await connection.query<({ version: string } & RowLike)[]>(
        'SELECT VERSION() AS version',
      );
      for (const migration of todo) {
        for (const statement of statementsOf(forServer(migration.sql, server!.version)))
          await connection.query(statement);
        await connection.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))',
          [migration.version, migration.name],
        );
      }
      return { applied: todo.map(({ version, name }) => ({ version, name })), version: migrations.length };
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  });
}
