// The admin areas that still check the administrator themselves (see ./admin-kit.ts): users and
// groups (admin-people.ts), signing keys, API tokens and the event log (admin-system.ts). The
// applications and providers pages live in ./admin/applications/ and ./admin/providers/, behind the
// guard of ./admin/index.ts.
import type { FastifyInstance } from 'fastify';
import { adminGuard } from './admin-kit.ts';
import type { AdminContext } from './admin/index.ts';
import { registerPeoplePages } from './admin-people.ts';
import { registerSystemPages } from './admin-system.ts';

export function registerAdmin(app: FastifyInstance, context: AdminContext): void {
  const guard = adminGuard(context);
  registerPeoplePages(app, context, guard);
  registerSystemPages(app, context, guard);
}
