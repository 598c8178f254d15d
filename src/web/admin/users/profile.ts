// POST /admin/users/:username: save the profile and groups.
import type { FastifyInstance } from 'fastify';
import { many, one, type Form } from '../../admin-kit.ts';
import { actorOf, asAdmin, attempt, type PeopleContext } from '../context.ts';
import { backToUser, showUser, usernameOf } from './user.ts';

/** The audit event names the fields the form always sends. */
const FIELDS = ['display_name', 'given_name', 'family_name', 'email', 'email_verified', 'groups'];

export function registerUserProfile(app: FastifyInstance, context: PeopleContext): void {
  app.post(
    '/admin/users/:username',
    asAdmin(context, async (request, reply, signedIn) => {
      const username = usernameOf(request);
      const form = (request.body ?? {}) as Form;
      const patch = {
        displayName: one(form.display_name),
        givenName: one(form.given_name),
        familyName: one(form.family_name),
        email: one(form.email),
        emailVerified: one(form.email_verified) === 'on',
        groups: many(form.groups),
      };
      const saved = await attempt(
        () => context.users.update(actorOf(signedIn), username, patch, FIELDS),
        ['email'],
      );
      if (!saved.ok) return showUser(context, reply, signedIn, username, { ...saved, values: form });
      return backToUser(reply, saved.value, 'saved');
    }),
  );
}
