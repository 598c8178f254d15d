// POST /admin/users/:username/sessions/:id/revoke: end one of the user's login sessions.
import type { FastifyInstance } from 'fastify';
import { signedIn } from '../../../http/guards.ts';
import { actorOf, attempt } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { backToUser, showUser, usernameOf } from './user.ts';

export function registerUserSessions(app: FastifyInstance, context: PeopleContext): void {
  app.post('/admin/users/:username/sessions/:id/revoke', async (request, reply) => {
    const admin = signedIn(request);
    const username = usernameOf(request);
    const { id } = request.params as { id: string };
    const revoked = await attempt(() => context.users.revokeSession(actorOf(request), username, id));
    if (!revoked.ok) return showUser(context, reply, admin, username, revoked);
    return backToUser(reply, { username }, 'revoked');
  });
}
