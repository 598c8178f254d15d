// GET /admin/users/:username: the user's page. Its forms' handlers (profile.ts, access.ts,
// sessions.ts) show it again with their errors, or come back to it with a notice.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { queryOf, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { SignedIn } from '../../../http/sessions.ts';
import type { User } from '../../../store/index.ts';
import { statusOf } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { doneNotice } from '../../views/forms.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { userPath } from './parts.view.ts';
import { userView, type UserPageData } from './user.view.ts';

const DONE: Record<string, string> = {
  saved: 'Saved.',
  disabled: 'The account is disabled and its sessions ended.',
  enabled: 'The account is enabled.',
  factors: 'Second factors reset.',
  revoked: 'Session revoked.',
  password: 'Password changed.',
  created: 'Created.',
  'password-reset': 'Password reset.',
};

export type UserPageOptions = Partial<Omit<UserPageData, 'signedIn' | 'overview'>> & { status?: number };

export async function showUser(
  context: PeopleContext,
  reply: FastifyReply,
  admin: SignedIn,
  username: string,
  options: UserPageOptions = {},
): Promise<FastifyReply> {
  const { config } = context;
  const overview = await context.users.overview(username);
  if (!overview) return reply.html(notFoundPage(config, admin, 'users', 'There is no such user.'), 404);
  const errors = options.errors ?? {};
  const body = userView({ ...options, signedIn: admin, overview, errors });
  return reply.html(
    adminPage(config, 'users', overview.user.username, body, admin),
    options.status ?? statusOf(errors),
  );
}

/** The one-time note that carries a generated password to the user's page. */
export const passwordNote = (username: string): string => `user:${username}`;

/** After a change: the user's page, which shows `done` once. */
export const backToUser = (reply: FastifyReply, user: Pick<User, 'username'>, done: string): FastifyReply =>
  reply.redirect(`${userPath(user.username)}?done=${done}`, 303);

export const usernameOf = (request: { params: unknown }): string =>
  (request.params as { username: string }).username;

/** The password an administrator typed (as typed), or undefined to have one generated. */
export const typedPassword = (form: Form): string | undefined =>
  typeof form.password === 'string' && form.password !== '' ? form.password : undefined;

export function registerUserPage(app: FastifyInstance, context: PeopleContext): void {
  app.get('/admin/users/:username', async (request, reply) => {
    const admin = signedIn(request);
    const username = usernameOf(request);
    const password = context.once.take(request, reply, admin, passwordNote(username))?.password;
    return showUser(context, reply, admin, username, {
      done: doneNotice(DONE, queryOf(request).done),
      password: typeof password === 'string' ? password : undefined,
    });
  });
}
