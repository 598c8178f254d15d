// The applications pages of the admin UI, registered behind the admin guard.
import type { FastifyInstance } from 'fastify';
import type { AppsPages } from '../apps-context.ts';
import { registerApplicationDelete } from './delete.ts';
import { registerApplicationDetail } from './detail.ts';
import { registerApplicationEdit } from './edit.ts';
import { registerApplicationList } from './list.ts';
import { registerNewApplication } from './new.ts';

export function registerApplicationPages(app: FastifyInstance, pages: AppsPages): void {
  for (const register of [
    registerApplicationList,
    registerNewApplication,
    registerApplicationDetail,
    registerApplicationEdit,
    registerApplicationDelete,
  ])
    register(app, pages);
}
