// GET /admin/providers
import type { FastifyInstance } from 'fastify';
import { signedIn } from '../../../http/guards.ts';
import type { AppsPages } from '../apps.ts';
import { adminPage } from '../layout.view.ts';
import { providerList } from './list.view.ts';

export function registerProviderList(app: FastifyInstance, { config, providers }: AppsPages): void {
  app.get('/admin/providers', async (request, reply) => {
    const body = providerList(await providers.list());
    return reply.html(adminPage(config, 'providers', 'Providers', body, signedIn(request)));
  });
}
