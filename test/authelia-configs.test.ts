// Authelia's own configuration files (its compose examples, its configuration template and the
// configurations of its integration suites) load and start Sesame. Each file is copied as it is;
// only file paths, ports and host names change, given the way Authelia users give them: through
// AUTHELIA_* environment variables. Files that use Authelia's template filter are read with it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect, type AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/report.ts';
import { isRecord } from '../src/config/schema-kit.ts';
import { createLogger } from '../src/lib/logger.ts';
import { startSesame } from '../src/server/runtime.ts';
import { resolveConfig } from '../src/services/install.ts';
import { createDatabase, dropDatabase, mysqlConnection, uniqueDatabase } from './support/mysql.ts';
import { dropSchema, postgresConnection, uniqueSchema } from './support/postgres.ts';
import { REDIS_HOST, REDIS_PORT } from './support/redis.ts';
import { freePort } from './support/sesame.ts';

// Authelia's files are not part of this repository: they are read where the project's shared
// references sit, beside its folder (or where SESAME_AUTHELIA_REFERENCE points).
const REFERENCE = process.env.SESAME_AUTHELIA_REFERENCE
  ? pathToFileURL(`${process.env.SESAME_AUTHELIA_REFERENCE.replace(/\/+$/, '')}/`)
  : new URL('../../shared/reference/authelia-data/', import.meta.url);
const referencePath = (name: string) => fileURLToPath(new URL(name, REFERENCE));
const MISSING = existsSync(referencePath('suites'))
  ? false
  : `Authelia's reference files are not at ${referencePath('')}`;
const SUITES = MISSING
  ? []
  : readdirSync(referencePath('suites')).filter((name) => name.endsWith('.yml') && name !== 'users.yml');
const FILES = [
  'example-lite.configuration.yml',
  'example-local.configuration.yml',
  'config.template.yml',
  ...SUITES.map((name) => `suites/${name}`),
];

const work = mkdtempSync(join(tmpdir(), 'sesame-authelia-configs-'));
const schemas: string[] = [];
const databases: string[] = [];
const sentinels: ChildProcess[] = [];
const redisUsers = new Set<string>();
const mailServers: SMTPServer[] = [];
after(async () => {
  for (const server of mailServers) await new Promise<void>((resolve) => server.close(resolve));
  for (const schema of schemas) await dropSchema(schema);
  for (const database of databases) await dropDatabase(database);
  for (const sentinel of sentinels) sentinel.kill();
  for (const user of redisUsers) await redisAdmin(['ACL', 'DELUSER', user]);
});

/** A self-signed certificate for the suites' `server.tls` and the OIDC suite's `/pki` files. */
function certificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'private.pem');
  const cert = join(dir, 'public.crt');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=auth.example.com'],
      ...['-keyout', key, '-out', cert],
    ],
    { stdio: 'pipe' },
  );
  return { key, cert };
}

const usersFileFor = (path: string) =>
  referencePath(
    basename(path) === 'users_database.yml' ? 'example-lite.users_database.yml' : 'suites/users.yml',
  );

type Data = Record<string, Record<string, unknown> | undefined>;

/** The AUTHELIA_* variables that move a file's paths, ports and host names onto this machine. */
async function environmentFor(data: Data, dir: string, pem: { key: string; cert: string }) {
  const env: NodeJS.ProcessEnv = { SUITE_SUBNET: '192.0.2' };
  const address = typeof data.server?.address === 'string' ? data.server.address : 'tcp://:9091/';
  env.AUTHELIA_SERVER_ADDRESS = `tcp://127.0.0.1:${await freePort()}${/:\d+(\/.*)$/.exec(address)?.[1] ?? '/'}`;
  if (isRecord(data.server?.tls)) {
    env.AUTHELIA_SERVER_TLS_KEY = pem.key;
    env.AUTHELIA_SERVER_TLS_CERTIFICATE = pem.cert;
  }
  const storage = data.storage ?? {};
  // Authelia's template ships without storage (Authelia refuses it too): give it the local one.
  if (!storage.encryption_key)
    env.AUTHELIA_STORAGE_ENCRYPTION_KEY = 'an-encryption-key-for-the-authelia-files';
  if (isRecord(storage.postgres)) {
    const schema = uniqueSchema('authelia');
    schemas.push(schema);
    const connection = postgresConnection(schema);
    Object.assign(env, {
      AUTHELIA_STORAGE_POSTGRES_ADDRESS: connection.address,
      AUTHELIA_STORAGE_POSTGRES_DATABASE: connection.database,
      AUTHELIA_STORAGE_POSTGRES_USERNAME: connection.username,
      AUTHELIA_STORAGE_POSTGRES_PASSWORD: connection.password ?? '',
      AUTHELIA_STORAGE_POSTGRES_SCHEMA: schema,
    });
  } else if (isRecord(storage.mysql)) {
    const database = uniqueDatabase('authelia');
    await createDatabase(database);
    databases.push(database);
    const connection = mysqlConnection(database);
    Object.assign(env, {
      AUTHELIA_STORAGE_MYSQL_ADDRESS: connection.address,
      AUTHELIA_STORAGE_MYSQL_DATABASE: database,
      AUTHELIA_STORAGE_MYSQL_USERNAME: connection.username,
      AUTHELIA_STORAGE_MYSQL_PASSWORD: connection.password ?? '',
    });
  } else env.AUTHELIA_STORAGE_LOCAL_PATH = join(dir, 'db.sqlite3');
  const file = data.authentication_backend?.file;
  if (isRecord(file)) {
    const users = join(dir, 'users.yml');
    copyFileSync(usersFileFor(String(file.path)), users);
    env.AUTHELIA_AUTHENTICATION_BACKEND_FILE_PATH = users;
  }
  if (isRecord(data.log) && data.log.file_path) env.AUTHELIA_LOG_FILE_PATH = join(dir, 'authelia.log');
  const notifier = data.notifier ?? {};
  if (isRecord(notifier.filesystem))
    env.AUTHELIA_NOTIFIER_FILESYSTEM_FILENAME = join(dir, 'notification.txt');
  if (isRecord(notifier.smtp)) {
    // The file's mail server, with its own credentials, on this machine: a real SMTP server offering
    // StartTLS with a certificate for 127.0.0.1, which Sesame is told to trust.
    const mail = await mailServer(dir, notifier.smtp);
    const scheme =
      /^(\w+):\/\//.exec(typeof notifier.smtp.address === 'string' ? notifier.smtp.address : '')?.[1] ??
      'smtp';
    env.AUTHELIA_NOTIFIER_SMTP_ADDRESS = `${scheme}://127.0.0.1:${mail.port}`;
    env.AUTHELIA_NOTIFIER_SMTP_TLS_CERTIFICATE_AUTHORITY = mail.certificate;
  }
  const redis = data.session?.redis;
  if (isRecord(redis) && !isRecord(redis.high_availability)) {
    env.AUTHELIA_SESSION_REDIS_HOST = REDIS_HOST;
    env.AUTHELIA_SESSION_REDIS_PORT = String(REDIS_PORT);
  }
  return env;
}

/** A real SMTP server (StartTLS) for one file, accepting the file's own credentials if it has any. */
async function mailServer(dir: string, smtp: Record<string, unknown>) {
  const key = join(dir, 'mail-key.pem');
  const cert = join(dir, 'mail-cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ],
    { stdio: 'pipe' },
  );
  const certificate = readFileSync(cert, 'utf8');
  const server = new SMTPServer({
    key: readFileSync(key, 'utf8'),
    cert: certificate,
    logger: false,
    authOptional: smtp.username === undefined,
    onAuth: (auth, _session, callback) =>
      auth.username === smtp.username && auth.password === smtp.password
        ? callback(null, { user: auth.username })
        : callback(new Error('Invalid username or password')),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mailServers.push(server);
  return { port: (server.server.address() as AddressInfo).port, certificate };
}

/**
 * The Redis the file's session.redis names, with its own credentials: its ACL user on the local
 * Redis, and for Redis Sentinel a real sentinel watching it, reached through the file's sentinel
 * host names (rewritten to this machine's address and the sentinel's port).
 */
async function prepareRedis(data: Data, dir: string, text: string): Promise<string> {
  const redis = data.session?.redis;
  if (!isRecord(redis)) return text;
  const user = typeof redis.username === 'string' ? redis.username : undefined;
  const password = typeof redis.password === 'string' ? redis.password : undefined;
  if (user && password) {
    await redisAdmin(['ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all']);
    redisUsers.add(user);
  }
  const ha = redis.high_availability;
  if (!isRecord(ha)) return text;
  const port = await freePort();
  const name = String(ha.sentinel_name);
  const auth = [
    ...(user ? [`sentinel auth-user ${name} ${user}`] : []),
    ...(password ? [`sentinel auth-pass ${name} ${password}`] : []),
  ];
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      ...(typeof ha.sentinel_password === 'string' ? [`requirepass ${ha.sentinel_password}`] : []),
      `sentinel monitor ${name} ${REDIS_HOST} ${REDIS_PORT} 1`,
      ...auth,
      '',
    ].join('\n'),
  );
  const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  sentinels.push(sentinel);
  await waitForPort(port);
  const hosts = (Array.isArray(ha.nodes) ? ha.nodes : []).map((node) => (node as { host: string }).host);
  for (const host of hosts) text = text.replaceAll(`host: '${host}'`, `host: '${REDIS_HOST}'`);
  return text.replaceAll('port: 26379', `port: ${port}`);
}

function redisAdmin(command: string[]): Promise<unknown> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  return client.call(command[0]!, ...command.slice(1)).finally(() => client.disconnect());
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Client keys of Authelia's files that Sesame refuses, taken out before loading (none today: each of its suites loads as it is). */
const REFUSED: Record<string, { problems: RegExp[]; remove: (text: string) => string }> = {};

function problemsOf(file: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(file, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
}

describe("Authelia's configuration files load and start Sesame", { skip: MISSING }, () => {
  for (const name of FILES) {
    test(name, async (t) => {
      const dir = mkdtempSync(join(work, `${basename(name, '.yml')}-`));
      const pem = certificate(dir);
      let text = readFileSync(referencePath(name), 'utf8')
        .replaceAll('/pki/private.oidc.pem', pem.key)
        .replaceAll('/pki/public.oidc.chain.pem', pem.cert);
      const templated = text.includes('{{');
      const data = (parse(templated ? text.replace(/\{\{[^}]*\}\}/g, 'x') : text) ?? {}) as Data;
      const env = await environmentFor(data, dir, pem);
      text = await prepareRedis(data, dir, text);
      if (templated) env.X_AUTHELIA_CONFIG_FILTERS = 'template';
      const file = join(dir, 'configuration.yml');
      const refused = REFUSED[name];
      if (refused) {
        writeFileSync(file, text);
        const problems = problemsOf(file, env).join('\n');
        for (const pattern of refused.problems) assert.match(problems, pattern);
        text = refused.remove(text);
      }
      writeFileSync(file, text);
      const problems = problemsOf(file, env);
      if (problems.length > 0) t.diagnostic(`${name}:\n${problems.join('\n')}`);
      assert.deepEqual(problems, [], `${name} does not load`);
      const resolved = resolveConfig({ env: { ...env, X_AUTHELIA_CONFIG: file } }, false);
      assert.equal(resolved.config.configFile, file);
      for (const warning of resolved.config.warnings) t.diagnostic(warning);
      const running = await startSesame({ resolved, logger: createLogger('silent'), print: () => {} });
      await running.close();
    });
  }
});
