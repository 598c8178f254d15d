// GET /admin/applications/new and POST /admin/applications: an application for a free provider.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, one, queryOf, toFieldErrors, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { actorOf, statusOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { adminPage } from '../layout.view.ts';
import { newApplicationForm } from './new.view.ts';

export function registerNewApplication(app: FastifyInstance, pages: AppsPages): void {
  const { config, applications, providers } = pages;
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Form,
    errors: FieldErrors = {},
  ) => {
    const user = signedIn(request);
    const body = newApplicationForm({ csrf: user.csrf, free: await providers.unassigned(), values, errors });
    const status = statusOf(errors);
    return reply.html(adminPage(config, 'applications', 'Create application', body, user), status);
  };

  app.get('/admin/applications/new', async (request, reply) => {
    const provider = queryOf(request).provider;
    return answer(request, reply, provider ? { provider } : {});
  });

  app.post('/admin/applications', async (request, reply) => {
    const form = formOf(request);
    try {
      await applications.createForProvider(
        {
          name: one(form.name),
          slug: one(form.slug) || undefined,
          clientId: one(form.provider),
          launchUrl: one(form.launch_url) || undefined,
          icon: one(form.icon) || undefined,
        },
        actorOf(request),
      );
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'slug', 'provider', 'icon']);
      if (errors) return answer(request, reply, form, errors);
      throw error;
    }
    return reply.redirect('/admin/applications', 303);
  });
}
