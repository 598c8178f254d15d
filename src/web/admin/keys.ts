// /admin/keys: the signing keys, and their rotation.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SignedIn } from '../../http/sessions.ts';
import { KeyService, KeysFromConfigurationError } from '../../services/keys.ts';
import type { AdminGuard } from '../admin-kit.ts';
import { keysView } from './keys.view.ts';
import { asAdmin, doneNotice, sendPage, type SystemPagesContext } from './routes.ts';

export function registerKeysPage(app: FastifyInstance, context: SystemPagesContext, guard: AdminGuard): void {
  const keys = new KeyService(context.store, context.config);

  async function keysPage(reply: FastifyReply, signedIn: SignedIn, done?: string) {
    const { overlapSeconds, fromConfiguration } = keys;
    const body = keysView({ keys: await keys.list(), overlapSeconds, fromConfiguration, done }, signedIn);
    return sendPage(reply, context.config, { section: 'keys', title: 'Signing keys', body }, signedIn);
  }

  app.get(
    '/admin/keys',
    asAdmin(guard, (request, reply, signedIn) =>
      keysPage(reply, signedIn, doneNotice(request, { rotated: 'New signing keys are active.' })),
    ),
  );

  app.post(
    '/admin/keys/rotate',
    asAdmin(guard, async (_request, reply, signedIn) => {
      try {
        await keys.rotate(`user:${signedIn.user.username}`);
      } catch (error) {
        if (error instanceof KeysFromConfigurationError) return keysPage(reply.status(409), signedIn);
        throw error;
      }
      await context.reloadKeys();
      return reply.redirect('/admin/keys?done=rotated', 303);
    }),
  );
}
