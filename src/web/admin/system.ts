// The admin area for the system: signing keys, API tokens and the event log.
import type { FastifyInstance } from 'fastify';
import { registerEventsPage } from './events.ts';
import type { AdminKit } from './index.ts';
import { registerKeysPage } from './keys.ts';
import { registerTokensPage } from './tokens/tokens.ts';

export function registerSystemPages(scope: FastifyInstance, kit: AdminKit): void {
  registerKeysPage(scope, kit);
  registerTokensPage(scope, kit);
  registerEventsPage(scope, kit);
}
