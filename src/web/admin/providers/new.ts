// GET /admin/providers/new and POST /admin/providers: a provider on its own (Authentik's first step);
// its secret is shown once, on its page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, toFieldErrors, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { actorOf, statusOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { adminPage } from '../layout.view.ts';
import { createInput } from './form.ts';
import { newProviderForm } from './new.view.ts';

export function registerNewProvider(app: FastifyInstance, pages: AppsPages): void {
  const { config, providers, policies, once } = pages;
  const answer = (request: FastifyRequest, reply: FastifyReply, values: Form, errors: FieldErrors = {}) => {
    const user = signedIn(request);
    const body = newProviderForm({ csrf: user.csrf, policies, values, errors });
    const status = statusOf(errors);
    return reply.html(adminPage(config, 'providers', 'Create provider', body, user), status);
  };

  app.get('/admin/providers/new', async (request, reply) => answer(request, reply, {}));

  app.post('/admin/providers', async (request, reply) => {
    const form = formOf(request);
    try {
      const { client, clientSecret } = await providers.create(createInput(form, policies), actorOf(request));
      if (clientSecret)
        once.put(request, reply, signedIn(request), `provider:${client.clientId}`, { secret: clientSecret });
      return reply.redirect(`/admin/providers/${encodeURIComponent(client.clientId)}?done=created`, 303);
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'redirect_uris']);
      if (errors) return answer(request, reply, form, errors);
      throw error;
    }
  });
}
