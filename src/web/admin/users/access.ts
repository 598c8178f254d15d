// POST /admin/users/:username/{disable,enable,password,reset-factors}: who may sign in, and how.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { User } from '../../../store/index.ts';
import { actorOf, attempt } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { backToUser, passwordNote, showUser, typedPassword, usernameOf } from './user.ts';

type Change = (actor: string, username: string, request: FastifyRequest) => Promise<User>;

/** A form of the user's page: the change, then `done` on the page, or the page with the error. */
function userForm(app: FastifyInstance, context: PeopleContext, path: string, done: string, change: Change) {
  app.post(`/admin/users/:username/${path}`, async (request, reply) => {
    const admin = signedIn(request);
    const username = usernameOf(request);
    const outcome = await attempt(() => change(actorOf(request), username, request));
    if (!outcome.ok) return showUser(context, reply, admin, username, outcome);
    return backToUser(reply, outcome.value, done);
  });
}

export function registerUserAccess(app: FastifyInstance, context: PeopleContext): void {
  const { users } = context;
  userForm(app, context, 'disable', 'disabled', (actor, username) =>
    users.setDisabled(actor, username, true),
  );
  userForm(app, context, 'enable', 'enabled', (actor, username) => users.setDisabled(actor, username, false));
  userForm(app, context, 'reset-factors', 'factors', (actor, username) =>
    users.resetFactors(actor, username),
  );

  app.post('/admin/users/:username/password', async (request, reply) => {
    const admin = signedIn(request);
    const username = usernameOf(request);
    const typed = typedPassword(formOf(request));
    const set = await attempt(() => users.setPassword(actorOf(request), username, typed), ['password']);
    if (!set.ok) return showUser(context, reply, admin, username, set);
    const { user, password } = set.value;
    if (!password) return backToUser(reply, user, 'password');
    context.once.put(request, reply, admin, passwordNote(user.username), { password });
    return backToUser(reply, user, 'password-reset');
  });
}
