// What the benchmark runs against: the clients (one definition for Sesame's YAML and for the
// baseline's metadata), Sesame's configuration file, its database, and its process.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { FORWARD_AUTH_CONFIG } from './forward-auth.ts';
import { stringify } from 'yaml';
import { UserService } from '../../src/auth/users.ts';
import { loadConfig, type SesameConfig } from '../../src/config/load.ts';
import { hashSecret } from '../../src/crypto/digest.ts';
import { openStore } from '../../src/services/install.ts';
import type { AppClient, Credentials } from './oidc.ts';
import { random } from './oidc.ts';
import {
  descendantsOf,
  memoryOfTree,
  spawnNode,
  stopProcess,
  tail,
  waitForReady,
  type MemoryUsage,
} from './processes.ts';

export type Engine = 'sqlite' | 'postgres';

export const SESAME_BIN = fileURLToPath(new URL('../../bin/sesame.js', import.meta.url));

/** Never contacted: the flows read the code from the redirect's Location header. */
export const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
export const FLOW_SCOPE = 'openid profile email';
export const OFFLINE_SCOPE = 'openid profile email offline_access';

export const CLIENT_IDS = {
  app: 'bench-app',
  plain: 'bench-machine',
  pbkdf2: 'bench-machine-pbkdf2',
  argon2: 'bench-machine-argon2',
} as const;

/** Fresh for every run: secrets, and the digests of the machine secret. */
export interface Secrets {
  appSecret: string;
  machineSecret: string;
  pbkdf2Digest: string;
  argon2Digest: string;
  user: Credentials;
}

export async function makeSecrets(): Promise<Secrets> {
  const machineSecret = random(32);
  return {
    appSecret: random(32),
    machineSecret,
    // The digests `sesame crypto hash generate pbkdf2|argon2` make by default.
    pbkdf2Digest: await hashSecret(machineSecret, 'pbkdf2', { variant: 'sha512', iterations: 310_000 }),
    argon2Digest: await hashSecret(machineSecret, 'argon2', {}),
    user: { username: 'bench-user', password: random(18) },
  };
}

export function appClient(secrets: Secrets): AppClient {
  return { clientId: CLIENT_IDS.app, clientSecret: secrets.appSecret, redirectUri: REDIRECT_URI };
}

/** Sesame's `identity_providers.oidc.clients` (Authelia's schema). */
export function sesameClients(secrets: Secrets, extra = 0): Record<string, unknown>[] {
  const machine = (clientId: string, secret: string) => ({
    client_id: clientId,
    client_secret: secret,
    authorization_policy: 'one_factor',
    grant_types: ['client_credentials'],
    response_types: [],
  });
  const clients: Record<string, unknown>[] = [
    {
      client_id: CLIENT_IDS.app,
      client_name: 'Benchmark app',
      client_secret: secrets.appSecret,
      authorization_policy: 'one_factor',
      consent_mode: 'implicit',
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      grant_types: ['authorization_code', 'refresh_token'],
    },
    machine(CLIENT_IDS.plain, secrets.machineSecret),
    machine(CLIENT_IDS.pbkdf2, secrets.pbkdf2Digest),
    machine(CLIENT_IDS.argon2, secrets.argon2Digest),
  ];
  // Start-up with many clients: web apps, half with digests (as Authelia recommends), half plaintext.
  for (let index = 0; index < extra; index++)
    clients.push({
      client_id: `app-${index}`,
      client_name: `Application ${index}`,
      client_secret: index % 2 === 0 ? secrets.pbkdf2Digest : random(24),
      authorization_policy: 'one_factor',
      redirect_uris: [`https://app-${index}.example.com/oauth/callback`],
      scopes: ['openid', 'profile', 'email', 'groups'],
    });
  return clients;
}

/** The same clients as oidc-provider metadata, for the baseline. */
export function baselineClients(secrets: Secrets): Record<string, unknown>[] {
  return [
    {
      client_id: CLIENT_IDS.app,
      client_secret: secrets.appSecret,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid profile email offline_access',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: CLIENT_IDS.plain,
      client_secret: secrets.machineSecret,
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ];
}

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface Deployment {
  engine: Engine;
  dir: string;
  port: number;
  url: string;
  schema?: string;
  /** Kept across restarts: the signing keys are sealed with it. */
  encryptionKey: string;
  /** Kept across restarts: cookies and CSRF tokens are keyed with it. */
  hmacSecret: string;
}

/** A one-node SQLite deployment in a fresh temporary folder on a free port (the smaller benchmarks). */
export function sqliteDeployment(label: string, port: number): Deployment {
  return {
    engine: 'sqlite',
    dir: mkdtempSync(join(os.tmpdir(), `sesame-${label}-bench-`)),
    port,
    url: `http://127.0.0.1:${port}`,
    encryptionKey: `${label}-bench-encryption-key-0123456789`,
    hmacSecret: `${label}-bench-hmac-secret-0123456789abcdef`,
  };
}

export function storageSection(deployment: Deployment): Record<string, unknown> {
  if (deployment.engine === 'sqlite') return { local: { path: 'db.sqlite3' } };
  const url = new URL(POSTGRES_URL);
  return {
    postgres: {
      address: `tcp://${url.hostname}:${url.port || 5432}`,
      database: url.pathname.slice(1) || 'postgres',
      schema: deployment.schema,
      username: decodeURIComponent(url.username || 'postgres'),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    },
  };
}

/** Writes a configuration file; password hashing is left at its defaults (the configured cost). */
export function writeConfig(
  deployment: Deployment,
  secrets: Secrets,
  name: string,
  options: { extraClients?: number; logLevel?: string; workers?: number } = {},
): string {
  const file = join(deployment.dir, `${name}.yml`);
  const config = {
    server: {
      address: `tcp://127.0.0.1:${deployment.port}/`,
      external_url: deployment.url,
      workers: options.workers ?? 1,
    },
    log: { level: options.logLevel ?? 'warn' },
    storage: { encryption_key: deployment.encryptionKey, ...storageSection(deployment) },
    identity_providers: {
      oidc: {
        hmac_secret: deployment.hmacSecret,
        clients: sesameClients(secrets, options.extraClients ?? 0),
      },
    },
    ...FORWARD_AUTH_CONFIG,
  };
  writeFileSync(file, `# Written by the benchmark (bench/run.ts).\n${stringify(config)}`, { mode: 0o600 });
  return file;
}

export function readConfig(file: string): SesameConfig {
  return loadConfig(file, {});
}

/** Schema and the benchmark's user, through Sesame's own store and user service. */
export async function prepareDatabase(config: SesameConfig, user: Credentials): Promise<void> {
  const store = openStore(config);
  try {
    await store.migrate();
    await new UserService(
      store,
      config.authentication_backend.password_hashing,
      config.password_policy,
    ).create({
      username: user.username,
      password: user.password,
      email: `${user.username}@example.com`,
      emailVerified: true,
      displayName: 'Benchmark User',
      givenName: 'Benchmark',
      familyName: 'User',
      groups: ['bench'],
    });
  } finally {
    await store.close();
  }
}

/** Sesame's own variables would be read as configuration (and unknown ones refused): none pass. */
function sesameEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SESAME_')));
}

export interface SesameProcess {
  child: ChildProcess;
  pid: number;
  /** spawn → first 200 from /readyz, in milliseconds. */
  readyMs: number;
  logFile: string;
  memory(): MemoryUsage;
  stop(): Promise<void>;
}

export interface SpawnSesameOptions {
  /** Profile the process (node --cpu-prof) into this folder. */
  profileDir?: string;
  /** Extra flags for Node (to try V8 settings without changing Sesame). */
  nodeArgs?: string[];
  label: string;
  /** server.workers in the configuration: ready means every worker listens. */
  workers?: number;
}

/** `node bin/sesame.js start --config FILE`, as in production, timed until /readyz answers 200. */
export async function spawnSesame(
  deployment: Deployment,
  configFile: string,
  options: SpawnSesameOptions,
): Promise<SesameProcess> {
  const logFile = join(deployment.dir, `sesame-${options.label}.log`);
  const nodeArgs = [
    ...(options.nodeArgs ?? []),
    ...(options.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.profileDir}`,
          `--cpu-prof-name=sesame-${options.label}.cpuprofile`,
        ]
      : []),
  ];
  const started = performance.now();
  let readyMs: number;
  const child = spawnNode(SESAME_BIN, ['start', '--config', configFile], {
    nodeArgs,
    logFile,
    env: sesameEnvironment(),
  });
  try {
    await waitForReady(`${deployment.url}/readyz`, child);
    readyMs = performance.now() - started;
    // With several workers, one answering is not all of them (and at log level warn the primary's
    // "ready" line is not written): wait for every worker process, then long enough for the last to
    // listen. readyMs stays the time to the first answer.
    if ((options.workers ?? 1) > 1) {
      const deadline = Date.now() + 30_000;
      while (descendantsOf(child.pid!).length < options.workers!) {
        if (Date.now() > deadline) throw new Error('the workers did not all start');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } catch (error) {
    await stopProcess(child);
    throw new Error(`Sesame did not start: ${(error as Error).message}\n${tail(logFile)}`, { cause: error });
  }
  const pid = child.pid!;
  return {
    child,
    pid,
    readyMs,
    logFile,
    memory: () => memoryOfTree(pid),
    stop: () => stopProcess(child, 10_000),
  };
}
