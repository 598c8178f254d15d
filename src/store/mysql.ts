// The third engine: MySQL 8 and MariaDB 10.6+ through `mysql2`, a pool per node, one database per
// installation. Every statement is a server-side prepared statement.
import { connect as connectTcp } from 'node:net';
import mysql from 'mysql2/promise';
import { InvalidInputError } from '../lib/errors.ts';
import type { SqlExecutor, SqlValue } from './sql.ts';

export interface MysqlTlsOptions {
  server_name?: string;
  skip_verify: boolean;
  minimum_version?: string;
  maximum_version?: string;
  certificate_chain?: string;
  private_key?: string;
  certificate_authority?: string;
}

export interface MysqlOptions {
  address: string;
  database: string;
  username: string;
  password?: string;
  timeoutSeconds: number;
  maxConnections: number;
  tls?: MysqlTlsOptions;
}

/**
 * Set on every new connection, so the repositories' portable SQL means the same as elsewhere:
 * "quoted" identifiers and `||` concatenation as in standard SQL, errors instead of silent
 * truncation, READ COMMITTED as PostgreSQL (a locking UPDATE sees the latest committed row), and
 * room for the group lists users are read with.
 */
const SESSION_SETUP = [
  "SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00', group_concat_max_len = 1048576",
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
];

const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

function tlsVersion(value: string | undefined) {
  return value === undefined ? undefined : TLS_VERSIONS[value.replace(/^TLS\s?/, '')];
}

function sslOptions(tls: MysqlTlsOptions): mysql.SslOptions {
  return {
    rejectUnauthorized: !tls.skip_verify,
    verifyIdentity: !tls.skip_verify,
    ca: tls.certificate_authority,
    cert: tls.certificate_chain,
    key: tls.private_key,
    minVersion: tlsVersion(tls.minimum_version),
    maxVersion: tlsVersion(tls.maximum_version),
  };
}

/** `tcp://host:port` (port 3306 by default) or `unix:///path/to/mysqld.sock`. */
export function connectionConfig(options: MysqlOptions): mysql.PoolOptions {
  const unix = /^unix:\/\/(\/[^?]+)/.exec(options.address);
  const tcp = /^(?:tcp[46]?:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(options.address);
  const host = tcp?.[1]?.replace(/^\[|\]$/g, '');
  if (!unix && !host)
    throw new Error(`storage.mysql.address: '${options.address}' is not tcp://host:port or unix:///path`);
  const port = tcp?.[2] ? Number(tcp[2]) : 3306;
  // mysql2 checks the certificate against `host`: to check it against server_name instead, that
  // name is the host and the socket goes to the real address.
  const serverName = options.tls?.server_name;
  return {
    ...(unix ? { socketPath: unix[1] } : { host: serverName ?? host, port }),
    ...(serverName && host ? { stream: () => connectTcp(port, host) } : {}),
    database: options.database,
    user: options.username,
    password: options.password,
    connectionLimit: options.maxConnections,
    connectTimeout: options.timeoutSeconds * 1000,
    maxIdle: options.maxConnections,
    idleTimeout: 30_000,
    // Times are DATETIME(3) in UTC: Dates go in and come out as UTC.
    timezone: 'Z',
    charset: 'UTF8MB4_UNICODE_CI',
    // Statements are few and reused; bound the per-connection cache (the server limits the total).
    maxPreparedStatements: 512,
    ssl: options.tls ? sslOptions(options.tls) : undefined,
  };
}

function values(params: readonly SqlValue[]): (string | number | boolean | Date | null)[] {
  return params.map((value) => (value === undefined ? null : value));
}

/** Errors that are bad input, not an engine failure: a value longer than its column allows. */
function translate(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'ER_DATA_TOO_LONG') {
    const column = /column '([^']+)'/.exec((error as Error).message)?.[1];
    return new InvalidInputError(`a value is too long${column ? ` for ${column}` : ''}`, column);
  }
  return error;
}

type Target = mysql.Pool | mysql.PoolConnection;

async function execute(target: Target, sql: string, params: readonly SqlValue[]) {
  try {
    return (await target.execute(sql, values(params)))[0];
  } catch (error) {
    throw translate(error);
  }
}

/** Statements on the pool (each on any free connection) or on one connection (a transaction's). */
abstract class MysqlQueries implements SqlExecutor {
  readonly dialect = 'mysql';
  protected abstract readonly target: Target;
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await execute(this.target, sql, params)) as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  /** `changes` counts the rows matched, as on the other engines (the FOUND_ROWS client flag). */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number; insertId?: number }> {
    const result = (await execute(this.target, sql, params)) as mysql.ResultSetHeader;
    return { changes: result.affectedRows, insertId: result.insertId || undefined };
  }
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Inside a transaction: everything runs on its connection, and a nested transaction joins it. */
class MysqlConnection extends MysqlQueries {
  protected readonly target: mysql.PoolConnection;
  constructor(connection: mysql.PoolConnection) {
    super();
    this.target = connection;
  }
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class MysqlExecutor extends MysqlQueries {
  readonly pool: mysql.Pool;
  readonly database: string;
  protected readonly target: mysql.Pool;

  constructor(options: MysqlOptions) {
    super();
    this.database = options.database;
    this.pool = mysql.createPool(connectionConfig(options));
    this.target = this.pool;
    // Queued on the new connection ahead of anything the pool hands it out for; a connection that
    // cannot be set up is closed rather than used with the server's defaults.
    this.pool.pool.on('connection', (connection) => {
      for (const statement of SESSION_SETUP)
        connection.query(statement, (error) => {
          if (error) connection.destroy();
        });
    });
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.withConnection(async (connection) => {
      await connection.query('START TRANSACTION');
      try {
        const result = await fn(new MysqlConnection(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      }
    });
  }

  /** A dedicated connection for work that needs session state (named locks, DDL scripts). */
  async withConnection<T>(fn: (connection: mysql.PoolConnection) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    try {
      return await fn(connection);
    } finally {
      connection.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
