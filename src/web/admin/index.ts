// The admin UI: every area's pages registered in one scope behind the administrator guard, so a
// handler starts with the signed-in administrator on the request (signedIn(request)) and its POSTs'
// CSRF tokens already claimed. An area is a function (scope, kit) => void listed in AREAS.
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { Factors } from '../../factors/index.ts';
import { OneTimeNotes } from '../../http/once.ts';
import { BrowserSessions } from '../../http/sessions.ts';
import type { Issuers } from '../../oidc/issuers.ts';
import type { Store } from '../../store/index.ts';
import { registerApplicationPages } from './applications/index.ts';
import { adminGuard } from './guard.ts';
import { registerPeoplePages } from './people.ts';
import { registerProviderPages } from './providers/index.ts';
import { registerSystemPages } from './system.ts';

export interface AdminContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  /** Makes this node sign with freshly rotated keys at once. */
  reloadKeys: () => Promise<unknown>;
}

/** What every admin area gets: the server's parts, and the kit's pieces made once. */
export interface AdminKit extends AdminContext {
  sessions: BrowserSessions;
  /** What a form's success shows once (a secret) on the page its redirect opens. */
  once: OneTimeNotes;
}

export type AdminArea = (scope: FastifyInstance, kit: AdminKit) => void;

/** The admin UI's areas, in the order of its navigation. */
const AREAS: AdminArea[] = [
  registerApplicationPages,
  registerProviderPages,
  registerPeoplePages,
  registerSystemPages,
];

export function registerAdminPages(app: FastifyInstance, context: AdminContext): void {
  const hmacSecret = context.config.identity_providers.oidc.hmac_secret;
  const kit: AdminKit = {
    ...context,
    sessions: new BrowserSessions(context.issuers.global.provider, context.store, hmacSecret),
    once: new OneTimeNotes(hmacSecret),
  };
  app.get('/admin', async (_request, reply) => reply.redirect('/admin/applications'));
  void app.register((scope, _options, done) => {
    scope.addHook('preHandler', adminGuard(kit.config, kit.store, kit.sessions));
    for (const area of AREAS) area(scope, kit);
    done();
  });
}
