// POST /admin/users/:username: save the profile and groups.
import type { FastifyInstance } from 'fastify';
import { formOf, many, one } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { actorOf, attempt } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { backToUser, showUser, usernameOf } from './user.ts';

/** The audit event names the fields the form always sends. */
const FIELDS = ['display_name', 'given_name', 'family_name', 'email', 'email_verified', 'groups'];

export function registerUserProfile(app: FastifyInstance, context: PeopleContext): void {
  app.post('/admin/users/:username', async (request, reply) => {
    const admin = signedIn(request);
    const username = usernameOf(request);
    const form = formOf(request);
    const patch = {
      displayName: one(form.display_name),
      givenName: one(form.given_name),
      familyName: one(form.family_name),
      email: one(form.email),
      emailVerified: one(form.email_verified) === 'on',
      groups: many(form.groups),
    };
    const saved = await attempt(
      () => context.users.update(actorOf(request), username, patch, FIELDS),
      ['email'],
    );
    if (!saved.ok)
      return showUser(context, reply, admin, username, {
        status: saved.status,
        errors: saved.errors,
        values: form,
      });
    return backToUser(reply, saved.value, 'saved');
  });
}
