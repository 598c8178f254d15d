// POST /admin/users/:username/{disable,enable,password,reset-factors}: who may sign in, and how.
import type { FastifyInstance } from 'fastify';
import type { Form } from '../../admin-kit.ts';
import { actorOf, asAdmin, attempt, type PeopleContext } from '../context.ts';
import { backToUser, showUser, typedPassword, usernameOf } from './user.ts';

export function registerUserAccess(app: FastifyInstance, context: PeopleContext): void {
  for (const disabled of [true, false])
    app.post(
      `/admin/users/:username/${disabled ? 'disable' : 'enable'}`,
      asAdmin(context, async (request, reply, signedIn) => {
        const username = usernameOf(request);
        const done = await attempt(() => context.users.setDisabled(actorOf(signedIn), username, disabled));
        if (!done.ok) return showUser(context, reply, signedIn, username, done);
        return backToUser(reply, done.value, disabled ? 'disabled' : 'enabled');
      }),
    );

  app.post(
    '/admin/users/:username/password',
    asAdmin(context, async (request, reply, signedIn) => {
      const username = usernameOf(request);
      const typed = typedPassword((request.body ?? {}) as Form);
      const set = await attempt(
        () => context.users.setPassword(actorOf(signedIn), username, typed),
        ['password'],
      );
      if (!set.ok) return showUser(context, reply, signedIn, username, set);
      const { user, password } = set.value;
      if (!password) return backToUser(reply, user, 'password');
      context.guard.once.put(request, reply, signedIn, `user:${user.username}`, { password });
      return backToUser(reply, user, 'password-reset');
    }),
  );

  app.post(
    '/admin/users/:username/reset-factors',
    asAdmin(context, async (request, reply, signedIn) => {
      const username = usernameOf(request);
      const reset = await attempt(() => context.users.resetFactors(actorOf(signedIn), username));
      if (!reset.ok) return showUser(context, reply, signedIn, username, reset);
      return backToUser(reply, reset.value, 'factors');
    }),
  );
}
