// Getting an installation ready to serve, shared by `sesame start` and the primary process of a
// cluster (which prepares once, before its workers start): configuration, schema, users file, signing
// keys and the first administrator. Kept free of the HTTP and protocol layers, so a primary stays small.
import { readUsersFile, syncUsersFile } from '../auth/users-file.ts';
import { UserService } from '../auth/users.ts';
import { writeDevelopmentConfig } from '../config/generate.ts';
import { DEFAULT_CONFIG_PATH, loadConfig, type SesameConfig } from '../config/load.ts';
import { ConfigError } from '../config/report.ts';
import { createSealer } from '../crypto/encryption.ts';
import type { Logger } from '../lib/logger.ts';
import { Store, storeOptionsFromConfig } from '../store/index.ts';
import { sessionStoreFromConfig } from '../store/redis-sessions.ts';

export interface ConfigLocation {
  /** An explicit --config path; otherwise SESAME_CONFIG or X_AUTHELIA_CONFIG, otherwise the default. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds the configuration file. Only the default location is ever created (with fresh secrets):
 * a path the operator named must exist.
 */
export function resolveConfig(
  location: ConfigLocation,
  allowGenerate: boolean,
): { config: SesameConfig; generated: boolean } {
  const env = location.env ?? process.env;
  const named = env.SESAME_CONFIG ?? env.X_AUTHELIA_CONFIG;
  if (named?.includes(','))
    throw new ConfigError([
      {
        where: `environment ${env.SESAME_CONFIG ? 'SESAME_CONFIG' : 'X_AUTHELIA_CONFIG'}`,
        path: '',
        message: 'names several files; Sesame reads one configuration file',
        allowed: 'one path',
      },
    ]);
  const path = location.path ?? named ?? DEFAULT_CONFIG_PATH;
  const generated =
    allowGenerate && location.path === undefined && named === undefined && writeDevelopmentConfig(path);
  return { config: loadConfig(path, env), generated };
}

export function openStore(config: SesameConfig): Store {
  return Store.open({
    ...storeOptionsFromConfig(config.storage, createSealer(config.storage.encryption_key)),
    sessions: sessionStoreFromConfig(config),
  });
}

/** Redis, when sessions live there, must answer before Sesame says it is ready. */
async function checkSessionStore(store: Store, config: SesameConfig): Promise<void> {
  const redis = config.session?.redis;
  if (!redis) return;
  try {
    await store.ping();
  } catch (error) {
    const where = redis.high_availability
      ? `the sentinels of '${redis.high_availability.sentinel_name}'`
      : `${redis.host}${redis.host?.startsWith('/') ? '' : `:${redis.port}`}`;
    throw new ConfigError([
      {
        where: config.configFile,
        path: 'session.redis',
        message: `Redis at ${where} does not answer: ${(error as Error).message}`,
        allowed: 'a reachable Redis server, or no session.redis (sessions then stay in the database)',
      },
    ]);
  }
}

/** Opens the store, brings its schema up to date and loads the users file. */
export async function prepareStore(config: SesameConfig, logger: Logger): Promise<Store> {
  const store = openStore(config);
  try {
    await checkSessionStore(store, config);
    const migrations = await store.migrate();
    if (migrations.applied.length > 0)
      logger.info({ applied: migrations.applied, version: migrations.version }, 'database schema migrated');
    const file = config.authentication_backend.file?.path;
    if (file) {
      const report = await syncUsersFile(store, readUsersFile(file), file);
      logger.info(
        {
          file,
          created: report.created.length,
          updated: report.updated.length,
          removed: report.removed.length,
        },
        'users file loaded',
      );
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Creates the first administrator when there is none, and prints its one-time password. */
export async function bootstrapAdministrator(
  store: Store,
  config: SesameConfig,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  const admin = await new UserService(
    store,
    config.authentication_backend.password_hashing,
    config.password_policy,
  ).bootstrapAdministrator();
  if (!admin) return;
  print(
    [
      '',
      '  Sesame created the first administrator. This password is shown only once:',
      `    username: ${admin.username}`,
      `    password: ${admin.password}`,
      `  Change it with: npx sesame users passwd ${admin.username}`,
      '',
      '',
    ].join('\n'),
  );
}
