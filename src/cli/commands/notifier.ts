import type { Command } from 'commander';
import { resolveConfig } from '../../services/install.ts';
import { sendTestMail } from '../../services/notifier.ts';
import type { Output } from '../output.ts';
import { configPath } from './shared.ts';

export function registerNotifier(program: Command, output: Output): void {
  const notifier = program.command('notifier').description('Check the notifier (e-mail)');

  notifier
    .command('test')
    .description('Send a test mail through the configured notifier')
    .requiredOption('--to <address>', 'the recipient')
    .action(async (options: { to: string }, command: Command) => {
      const { config } = resolveConfig({ path: configPath(command) }, false);
      await sendTestMail(config, options.to);
      output.out(`Sent a test mail to ${options.to}.`);
    });
}
