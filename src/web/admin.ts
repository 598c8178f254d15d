// The admin area that still checks the administrator itself (see ./admin-kit.ts): signing keys, API
// tokens and the event log (admin-system.ts). Every other area lives under ./admin/, behind the guard
// of ./admin/index.ts.
import type { FastifyInstance } from 'fastify';
import { adminGuard } from './admin-kit.ts';
import type { AdminContext } from './admin/index.ts';
import { registerSystemPages } from './admin-system.ts';

export function registerAdmin(app: FastifyInstance, context: AdminContext): void {
  registerSystemPages(app, context, adminGuard(context));
}
