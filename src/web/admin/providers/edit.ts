// POST /admin/providers/:clientId: the settings form, read as the API's PATCH body and applied by the
// same service method. A client made confidential shows its new secret once, on the next page.
import type { FastifyInstance } from 'fastify';
import { formOf, toFieldErrors } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { providerPatch } from '../../../services/providers.ts';
import { actorOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { noSuchProvider, showProvider, type ClientIdParams } from './detail.ts';
import { EDIT_FIELDS, patchErrors, patchFromForm } from './form.ts';

const READ_ONLY = 'This provider is defined in the configuration file; change it there and restart.';

export function registerProviderEdit(app: FastifyInstance, pages: AppsPages): void {
  app.post<ClientIdParams>('/admin/providers/:clientId', async (request, reply) => {
    const { clientId } = request.params;
    const client = await pages.providers.find(clientId);
    if (!client) return noSuchProvider(pages, request, reply);
    if (client.source === 'config')
      return showProvider(pages, request, reply, client, { errors: { form: READ_ONLY }, status: 409 });
    const form = formOf(request);
    const parsed = providerPatch.safeParse(patchFromForm(form));
    if (!parsed.success)
      return showProvider(pages, request, reply, client, {
        values: form,
        errors: patchErrors(form, parsed.error.issues),
      });
    try {
      const { clientSecret } = await pages.providers.update(clientId, parsed.data, actorOf(request));
      if (clientSecret)
        pages.once.put(request, reply, signedIn(request), `provider:${clientId}`, { secret: clientSecret });
    } catch (error) {
      const errors = toFieldErrors(error, EDIT_FIELDS);
      if (errors) return showProvider(pages, request, reply, client, { values: form, errors });
      throw error;
    }
    return reply.redirect(`/admin/providers/${clientId}?done=saved`, 303);
  });
}
