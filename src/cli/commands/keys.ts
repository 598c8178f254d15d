import type { Command } from 'commander';
import { KeyService } from '../../services/keys.ts';
import { table, type Output } from '../output.ts';
import { withStore } from './shared.ts';

/** A `keys` subcommand's action: `fn` with the key service over the configured store. */
function withKeys(fn: (keys: KeyService) => Promise<void>) {
  return (_options: unknown, command: Command) =>
    withStore(command, ({ config, store }) => fn(new KeyService(store, config)));
}

export function registerKeys(program: Command, output: Output): void {
  const keys = program.command('keys').description('Manage the signing keys of ID tokens and JWTs');

  keys
    .command('list')
    .description('List signing keys (private keys are never shown)')
    .action(
      withKeys(async (service) => {
        if (service.fromConfiguration)
          output.out(
            'Keys come from identity_providers.oidc.jwks in the configuration file; stored keys are unused.',
          );
        const rows = (await service.list()).map((key) => [
          key.kid,
          key.algorithm,
          key.status,
          key.createdAt.toISOString(),
          key.retiredAt?.toISOString() ?? '',
        ]);
        output.out(table(['KID', 'ALGORITHM', 'STATUS', 'CREATED', 'RETIRED'], rows));
      }),
    );

  keys
    .command('rotate')
    .description('Generate new signing keys; the old ones keep verifying until their tokens expire')
    .action(
      withKeys(async (service) => {
        const { added, retired } = await service.rotate('cli');
        output.out(`New signing keys: ${added.join(', ')}`);
        output.out(
          `Retired (still published for ${service.overlapSeconds} s): ${retired.join(', ') || 'none'}`,
        );
        output.out('Running Sesame nodes start signing with the new keys within a minute.');
      }),
    );
}
