// POST /admin/users/:username/sessions/:id/revoke: end one of the user's login sessions.
import type { FastifyInstance } from 'fastify';
import { actorOf, asAdmin, attempt, type PeopleContext } from '../context.ts';
import { showUser, usernameOf } from './user.ts';

export function registerUserSessions(app: FastifyInstance, context: PeopleContext): void {
  app.post(
    '/admin/users/:username/sessions/:id/revoke',
    asAdmin(context, async (request, reply, signedIn) => {
      const username = usernameOf(request);
      const { id } = request.params as { id: string };
      const revoked = await attempt(() => context.users.revokeSession(actorOf(signedIn), username, id));
      if (!revoked.ok) return showUser(context, reply, signedIn, username, revoked);
      return reply.redirect(`/admin/users/${encodeURIComponent(username)}?done=revoked`, 303);
    }),
  );
}
