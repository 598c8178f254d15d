// Wiring: configuration → storage → users → HTTP server. The CLI's commands call into here.
import { namedNetworks } from '../config/access-control-schema.ts';
import cluster from 'node:cluster';
import { performance } from 'node:perf_hooks';
import type { SesameConfig } from '../config/load.ts';
import { parseListenAddress } from '../config/schema.ts';
import { LdapDirectory } from '../auth/ldap.ts';
import { PasswordAuthenticator } from '../auth/login.ts';
import { ldapSettingsOf } from '../config/ldap-schema.ts';
import { DirectorySync, refreshSecondsOf } from '../services/directory-sync.ts';
import { AuthorizationPolicies } from '../auth/policy.ts';
import { AccessControl } from '../auth/access-control.ts';
import { Factors } from '../factors/index.ts';
import { ClientSecretVerifier } from '../oidc/client-secrets.ts';
import { ClientRegistry, fromConfig } from '../oidc/clients.ts';
import { Issuers } from '../oidc/issuers.ts';
import { configuredKeys } from '../oidc/keys.ts';
import { buildServer } from './app.ts';
import { ResponseCache } from './response-cache.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { enableMetrics, processMetrics } from '../lib/metrics.ts';
import { enginePages } from '../web/pages.ts';
import { portalClient } from '../oidc/portal-client.ts';
import { loggerFor, type Logger } from '../lib/logger.ts';
import type { Store } from '../store/index.ts';
import type { FastifyInstance } from 'fastify';
import {
  bootstrapAdministrator,
  prepareStore,
  resolveConfig,
  type ConfigLocation,
} from '../services/install.ts';
import { signingKeyService } from '../services/keys.ts';
import { checkNotifier } from '../services/notifier.ts';

const GARBAGE_COLLECTION_INTERVAL_MS = 60_000;
/** How soon a change made by another node or the CLI reaches this one's caches. */
const CHANGE_POLL_INTERVAL_MS = 1000;

export interface RunningSesame {
  config: SesameConfig;
  store: Store;
  factors: Factors;
  app: FastifyInstance;
  /** The address actually listened on (useful with port 0). */
  url: string;
  /** Picks up rotated signing keys now (otherwise within a minute); true when they changed. */
  reloadKeys(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StartOptions extends ConfigLocation {
  /** Where the one-time administrator credentials are printed. */
  print?: (text: string) => void;
  logger?: Logger;
  /** Milliseconds since the epoch; tests move it to check codes and bans without waiting. */
  clock?: () => number;
  /** The configuration, when the caller has read it already. */
  resolved?: ReturnType<typeof resolveConfig>;
}

/** The protocol engine and what it needs: keys, clients, factors, policies and the issuers. */
async function startEngine(config: SesameConfig, store: Store, options: StartOptions, logger: Logger) {
  const oidc = config.identity_providers.oidc;
  const keyService = signingKeyService(store, config);
  const loadKeys = () =>
    oidc.jwks.length > 0 ? Promise.resolve(configuredKeys(oidc.jwks)) : keyService.load();
  let keys = await loadKeys();
  const clients = new ClientRegistry(store, [
    portalClient(config),
    ...oidc.clients.map((client) => fromConfig(client, oidc.lifespans.custom)),
  ]);
  const factors = new Factors(store, config, options.clock, logger);
  const responses = new ResponseCache();
  const policies = new AuthorizationPolicies(
    oidc.authorization_policies,
    namedNetworks(config.access_control, config.definitions),
  );
  const issuers = new Issuers({
    pages: enginePages(config),
    config,
    store,
    clients,
    secrets: new ClientSecretVerifier({ regulation: config.regulation, now: options.clock }),
    keys,
    logger,
    policies,
    hasSecondFactor: (userId) => factors.hasSecondFactor(userId),
  });
  const reloadKeys = async () => {
    const current = await loadKeys();
    const kids = (list: typeof keys) => list.map((key) => key.kid).join(',');
    if (kids(current) === kids(keys)) return false;
    keys = current;
    issuers.useKeys(keys);
    responses.clear();
    logger.info({ kids: keys.map((key) => key.kid) }, 'signing keys changed');
    return true;
  };
  return { factors, responses, policies, issuers, reloadKeys };
}

/**
 * A rotation made elsewhere (CLI, another node): sign with the new keys (reloadKeys drops cached
 * key sets). A rotation writes several key rows, each a notification: reload once, after the burst.
 */
function followKeyRotations(store: Store, reloadKeys: () => Promise<boolean>, logger: Logger): void {
  let reloadQueued = false;
  store.changes.on('signing_keys', () => {
    if (reloadQueued) return;
    reloadQueued = true;
    setImmediate(() => {
      reloadQueued = false;
      reloadKeys().catch((error: unknown) => logger.warn({ err: error }, 'reloading signing keys failed'));
    });
  });
}

/** refresh_interval: directory users are read again every so often (see services/directory-sync.ts). */
function startDirectoryRefresh(config: SesameConfig, store: Store, directory: LdapDirectory, logger: Logger) {
  const seconds = refreshSecondsOf(config.authentication_backend.refresh_interval);
  if (seconds === undefined) return () => {};
  const sync = new DirectorySync(store, directory, logger);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sync
      .refresh()
      .catch((error: unknown) => logger.warn({ err: error }, 'refreshing the directory users failed'))
      .finally(() => (running = false));
  }, seconds * 1000).unref();
  return () => clearInterval(timer);
}

/** Garbage collection and the change poll; the returned function stops both. */
function startHousekeeping(store: Store, factors: Factors, logger: Logger): () => void {
  const collector = setInterval(() => {
    factors.regulator
      .prune()
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning authentication attempts failed'));
    store.artifacts.deleteExpired().then(
      (deleted) => deleted > 0 && logger.debug({ deleted }, 'expired artifacts removed'),
      (error: unknown) => logger.warn({ err: error }, 'removing expired artifacts failed'),
    );
  }, GARBAGE_COLLECTION_INTERVAL_MS).unref();
  // Changes made by the CLI or another node (clients, applications, key rotations) arrive here.
  const watcher = setInterval(() => {
    store
      .pollChanges()
      .catch((error: unknown) => logger.warn({ err: error }, 'reading the change counters failed'));
  }, CHANGE_POLL_INTERVAL_MS).unref();
  return () => {
    clearInterval(collector);
    clearInterval(watcher);
  };
}

/** Listens on server.address; the URL actually listened on. */
async function listen(app: FastifyInstance, config: SesameConfig): Promise<string> {
  const address = parseListenAddress(config.server.address)!;
  const url = await (address.kind === 'unix'
    ? app.listen({ path: address.path })
    : app.listen({ host: address.host ?? '0.0.0.0', port: address.port ?? 9091 }));
  // (Fastify names the scheme from its own https option, unused here: the server is ours.)
  return config.server.tls ? url.replace(/^http:/, 'https:') : url;
}

/**
 * telemetry.metrics: served here, unless this is a cluster's worker (then the primary serves every
 * worker's, summed).
 */
async function startMetrics(config: SesameConfig, logger: Logger): Promise<MetricsServer | undefined> {
  if (!config.telemetry.metrics.enabled || cluster.isWorker) return undefined;
  return startMetricsServer(config, processMetrics, logger);
}

function logReady(logger: Logger, config: SesameConfig, store: Store, url: string): void {
  logger.info(
    {
      url,
      issuer: config.externalUrl,
      storage: store.describe(),
      startup_ms: Math.round(performance.now()),
      rss_mib: Math.round(process.memoryUsage.rss() / 1048576),
    },
    'Sesame is ready',
  );
}

export async function startSesame(options: StartOptions = {}): Promise<RunningSesame> {
  const { config, generated } = options.resolved ?? resolveConfig(options, true);
  const logger = options.logger ?? loggerFor(config.log);
  if (generated)
    logger.info({ file: config.configFile }, 'wrote a development configuration with fresh secrets');
  for (const warning of config.warnings) logger.warn(warning);
  // (Before the worker listens: the primary may ask for its metrics as soon as it does.)
  if (config.telemetry.metrics.enabled) enableMetrics();
  // A cluster's primary checked it already.
  if (!cluster.isWorker) await checkNotifier(config);
  const store = await prepareStore(config, logger);
  // The counters as they are before anything is loaded: later polls report what moved since.
  await store.pollChanges();
  const { factors, responses, policies, issuers, reloadKeys } = await startEngine(
    config,
    store,
    options,
    logger,
  );
  const ldap = config.authentication_backend.ldap;
  const directory = ldap ? new LdapDirectory(ldapSettingsOf(ldap), logger) : undefined;
  const authenticator = new PasswordAuthenticator(
    store,
    config.authentication_backend.password_hashing,
    directory,
    logger,
  );
  const app = buildServer({
    config,
    store,
    logger,
    issuers,
    authenticator,
    factors,
    policies,
    accessControl: new AccessControl(config.access_control, config.definitions),
    reloadKeys,
    responses,
  });
  followKeyRotations(store, reloadKeys, logger);
  let stopHousekeeping = () => {};
  let stopRefresh = () => {};
  let metricsServer: MetricsServer | undefined;
  const close = async () => {
    stopHousekeeping();
    stopRefresh();
    await metricsServer?.close();
    await app.close();
    await directory?.close();
    await store.close();
  };
  try {
    await bootstrapAdministrator(store, config, options.print);
    const url = await listen(app, config);
    metricsServer = await startMetrics(config, logger);
    stopHousekeeping = startHousekeeping(store, factors, logger);
    stopRefresh = directory ? startDirectoryRefresh(config, store, directory, logger) : stopRefresh;
    logReady(logger, config, store, url);
    return { config, store, factors, app, url, reloadKeys, close };
  } catch (error) {
    await close();
    throw error;
  }
}
