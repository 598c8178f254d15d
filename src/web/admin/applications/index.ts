// The applications pages of the admin UI, registered behind the admin guard.
import type { FastifyInstance } from 'fastify';
import { appsPages } from '../apps-context.ts';
import type { AdminKit } from '../index.ts';
import { registerApplicationDelete } from './delete.ts';
import { registerApplicationDetail } from './detail.ts';
import { registerApplicationEdit } from './edit.ts';
import { registerApplicationList } from './list.ts';
import { registerNewApplication } from './new.ts';

export function registerApplicationPages(app: FastifyInstance, kit: AdminKit): void {
  const pages = appsPages(kit);
  for (const register of [
    registerApplicationList,
    registerNewApplication,
    registerApplicationDetail,
    registerApplicationEdit,
    registerApplicationDelete,
  ])
    register(app, pages);
}
