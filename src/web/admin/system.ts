// The admin pages for the system: signing keys, API tokens and the event log.
import type { FastifyInstance } from 'fastify';
import type { AdminGuard } from '../admin-kit.ts';
import { registerEventsPage } from './events.ts';
import { registerKeysPage } from './keys.ts';
import type { SystemPagesContext } from './routes.ts';
import { registerTokensPage } from './tokens/tokens.ts';

export function registerSystemPages(
  app: FastifyInstance,
  context: SystemPagesContext,
  guard: AdminGuard,
): void {
  registerKeysPage(app, context, guard);
  registerTokensPage(app, context, guard);
  registerEventsPage(app, context, guard);
}
