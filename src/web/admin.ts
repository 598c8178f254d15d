// The admin web UI: server-rendered pages styled with Pico CSS, following Authentik's order —
// Providers → Create (an OAuth2/OpenID provider), then Applications → Create with that provider,
// then the provider's page to copy Client ID, Client Secret and the issuer URL. Each page is a
// module of ./admin/<area>/ (a handler and its pure view); users, groups, signing keys and the
// event log have their own pages (admin-people.ts, admin-system.ts).
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import type { Factors } from '../factors/index.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { Store } from '../store/index.ts';
import { adminGuard } from './admin-kit.ts';
import { appsPages } from './admin/apps-context.ts';
import { registerApplicationPages } from './admin/applications/index.ts';
import { adminGuard as adminGuardHook } from './admin/guard.ts';
import { registerProviderPages } from './admin/providers/index.ts';
import { registerPeoplePages } from './admin-people.ts';
import { registerSystemPages } from './admin-system.ts';

interface AdminContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  reloadKeys: () => Promise<unknown>;
}

export function registerAdmin(app: FastifyInstance, context: AdminContext): void {
  const { config, store } = context;
  const guard = adminGuard(context);

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/applications'));

  // The pages that read the administrator from the request, behind the guard hook.
  const pages = appsPages(config, store, guard.once);
  void app.register((scope, _options, done) => {
    scope.addHook('preHandler', adminGuardHook(config, store, guard.sessions));
    registerApplicationPages(scope, pages);
    registerProviderPages(scope, pages);
    done();
  });

  registerPeoplePages(app, context, guard);
  registerSystemPages(app, context, guard);
}
