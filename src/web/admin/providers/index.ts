// The providers pages of the admin UI, registered behind the admin guard.
import type { FastifyInstance } from 'fastify';
import type { AppsPages } from '../apps-context.ts';
import { registerProviderDetail } from './detail.ts';
import { registerProviderEdit } from './edit.ts';
import { registerProviderList } from './list.ts';
import { registerNewProvider } from './new.ts';
import { registerProviderSecret } from './secret.ts';

export function registerProviderPages(app: FastifyInstance, pages: AppsPages): void {
  for (const register of [
    registerProviderList,
    registerNewProvider,
    registerProviderDetail,
    registerProviderEdit,
    registerProviderSecret,
  ])
    register(app, pages);
}
