// GET /admin/users/new and POST /admin/users: create a user; a generated password is shown once on
// the user's page.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SignedIn } from '../../../http/sessions.ts';
import { many, one, type FieldErrors, type Form } from '../../admin-kit.ts';
import { actorOf, asAdmin, attempt, sendPage, statusOf, type PeopleContext } from '../context.ts';
import { createUserView } from './create.view.ts';
import { backToUser, typedPassword } from './user.ts';

async function showForm(
  context: PeopleContext,
  reply: FastifyReply,
  signedIn: SignedIn,
  values: Form = {},
  errors: FieldErrors = {},
) {
  const groupNames = (await context.groups.list()).map((group) => group.name);
  const body = createUserView({ signedIn, groupNames, values, errors });
  return sendPage(reply, context, signedIn, {
    section: 'users',
    title: 'Create user',
    body,
    status: statusOf(errors),
  });
}

/** The form as the service's input; an empty field is no value. */
function newUser(form: Form) {
  const email = one(form.email) || undefined;
  return {
    username: one(form.username),
    password: typedPassword(form),
    displayName: one(form.display_name) || undefined,
    givenName: one(form.given_name) || undefined,
    familyName: one(form.family_name) || undefined,
    email,
    emailVerified: email ? one(form.email_verified) === 'on' : undefined,
    groups: many(form.groups),
  };
}

export function registerUserCreate(app: FastifyInstance, context: PeopleContext): void {
  app.get(
    '/admin/users/new',
    asAdmin(context, (_request, reply, signedIn) => showForm(context, reply, signedIn)),
  );

  app.post(
    '/admin/users',
    asAdmin(context, async (request, reply, signedIn) => {
      const form = (request.body ?? {}) as Form;
      const input = newUser(form);
      const created = await attempt(
        () => context.users.create(actorOf(signedIn), input),
        ['username', 'password', 'email'],
        'username',
      );
      if (!created.ok) return showForm(context, reply, signedIn, form, created.errors);
      const { user, password } = created.value;
      if (password) context.guard.once.put(request, reply, signedIn, `user:${user.username}`, { password });
      return backToUser(reply, user, 'created');
    }),
  );
}
