// The Password page: a change needs the current password (under the login's brute-force regulation).
import { formOf, one, queryOf, toFieldErrors } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import { actorOf, typed, type PortalPage } from './kit.ts';
import { passwordView } from './password.view.ts';

const FRAME = { section: 'password', title: 'Password' } as const;
const FIELDS = ['current_password', 'new_password', 'confirm_password'];

export const registerPassword: PortalPage = (scope, kit) => {
  const policy = kit.account.passwordPolicy;
  const rules = { text: policy.describe(), minLength: policy.minLength };
  scope.get('/portal/password', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const done = queryOf(request).done === 'changed' ? 'Your password was changed.' : undefined;
    return kit.sendForm(reply, FRAME, { user, csrf, rules, done }, passwordView);
  });

  scope.post('/portal/password', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const form = formOf(request);
    try {
      await kit.account.changePassword(actorOf(request), {
        current: typed(form.current_password),
        next: typed(form.new_password),
        confirm: typed(form.confirm_password),
        endOthers: one(form.end_others) === 'on',
      });
    } catch (error) {
      const errors = toFieldErrors(error, FIELDS);
      if (!errors) throw error;
      return kit.sendForm(reply, FRAME, { user, csrf, rules, errors }, passwordView);
    }
    return reply.redirect('/portal/password?done=changed', 303);
  });
};
