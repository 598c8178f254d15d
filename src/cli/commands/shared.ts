import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { createInterface } from 'node:readline';
import type { SesameConfig } from '../../config/load.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { prepareStore, resolveConfig } from '../../services/install.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Store } from '../../store/index.ts';

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A secret from its flag, or the first line of piped stdin; never echoed back. */
export async function readSecretInput(flag: string | undefined, name: string): Promise<string> {
  if (flag !== undefined) return flag;
  if (process.stdin.isTTY)
    throw new InvalidInputError(`give --${name} <value>, --random, or pipe the ${name} on standard input`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    if (line.length > 0) return line;
  }
  throw new InvalidInputError(`no ${name} on standard input`);
}

/** The global --config option, wherever on the command line it was given. */
export function configPath(command: Command): string | undefined {
  return command.optsWithGlobals<{ config?: string }>().config;
}

/** Runs `fn` with the configured, migrated store, and closes it afterwards. */
export async function withStore<T>(
  command: Command,
  fn: (context: { config: SesameConfig; store: Store }) => Promise<T>,
): Promise<T> {
  const { config } = resolveConfig({ path: configPath(command) }, false);
  const store = await prepareStore(config, createLogger('warn', pino.destination(2)));
  try {
    return await fn({ config, store });
  } finally {
    await store.close();
  }
}
