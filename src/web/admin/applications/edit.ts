// POST /admin/applications/:slug: what the portal shows (name, launch URL, icon, description).
import type { FastifyInstance } from 'fastify';
import { formOf, one, toFieldErrors } from '../../../http/forms.ts';
import { actorOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { noSuchApplication, showApplication, type SlugParams } from './detail.ts';

export function registerApplicationEdit(app: FastifyInstance, pages: AppsPages): void {
  app.post<SlugParams>('/admin/applications/:slug', async (request, reply) => {
    const { slug } = request.params;
    const details = await pages.applications.find(slug);
    if (!details) return noSuchApplication(pages, request, reply);
    const form = formOf(request);
    try {
      const patch = {
        name: one(form.name),
        launchUrl: one(form.launch_url),
        icon: one(form.icon),
        description: one(form.description),
      };
      await pages.applications.update(slug, patch, actorOf(request));
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'launch_url', 'icon']);
      if (errors) return showApplication(pages, request, reply, details, { values: form, errors });
      throw error;
    }
    return reply.redirect(`/admin/applications/${slug}?done=saved`, 303);
  });
}
