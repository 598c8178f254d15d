// The providers pages of the admin UI, registered behind the admin guard.
import type { FastifyInstance } from 'fastify';
import { appsPages } from '../apps-context.ts';
import type { AdminKit } from '../index.ts';
import { registerProviderDetail } from './detail.ts';
import { registerProviderEdit } from './edit.ts';
import { registerProviderList } from './list.ts';
import { registerNewProvider } from './new.ts';
import { registerProviderSecret } from './secret.ts';

export function registerProviderPages(app: FastifyInstance, kit: AdminKit): void {
  const pages = appsPages(kit);
  for (const register of [
    registerProviderList,
    registerNewProvider,
    registerProviderDetail,
    registerProviderEdit,
    registerProviderSecret,
  ])
    register(app, pages);
}
