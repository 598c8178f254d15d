// GET /admin/users/new and POST /admin/users: create a user; a generated password is shown once on
// the user's page.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formOf, many, one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { SignedIn } from '../../../http/sessions.ts';
import { actorOf, attempt, statusOf } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { adminPage } from '../layout.view.ts';
import { createUserView } from './create.view.ts';
import { backToUser, passwordNote, typedPassword } from './user.ts';

async function showForm(
  context: PeopleContext,
  reply: FastifyReply,
  admin: SignedIn,
  values: Form = {},
  errors: FieldErrors = {},
) {
  const groupNames = (await context.groups.list()).map((group) => group.name);
  const body = createUserView({ signedIn: admin, groupNames, values, errors });
  return reply.html(adminPage(context.config, 'users', 'Create user', body, admin), statusOf(errors));
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
  app.get('/admin/users/new', (request, reply) => showForm(context, reply, signedIn(request)));

  app.post('/admin/users', async (request, reply) => {
    const admin = signedIn(request);
    const form = formOf(request);
    const input = newUser(form);
    const created = await attempt(
      () => context.users.create(actorOf(request), input),
      ['username', 'password', 'email'],
      'username',
    );
    if (!created.ok) return showForm(context, reply, admin, form, created.errors);
    const { user, password } = created.value;
    if (password) context.once.put(request, reply, admin, passwordNote(user.username), { password });
    return backToUser(reply, user, 'created');
  });
}
