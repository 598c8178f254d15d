// GET /admin/providers/:clientId: the values to copy (the secret once, after it was made) and every
// setting in a form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryOf, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { SesameClient } from '../../../oidc/clients.ts';
import type { AppsPages } from '../apps.ts';
import { statusOf } from '../kit.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { providerPage } from './detail.view.ts';

export type ClientIdParams = { Params: { clientId: string } };

export function noSuchProvider({ config }: AppsPages, request: FastifyRequest, reply: FastifyReply) {
  return reply.html(notFoundPage(config, signedIn(request), 'providers', 'There is no such provider.'), 404);
}

/** The page; with the form's values and errors when it comes back refused. */
export async function showProvider(
  pages: AppsPages,
  request: FastifyRequest,
  reply: FastifyReply,
  client: SesameClient,
  options: { secret?: string; values?: Form; errors?: FieldErrors; done?: string; status?: number } = {},
) {
  const { config, providers, policies } = pages;
  const user = signedIn(request);
  const errors = options.errors ?? {};
  const body = providerPage({
    ...options,
    client,
    csrf: user.csrf,
    externalUrl: config.externalUrl,
    policies,
    groups: await providers.groupNames(),
    lifespanDefaults: config.identity_providers.oidc.lifespans,
    errors,
  });
  const status = options.status ?? statusOf(errors);
  return reply.html(adminPage(config, 'providers', client.name, body, user), status);
}

export function registerProviderDetail(app: FastifyInstance, pages: AppsPages): void {
  app.get<ClientIdParams>('/admin/providers/:clientId', async (request, reply) => {
    const client = await pages.providers.find(request.params.clientId);
    if (!client) return noSuchProvider(pages, request, reply);
    const key = `provider:${client.clientId}`;
    const secret = pages.once.take(request, reply, signedIn(request), key)?.secret;
    return showProvider(pages, request, reply, client, {
      done: queryOf(request).done,
      secret: typeof secret === 'string' ? secret : undefined,
    });
  });
}
