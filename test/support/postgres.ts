// PostgreSQL for tests: the server on 127.0.0.1:5432 (user postgres, database test), one fresh
// schema per use. Outside CI a missing server skips with a visible line; under CI=true it fails.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.SESAME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let available: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise why it does not. */
export function postgresUnavailable(): Promise<string | undefined> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${POSTGRES_URL} is not reachable (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return available;
}

/** The `skip` option for a PostgreSQL test: a reason outside CI, never under CI (the test then fails loudly). */
export async function skipWithoutPostgres(): Promise<string | false> {
  const reason = await postgresUnavailable();
  if (!reason) return false;
  if (process.env.CI === 'true') return false;
  console.log(`# SKIPPED PostgreSQL tests: ${reason}`);
  return reason;
}

export function uniqueSchema(prefix = 'test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function postgresConnection(schema: string) {
  const url = new URL(POSTGRES_URL);
  return {
    address: `tcp://${url.hostname}:${url.port || 5432}`,
    database: url.pathname.slice(1) || 'test',
    schema,
    username: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    timeoutSeconds: 5,
    maxConnections: 5,
  };
}
