// `sesame`: the command line, in the spirit (and often the syntax) of Authelia's.
import { Command, CommanderError } from 'commander';
import { registerAccess } from './commands/access.ts';
import { registerApps } from './commands/apps.ts';
import { registerCrypto } from './commands/crypto.ts';
import { registerKeys } from './commands/keys.ts';
import { registerNotifier } from './commands/notifier.ts';
import { registerServer } from './commands/server.ts';
import { registerInvitations } from './commands/invitations.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerUsers } from './commands/users.ts';
import { consoleOutput, reportError, type Output } from './output.ts';

export function createProgram(output: Output = consoleOutput): Command {
  const program = new Command('sesame')
    .description('Sesame: a self-hosted single sign-on server (OpenID Connect provider)')
    .option('-c, --config <path>', 'configuration file (default: $SESAME_CONFIG or ./data/sesame.yml)')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => output.out(text), writeErr: (text) => output.err(text) })
    .exitOverride();
  registerServer(program, output);
  registerCrypto(program, output);
  registerUsers(program, output);
  registerInvitations(program, output);
  registerApps(program, output);
  registerKeys(program, output);
  registerTokens(program, output);
  registerAccess(program, output);
  registerNotifier(program, output);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; resolves to the exit code (commands that keep running, like start, resolve when started). */
export async function runCli(argv: string[], output: Output = consoleOutput): Promise<number> {
  const program = createProgram(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(error, output);
  }
}
