// The distributed engine: PostgreSQL through `pg`, a pool per node, one schema per installation.
import pg from 'pg';
import { InvalidInputError } from '../lib/errors.ts';
import type { SqlExecutor, SqlValue } from './sql.ts';
import { tlsOptionsOf, type ClientTlsSettings } from './tls.ts';

export interface PostgresOptions {
  address: string;
  database: string;
  schema: string;
  username: string;
  password?: string;
  timeoutSeconds: number;
  maxConnections: number;
  tls?: ClientTlsSettings;
}

interface Statement {
  /** `?` → `$1, $2 …`; repository SQL never has a `?` inside a literal. */
  text: string;
  /** Each connection parses and plans a named statement once, then only binds and executes it. */
  name?: string;
}

const statements = new Map<string, Statement>();

function statement(sql: string): Statement {
  let found = statements.get(sql);
  if (!found) {
    let index = 0;
    // Built-up SQL (IN lists of any length) is not named: it would fill every connection's cache.
    found = {
      text: sql.replace(/\?/g, () => `$${++index}`),
      name: index > 16 ? undefined : `s${statements.size}`,
    };
    statements.set(sql, found);
  }
  return found;
}

function values(params: readonly SqlValue[]): unknown[] {
  return params.map((value) => (value === undefined ? null : value));
}

/**
 * Runs a repository statement, prepared. A prepared `SELECT *` fails once its table gained a column
 * (another node migrated): that statement then goes unprepared for good.
 */
async function query(client: pg.Pool | pg.ClientBase, sql: string, params: readonly SqlValue[]) {
  const prepared = statement(sql);
  if (!prepared.name) return client.query(prepared.text, values(params));
  try {
    return await client.query({ name: prepared.name, text: prepared.text, values: values(params) });
  } catch (error) {
    if ((error as { code?: string }).code !== '0A000') throw error;
    prepared.name = undefined;
    return client.query(prepared.text, values(params));
  }
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can), and a statement given one fails. So no stored
 * value has one: a lookup by such a value finds nothing, and storing one is refused as bad input.
 */
function holdsNul(params: readonly SqlValue[]): boolean {
  return params.some((value) => typeof value === 'string' && value.includes('\u0000'));
}

async function read(
  client: pg.Pool | pg.ClientBase,
  sql: string,
  params: readonly SqlValue[],
): Promise<unknown[]> {
  return holdsNul(params) ? [] : ((await query(client, sql, params)).rows as unknown[]);
}

async function write(client: pg.Pool | pg.ClientBase, sql: string, params: readonly SqlValue[]) {
  if (holdsNul(params)) throw new InvalidInputError('text cannot contain the NUL character (U+0000)');
  return { changes: (await query(client, sql, params)).rowCount ?? 0 };
}

// 64-bit integers (counts, identities, durations) stay well below 2^53 here: read them as numbers.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    if (oid === (pg.types.builtins.INT8 as number)) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format) as (text: string) => unknown;
  },
};

export function connectionConfig(options: PostgresOptions): pg.PoolConfig {
  const unix = /^unix:\/\/(\/.+)$/.exec(options.address);
  const tcp = /^(?:tcp[46]?:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(options.address);
  const host = unix ? unix[1] : tcp?.[1]?.replace(/^\[|\]$/g, '');
  if (!host)
    throw new Error(`storage.postgres.address: '${options.address}' is not tcp://host:port or unix:///path`);
  return {
    host,
    port: tcp?.[2] ? Number(tcp[2]) : 5432,
    database: options.database,
    user: options.username,
    password: options.password,
    max: options.maxConnections,
    connectionTimeoutMillis: options.timeoutSeconds * 1000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${options.schema}`,
    application_name: 'sesame',
    types,
    ssl: options.tls ? tlsOptionsOf(options.tls) : undefined,
  };
}

/** Statements on a pool (each on any free connection) or on one connection (a transaction's). */
abstract class PostgresQueries implements SqlExecutor {
  readonly dialect = 'postgres';
  protected abstract readonly target: pg.Pool | pg.ClientBase;
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await read(this.target, sql, params)) as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return write(this.target, sql, params);
  }
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Inside a transaction: everything runs on its connection, and a nested transaction joins it. */
class PostgresClient extends PostgresQueries {
  protected readonly target: pg.ClientBase;
  constructor(client: pg.ClientBase) {
    super();
    this.target = client;
  }
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class PostgresExecutor extends PostgresQueries {
  readonly pool: pg.Pool;
  readonly schema: string;
  protected readonly target: pg.Pool;

  constructor(options: PostgresOptions) {
    super();
    this.schema = options.schema;
    this.pool = new pg.Pool(connectionConfig(options));
    this.target = this.pool;
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(new PostgresClient(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /** A dedicated connection for work that needs session state (advisory locks, multi-statement scripts). */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
