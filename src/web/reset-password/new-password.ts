// GET/POST /reset-password/new?token=…: the mailed link's page. Opening it uses nothing; the form
// uses the link only once the new password is acceptable, so a refused password can be retried.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, one, queryOf, toFieldErrors, type FieldErrors } from '../../http/forms.ts';
import { NEW_PASSWORD_PATH, RESET_PASSWORD_PATH } from '../../services/password-reset.ts';
import type { User } from '../../store/index.ts';
import { forgedFormPage } from '../pages.ts';
import { type ResetKit, SIGN_IN_PATH } from './kit.ts';
import { linkInvalidPage, newPasswordPage, passwordChangedPage } from './new-password.view.ts';
import { resetUnavailablePage } from './request.view.ts';

const FIELDS = ['new_password', 'confirm_password'];

export function registerNewPassword(app: FastifyInstance, kit: ResetKit): void {
  const { config } = kit;
  const policy = kit.reset.passwordPolicy;
  const rules = { text: policy.describe(), minLength: policy.minLength };
  const invalid = (reply: FastifyReply) =>
    reply.html(linkInvalidPage(config, { again: RESET_PASSWORD_PATH }), 410);
  const form = (
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    user: User,
    errors?: FieldErrors,
  ) =>
    reply.header('cache-control', 'no-store').html(
      newPasswordPage(config, {
        action: NEW_PASSWORD_PATH,
        csrf: kit.csrfFor(request, reply),
        token,
        username: user.username,
        rules,
        errors,
      }),
      errors ? 400 : 200,
    );

  app.get(NEW_PASSWORD_PATH, async (request, reply) => {
    if (!kit.reset.available) return reply.html(resetUnavailablePage(config), 404);
    const token = queryOf(request).token ?? '';
    const user = token ? await kit.reset.open(token) : undefined;
    return user ? form(request, reply, token, user) : invalid(reply);
  });

  app.post(NEW_PASSWORD_PATH, async (request, reply) => {
    if (!kit.reset.available) return reply.html(resetUnavailablePage(config), 404);
    const posted = formOf(request);
    if (!kit.csrfValid(request, posted.csrf)) return reply.html(forgedFormPage(config), 403);
    const token = one(posted.token);
    try {
      const result = await kit.reset.reset(
        token,
        typeof posted.new_password === 'string' ? posted.new_password : '',
        typeof posted.confirm_password === 'string' ? posted.confirm_password : '',
        request.ip,
      );
      if (result.outcome === 'invalid') return invalid(reply);
    } catch (error) {
      const errors = toFieldErrors(error, FIELDS);
      const user = errors ? await kit.reset.open(token) : undefined;
      if (!errors || !user) throw error;
      return form(request, reply, token, user, errors);
    }
    return reply
      .header('cache-control', 'no-store')
      .html(passwordChangedPage(config, { signIn: SIGN_IN_PATH }));
  });
}
