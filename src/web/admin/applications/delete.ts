// POST /admin/applications/:slug/delete, sent by the page's confirmation: the application and its
// provider go, and with them its issuer.
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { noSuchApplication, type SlugParams } from './detail.ts';

export function registerApplicationDelete(app: FastifyInstance, pages: AppsPages): void {
  app.post<SlugParams>('/admin/applications/:slug/delete', async (request, reply) => {
    const { slug } = request.params;
    if (!(await pages.applications.find(slug))) return noSuchApplication(pages, request, reply);
    await pages.applications.delete(slug, actorOf(request));
    return reply.redirect('/admin/applications?done=deleted', 303);
  });
}
