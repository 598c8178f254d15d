// An in-process Sesame on a free port, on SQLite, on a fresh PostgreSQL schema or on a fresh MySQL
// database, for protocol tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationService, type NewApplicationInput } from '../../src/services/applications.ts';
import { UserService } from '../../src/auth/users.ts';
import { startSesame, type RunningSesame } from '../../src/server/runtime.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import type { NewUser, User } from '../../src/store/index.ts';
import { createDatabase, dropDatabase, mysqlConnection, skipWithoutMysql, uniqueDatabase } from './mysql.ts';
import { dropSchema, postgresConnection, skipWithoutPostgres, uniqueSchema } from './postgres.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestSesame {
  running: RunningSesame;
  url: string;
  /** Where this node itself listens: `url`, except on a second node (`nodeOf`). */
  nodeUrl: string;
  /** The PostgreSQL schema (on PostgreSQL) or the MySQL database (on MySQL) it uses. */
  schema: string;
  addUser(user: NewUser & { password: string }): Promise<User>;
  addApplication(
    input: NewApplicationInput,
  ): Promise<{ slug: string; clientId: string; clientSecret?: string; issuer: string }>;
  stop(): Promise<void>;
}

export interface TestSesameOptions {
  /** YAML for top-level sections (regulation, totp …), added at the end of the file. */
  topLevelYaml?: string;
  /** A controllable clock (ms since the epoch) for codes and bans. */
  clock?: () => number;
  /** The host name in the external URL; WebAuthn needs a domain such as localhost, not an IP address. */
  hostname?: string;
  /** The whole external URL when it is not this node's own address (a reverse proxy's, say). */
  externalUrl?: string;
  /**
   * Another node of that installation (PostgreSQL, MySQL): the same schema or database and external
   * URL, its own port. The schema or database is left for the first node to drop.
   */
  nodeOf?: TestSesame;
  /** An Authelia users file (YAML) to load beside the database's own users. */
  usersFile?: string;
  /** YAML for further `authentication_backend` keys (password_reset, ldap …), indented by two spaces. */
  backendYaml?: string;
  /** YAML for further `server` keys (trusted_proxies, endpoints …), indented by two spaces. */
  serverYaml?: string;
  /** Where the server logs (silent unless SESAME_TEST_LOG names a level). */
  logger?: Logger;
}

export type TestEngine = 'sqlite' | 'postgres' | 'mysql';

/** The `skip` option for tests on an engine: SQLite is always there; the servers may not be. */
export function skipWithout(engine: TestEngine): Promise<string | false> {
  if (engine === 'postgres') return skipWithoutPostgres();
  if (engine === 'mysql') return skipWithoutMysql();
  return Promise.resolve(false);
}

/** The `storage:` section's backend for an engine; a MySQL database is created first. */
async function storageYaml(engine: TestEngine, schema: string, fresh: boolean): Promise<string> {
  if (engine === 'sqlite') return '  local:\n    path: db.sqlite3';
  if (engine === 'mysql') {
    if (fresh) await createDatabase(schema);
    const my = mysqlConnection(schema);
    return `  mysql:\n    address: ${my.address}\n    database: ${schema}\n    username: ${my.username}${my.password ? `\n    password: ${my.password}` : ''}`;
  }
  const pg = postgresConnection(schema);
  return `  postgres:\n    address: ${pg.address}\n    database: ${pg.database}\n    schema: ${schema}\n    username: ${pg.username}`;
}

export async function startTestSesame(
  engine: TestEngine,
  extraYaml = '',
  options: TestSesameOptions = {},
): Promise<TestSesame> {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-oidc-'));
  const port = await freePort();
  const nodeUrl = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const url = options.nodeOf?.url ?? options.externalUrl ?? nodeUrl;
  const schema =
    options.nodeOf?.schema ?? (engine === 'mysql' ? uniqueDatabase('oidc') : uniqueSchema('oidc'));
  const storage = await storageYaml(engine, schema, !options.nodeOf);
  const file = join(dir, 'sesame.yml');
  if (options.usersFile !== undefined) writeFileSync(join(dir, 'users.yml'), options.usersFile);
  writeFileSync(
    file,
    `server:
  address: tcp://127.0.0.1:${port}/
  external_url: ${url}
${options.serverYaml ?? ''}
log:
  level: warn
storage:
  encryption_key: oidc-test-encryption-key-0123456789
${storage}
authentication_backend:
${options.usersFile === undefined ? '' : '  file:\n    path: users.yml\n'}${options.backendYaml ?? ''}  password_hashing:
    argon2: { memory: 8192, iterations: 1, parallelism: 1 }
identity_providers:
  oidc:
    hmac_secret: oidc-test-hmac-secret-0123456789-0123456789
${extraYaml}
${options.topLevelYaml ?? ''}
${options.topLevelYaml?.includes('regulation:') ? '' : 'regulation:\n  max_retries: 20\n'}`,
  );
  const running = await startSesame({
    path: file,
    env: {},
    logger: options.logger ?? createLogger(process.env.SESAME_TEST_LOG ?? 'silent'),
    print: () => {},
    clock: options.clock,
  });
  const hashing = running.config.authentication_backend.password_hashing;
  return {
    running,
    url,
    nodeUrl,
    schema,
    addUser: (user) => new UserService(running.store, hashing, running.config.password_policy).create(user),
    async addApplication(input) {
      const created = await new ApplicationService(running.store, hashing, running.config.externalUrl).create(
        input,
        'test',
      );
      return {
        slug: created.application.slug,
        clientId: created.client.clientId,
        clientSecret: created.clientSecret,
        issuer: created.urls.issuer,
      };
    },
    async stop() {
      await running.close();
      if (engine === 'postgres' && !options.nodeOf) await dropSchema(schema);
      if (engine === 'mysql' && !options.nodeOf) await dropDatabase(schema);
    },
  };
}
