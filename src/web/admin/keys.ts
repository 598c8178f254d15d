// /admin/keys: the signing keys, and their rotation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import { doneNotice } from '../views/forms.ts';
import { KeyService, KeysFromConfigurationError } from '../../services/keys.ts';
import { actorOf, type AdminKit } from './kit.ts';
import { keysView } from './keys.view.ts';
import { adminPage } from './layout.view.ts';

export function registerKeysPage(scope: FastifyInstance, kit: AdminKit): void {
  const keys = new KeyService(kit.store, kit.config);

  async function keysPage(request: FastifyRequest, reply: FastifyReply, status = 200, done?: string) {
    const { overlapSeconds, fromConfiguration } = keys;
    const user = signedIn(request);
    const body = keysView({ keys: await keys.list(), overlapSeconds, fromConfiguration, done }, user.csrf);
    return reply.html(adminPage(kit.config, 'keys', 'Signing keys', body, user), status);
  }

  scope.get('/admin/keys', (request, reply) =>
    keysPage(
      request,
      reply,
      200,
      doneNotice({ rotated: 'New signing keys are active.' }, queryOf(request).done),
    ),
  );

  scope.post('/admin/keys/rotate', async (request, reply) => {
    try {
      await keys.rotate(actorOf(request));
    } catch (error) {
      if (error instanceof KeysFromConfigurationError) return keysPage(request, reply, 409);
      throw error;
    }
    await kit.reloadKeys();
    return reply.redirect('/admin/keys?done=rotated', 303);
  });
}
