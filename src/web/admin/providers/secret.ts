// POST /admin/providers/:clientId/secret, sent by the page's confirmation: a new client secret,
// shown once on the provider's page; the old one stops working at once.
import type { FastifyInstance } from 'fastify';
import { signedIn } from '../../../http/guards.ts';
import { SesameError } from '../../../lib/errors.ts';
import { html } from '../../html.ts';
import { actorOf } from '../kit.ts';
import type { AppsPages } from '../apps.ts';
import { adminPage } from '../layout.view.ts';
import type { ClientIdParams } from './detail.ts';

export function registerProviderSecret(app: FastifyInstance, { config, providers, once }: AppsPages): void {
  app.post<ClientIdParams>('/admin/providers/:clientId/secret', async (request, reply) => {
    const { clientId } = request.params;
    let secret: string;
    try {
      secret = await providers.regenerateSecret(clientId, actorOf(request));
    } catch (error) {
      // Unknown, from the configuration file, or public: nothing to regenerate.
      if (!(error instanceof SesameError)) throw error;
      const body = html`<h1>This provider's secret cannot be changed here</h1>`;
      return reply.html(adminPage(config, 'providers', 'Not possible', body, signedIn(request)), 409);
    }
    once.put(request, reply, signedIn(request), `provider:${clientId}`, { secret });
    return reply.redirect(`/admin/providers/${encodeURIComponent(clientId)}?done=secret`, 303);
  });
}
