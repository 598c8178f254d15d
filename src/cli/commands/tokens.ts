import type { Command } from 'commander';
import { ApiTokenService, SCOPE_HELP, tokenState } from '../../services/tokens.ts';
import { parseDuration } from '../../config/duration.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import type { ApiToken } from '../../store/index.ts';
import { fields, table, type Output } from '../output.ts';
import { collect, withStore } from './shared.ts';

interface CreateOptions {
  scope: string[];
  expiresIn?: string;
  json?: boolean;
}

function expiryOf(expiresIn: string | undefined): Date | undefined {
  if (expiresIn === undefined) return undefined;
  const seconds = parseDuration(expiresIn);
  if (seconds === undefined || seconds <= 0)
    throw new InvalidInputError(`--expires-in '${expiresIn}' is not a duration such as 90d`);
  return new Date(Date.now() + seconds * 1000);
}

function printCreated(output: Output, record: ApiToken, token: string, json: boolean | undefined): void {
  if (json) {
    output.out(JSON.stringify({ id: record.id, name: record.name, scopes: record.scopes, token }, null, 2));
    return;
  }
  output.out(
    fields([
      ['ID', record.id],
      ['Name', record.name],
      ['Scopes', record.scopes.join(' ')],
      ['Expires', record.expiresAt?.toISOString() ?? 'never'],
      ['Token', `${token}   (shown once: only its hash is stored)`],
    ]),
  );
  output.out('\nUse it as: Authorization: Bearer <token>');
}

function registerCreate(tokens: Command, output: Output): void {
  tokens
    .command('create')
    .description('Create an admin API token; it is printed once, only its hash is stored')
    .argument('<name>', 'what the token is for, e.g. "terraform"')
    .option('--scope <scope>', `${SCOPE_HELP} (repeatable; default *:write)`, collect, [])
    .option('--expires-in <duration>', 'e.g. 90d; default: never')
    .option('--json', 'print JSON')
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const expiresAt = expiryOf(options.expiresIn);
      const scopes = options.scope.length > 0 ? options.scope : ['*:write'];
      await withStore(command, async ({ store }) => {
        const { token, record } = await new ApiTokenService(store).create({ name, scopes, expiresAt }, 'cli');
        printCreated(output, record, token, options.json);
      });
    });
}

function registerList(tokens: Command, output: Output): void {
  tokens
    .command('list')
    .description('List admin API tokens (never the tokens themselves)')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async ({ store }) => {
        const rows = (await new ApiTokenService(store).list()).map((token) => [
          token.id,
          token.name,
          token.scopes.join(' '),
          token.lastUsedAt?.toISOString() ?? 'never',
          token.expiresAt?.toISOString() ?? 'never',
          tokenState(token),
        ]);
        output.out(table(['ID', 'NAME', 'SCOPES', 'LAST USED', 'EXPIRES', 'STATUS'], rows));
      });
    });
}

export function registerTokens(program: Command, output: Output): void {
  const tokens = program.command('tokens').description('Manage admin API tokens');
  registerCreate(tokens, output);
  registerList(tokens, output);
  tokens
    .command('revoke')
    .description('Revoke an admin API token at once')
    .argument('<id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async ({ store }) => {
        await new ApiTokenService(store).revoke(id, 'cli');
        output.out(`API token ${id} is revoked.`);
      });
    });
}
