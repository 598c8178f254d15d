// GET /admin/applications
import type { FastifyInstance } from 'fastify';
import { queryOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { AppsPages } from '../apps.ts';
import { adminPage } from '../layout.view.ts';
import { applicationList } from './list.view.ts';

export function registerApplicationList(app: FastifyInstance, { config, applications }: AppsPages): void {
  app.get('/admin/applications', async (request, reply) => {
    const list = await applications.list({ limit: 10_000 });
    const body = applicationList(list, queryOf(request).done);
    return reply.html(adminPage(config, 'applications', 'Applications', body, signedIn(request)));
  });
}
