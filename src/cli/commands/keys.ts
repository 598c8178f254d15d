import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { SigningKeyService } from '../../oidc/keys.ts';
import { table, type Output } from '../output.ts';
import { withStore } from './shared.ts';

export function registerKeys(program: Command, output: Output): void {
  const keys = program.command('keys').description('Manage the signing keys of ID tokens and JWTs');

  keys
    .command('list')
    .description('List signing keys (private keys are never shown)')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        if (config.identity_providers.oidc.jwks.length > 0)
          output.out(
            'Keys come from identity_providers.oidc.jwks in the configuration file; stored keys are unused.',
          );
        const stored = await store.signingKeys.list();
        output.out(
          table(
            ['KID', 'ALGORITHM', 'STATUS', 'CREATED', 'RETIRED'],
            stored.map((key) => [
              key.kid,
              key.algorithm,
              key.status,
              key.createdAt.toISOString(),
              key.retiredAt?.toISOString() ?? '',
            ]),
          ),
        );
      });
    });

  keys
    .command('rotate')
    .description('Generate new signing keys; the old ones keep verifying until their tokens expire')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        const oidc = config.identity_providers.oidc;
        if (oidc.jwks.length > 0)
          throw new InvalidInputError(
            'keys come from identity_providers.oidc.jwks: rotate them in the configuration file',
          );
        const overlap = Math.max(
          oidc.lifespans.id_token,
          oidc.lifespans.access_token,
          oidc.lifespans.refresh_token,
        );
        const service = new SigningKeyService(store, overlap);
        if ((await store.signingKeys.list('active')).length === 0) await service.load();
        const { added, retired } = await service.rotate('cli');
        output.out(`New signing keys: ${added.join(', ')}`);
        output.out(`Retired (still published for ${overlap} s): ${retired.join(', ') || 'none'}`);
        output.out('Running Sesame nodes start signing with the new keys within a minute.');
      });
    });
}
