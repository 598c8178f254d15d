// Several processes on one machine (server.workers): a small primary prepares the installation once
// (schema, keys, first administrator), then forks workers that each run the whole server on the
// shared listen address (Node's cluster hands connections out in turn). Workers keep no state of
// their own that matters: sessions, tokens and counters are in the database; what they cache is
// dropped on change, told to the other workers through the primary at once.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SesameConfig } from '../config/load.ts';
import { bootstrapAdministrator, prepareStore } from '../services/install.ts';
import { checkNotifier } from '../services/notifier.ts';
import { signingKeyService } from '../services/keys.ts';
import type { ChangeFeed, ChangeTopic } from '../store/changes.ts';
import type { Logger } from '../lib/logger.ts';

interface ChangeMessage {
  sesame: 'changed';
  topic: ChangeTopic;
}

function isChangeMessage(message: unknown): message is ChangeMessage {
  return (message as ChangeMessage | undefined)?.sesame === 'changed';
}

/** How many workers `server.workers` asks for on this machine. */
export function workerCount(config: SesameConfig): number {
  const workers = config.server.workers;
  return workers === 'auto' ? os.availableParallelism() : workers;
}

/** A worker whose start fails this soon is not restarted again and again: the primary gives up. */
const CRASH_WINDOW_MS = 10_000;
const MAX_QUICK_CRASHES = 5;

/** Once, before any worker: two workers must not both create keys or an administrator. */
async function prepareInstallation(config: SesameConfig, logger: Logger): Promise<void> {
  await checkNotifier(config);
  const store = await prepareStore(config, logger);
  try {
    await signingKeyService(store, config).load();
    await bootstrapAdministrator(store, config);
  } finally {
    await store.close();
  }
}

/** What one worker changed, the others drop from their caches now rather than at their next poll. */
function relayChanges(worker: Worker): void {
  worker.on('message', (message: unknown) => {
    if (!isChangeMessage(message)) return;
    for (const other of Object.values(cluster.workers ?? {}))
      if (other && other !== worker && other.isConnected()) other.send(message);
  });
}

/** Says "ready" once every worker listens. */
function announceReady(count: number, logger: Logger): { stopped: () => void } {
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    listening++;
    logger.debug({ worker: worker.process.pid }, 'worker listening');
    if (listening === count)
      logger.info(
        {
          workers: count,
          address: address.addressType === -1 ? address.address : `${address.address}:${address.port}`,
          startup_ms: Math.round(performance.now()),
          primary_rss_mib: Math.round(process.memoryUsage.rss() / 1048576),
        },
        'Sesame is ready',
      );
  });
  return { stopped: () => (listening = Math.max(0, listening - 1)) };
}

/** Forks workers and restarts crashed ones, unless they keep failing at start; stops them on a signal. */
class Supervisor {
  private stopping = false;
  private quickCrashes = 0;
  private readonly startedAt = new Map<number, number>();
  private readonly logger: Logger;
  constructor(count: number, logger: Logger) {
    this.logger = logger;
    const ready = announceReady(count, logger);
    cluster.on('exit', (worker, code, signal) => {
      if (this.stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      ready.stopped();
      this.restart(worker, code, signal);
    });
    process.once('SIGTERM', () => this.stop('SIGTERM'));
    process.once('SIGINT', () => this.stop('SIGINT'));
  }

  fork(): Worker {
    const worker = cluster.fork();
    this.startedAt.set(worker.id, Date.now());
    // A worker that dies while the primary writes to it: its exit is handled by the constructor.
    worker.on('error', (error) =>
      this.logger.warn({ err: error, worker: worker.process.pid }, 'worker channel error'),
    );
    relayChanges(worker);
    return worker;
  }

  private restart(worker: Worker, code: number, signal: string): void {
    const lived = Date.now() - (this.startedAt.get(worker.id) ?? 0);
    this.quickCrashes = lived < CRASH_WINDOW_MS ? this.quickCrashes + 1 : 0;
    if (this.quickCrashes >= MAX_QUICK_CRASHES) {
      this.logger.fatal({ code, signal }, 'workers keep failing at start; stopping');
      process.exit(1);
    }
    this.logger.error({ worker: worker.process.pid, code, signal }, 'a worker stopped; starting another');
    setTimeout(() => this.fork(), Math.min(5000, 200 * this.quickCrashes));
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info({ signal }, 'shutting down: workers finish the requests in flight');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker.process.kill('SIGTERM');
  }
}

/** Runs the primary: prepares, forks `count` workers, restarts crashed ones, stops them on a signal. */
export async function runPrimary(config: SesameConfig, count: number, logger: Logger): Promise<void> {
  await prepareInstallation(config, logger);
  // telemetry.metrics: the primary serves every worker's metrics, summed (prom-client asks them).
  if (config.telemetry.metrics.enabled) {
    const { clusterMetricsSource } = await import('../lib/metrics.ts');
    const { startMetricsServer } = await import('./metrics-server.ts');
    await startMetricsServer(config, clusterMetricsSource(), logger);
  }
  const supervisor = new Supervisor(count, logger);
  for (let index = 0; index < count; index++) supervisor.fork();
}

/** In a worker: passes this process's cache changes on, and applies the other workers'. */
export function joinCluster(changes: ChangeFeed): void {
  if (!cluster.isWorker) return;
  changes.onLocal((topic) => process.send?.({ sesame: 'changed', topic } satisfies ChangeMessage));
  process.on('message', (message: unknown) => {
    if (isChangeMessage(message)) changes.receive(message.topic);
  });
}
