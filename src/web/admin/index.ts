// The admin UI: every area's pages registered in one scope behind the administrator guard, so a
// handler starts with the signed-in administrator on the request (signedIn(request)) and its POSTs'
// CSRF tokens already claimed. An area is a function (scope, kit) => void listed in AREAS.
import type { FastifyInstance } from 'fastify';
import { registerAccessPage } from './access.ts';
import { registerAppsPages } from './apps.ts';
import { registerEventsPage } from './events.ts';
import { adminGuard } from './guard.ts';
import { registerInvitationsPage } from './invitations/invitations.ts';
import { registerKeysPage } from './keys.ts';
import type { AdminContext } from '../../http/kit.ts';
import { areaOf, type AdminArea, type AdminKit } from './kit.ts';
import { registerPeoplePages } from './people.ts';
import { registerTokensPage } from './tokens/tokens.ts';

/** The system's pages (signing keys, API tokens, the event log) need nothing beyond the kit. */
const registerSystemPages = areaOf(
  (kit) => kit,
  [registerAccessPage, registerKeysPage, registerTokensPage, registerEventsPage, registerInvitationsPage],
);

/** The admin UI's areas. */
const AREAS: AdminArea[] = [registerAppsPages, registerPeoplePages, registerSystemPages];

export function registerAdminPages(app: FastifyInstance, context: AdminContext): void {
  const kit: AdminKit = { ...context, ...context.http };
  app.get('/admin', async (_request, reply) => reply.redirect('/admin/applications'));
  void app.register((scope, _options, done) => {
    scope.addHook('preHandler', adminGuard(kit.config, kit.store, kit.sessions));
    for (const area of AREAS) area(scope, kit);
    done();
  });
}
