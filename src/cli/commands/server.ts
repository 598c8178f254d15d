import cluster from 'node:cluster';
import type { Command } from 'commander';
import { openStore, resolveConfig, type ConfigLocation } from '../../services/install.ts';
import type { Output } from '../output.ts';
import { configPath } from './shared.ts';

/** A cluster's primary: true when it started workers (and so serves nothing itself). */
async function startPrimary(resolved: ReturnType<typeof resolveConfig>): Promise<boolean> {
  const { workerCount, runPrimary } = await import('../../server/cluster.ts');
  const { config, generated } = resolved;
  const workers = workerCount(config);
  if (workers <= 1) return false;
  // The primary never loads the HTTP and protocol layers: only the workers serve.
  const { loggerFor } = await import('../../lib/logger.ts');
  const logger = loggerFor(config.log);
  if (generated)
    logger.info({ file: config.configFile }, 'wrote a development configuration with fresh secrets');
  await runPrimary(config, workers, logger);
  return true;
}

/** Serves in this process until SIGTERM or SIGINT, then finishes the requests in flight. */
async function serve(location: ConfigLocation, resolved?: ReturnType<typeof resolveConfig>): Promise<void> {
  const { joinCluster } = await import('../../server/cluster.ts');
  const { startSesame } = await import('../../server/runtime.ts');
  // The handlers come first: "ready" is logged before startSesame returns, and a signal sent at
  // once (a supervisor, a test) must still shut down cleanly rather than kill the process.
  const state: { running?: Awaited<ReturnType<typeof startSesame>>; requested?: string; stopping?: true } =
    {};
  const stop = (signal: string) => {
    const { running } = state;
    if (!running) return void (state.requested ??= signal);
    if (state.stopping) return;
    state.stopping = true;
    running.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        running.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  state.running = await startSesame({ ...location, resolved });
  joinCluster(state.running.store.changes);
  if (state.requested) stop(state.requested);
}

async function migrate(command: Command, output: Output): Promise<void> {
  const { config } = resolveConfig({ path: configPath(command) }, false);
  const store = openStore(config);
  try {
    const report = await store.migrate();
    output.out(
      report.applied.length === 0
        ? `The database (${store.describe()}) is up to date at schema version ${report.version}.`
        : `Applied ${report.applied.map((migration) => `${migration.version} ${migration.name}`).join(', ')}; schema version ${report.version}.`,
    );
  } finally {
    await store.close();
  }
}

export function registerServer(program: Command, output: Output): void {
  program
    .command('start')
    .description('Start the server (writes ./data/sesame.yml with fresh secrets on first run)')
    .action(async (_options, command: Command) => {
      const location = { path: configPath(command) };
      // Read (and on a first run, written) once, by the primary; its workers find the file.
      const resolved = cluster.isPrimary ? resolveConfig(location, true) : undefined;
      if (resolved && (await startPrimary(resolved))) return;
      await serve(location, resolved);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action((_options, command: Command) => migrate(command, output));

  const config = program.command('config').description('Work with the configuration file');
  config
    .command('validate')
    .description('Check the configuration (and the users file it names) and report every problem')
    .action(async (_options, command: Command) => {
      const { config: loaded } = resolveConfig({ path: configPath(command) }, false);
      const usersFile = loaded.authentication_backend.file?.path;
      if (usersFile) {
        const { readUsersFile } = await import('../../auth/users-file.ts');
        readUsersFile(usersFile);
      }
      for (const warning of loaded.warnings) output.err(`warning: ${warning}`);
      output.out(`Configuration OK: ${loaded.configFile}`);
    });
}
