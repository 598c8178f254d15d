import type { Command } from 'commander';
import { openStore, resolveConfig, startSesame } from '../../runtime.ts';
import type { Output } from '../output.ts';
import { configPath } from './shared.ts';

export function registerServer(program: Command, output: Output): void {
  program
    .command('start')
    .description('Start the server (writes ./data/sesame.yml with fresh secrets on first run)')
    .action(async (_options, command: Command) => {
      const running = await startSesame({ path: configPath(command) });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
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
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async (_options, command: Command) => {
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
    });

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
      output.out(`Configuration OK: ${loaded.configFile}`);
    });
}
