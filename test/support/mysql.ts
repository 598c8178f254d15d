// MySQL / MariaDB for tests: the server on 127.0.0.1:3306 (user root, no password), one fresh
// database per use. Outside CI a missing server skips with a visible line; under CI=true it fails.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_URL = process.env.SESAME_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

let available: Promise<string | undefined> | undefined;

async function withAdmin<T>(fn: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
  try {
    return await fn(connection);
  } finally {
    await connection.end().catch(() => {});
  }
}

/** undefined when MySQL answers; otherwise why it does not. */
export function mysqlUnavailable(): Promise<string | undefined> {
  available ??= withAdmin(async (connection) => {
    await connection.query('SELECT 1');
    return undefined;
  }).catch((error: unknown) => `MySQL at ${MYSQL_URL} is not reachable (${(error as Error).message})`);
  return available;
}

/** The `skip` option for a MySQL test: a reason outside CI, never under CI (the test then fails loudly). */
export async function skipWithoutMysql(): Promise<string | false> {
  const reason = await mysqlUnavailable();
  if (!reason) return false;
  if (process.env.CI === 'true') return false;
  console.log(`# SKIPPED MySQL tests: ${reason}`);
  return reason;
}

export function uniqueDatabase(prefix = 'test'): string {
  return `sesame_${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function createDatabase(database: string): Promise<void> {
  await withAdmin((connection) => connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`));
}

export async function dropDatabase(database: string): Promise<void> {
  await withAdmin((connection) => connection.query(`DROP DATABASE IF EXISTS \`${database}\``));
}

export function mysqlConnection(database: string) {
  const url = new URL(MYSQL_URL);
  return {
    address: `tcp://${url.hostname}:${url.port || 3306}`,
    database,
    username: decodeURIComponent(url.username || 'root'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    timeoutSeconds: 5,
    maxConnections: 5,
  };
}
