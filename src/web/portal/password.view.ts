// The Password page: the current password, the new one twice, and whether to end other sessions.
import type { FieldErrors } from '../../http/forms.ts';
import type { User } from '../../store/index.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { csrfField, formProblem, inputField, notice } from '../views/forms.ts';

export interface PasswordView {
  user: User;
  csrf: string;
  /** `password_policy` in words, and its shortest length (for the browser's own check). */
  rules: { text: string[]; minLength: number };
  errors?: FieldErrors;
  done?: string;
}

function passwordForm(view: PasswordView): SafeHtml {
  const errors = view.errors ?? {};
  const field = (name: string, label: string, autocomplete: string, more = '') =>
    inputField({
      name,
      label,
      errors,
      type: 'password',
      autocomplete,
      attributes: trusted(`required${more}`),
    });
  return html`<form method="post" action="/portal/password">
    ${csrfField(view.csrf)}
    <input type="text" name="username" value="${view.user.username}" autocomplete="username" hidden />
    ${field('current_password', 'Current password', 'current-password')}
    ${inputField({
      name: 'new_password',
      label: 'New password',
      errors,
      type: 'password',
      autocomplete: 'new-password',
      attributes: trusted(`required minlength="${view.rules.minLength}"`),
      help: `${view.rules.text.join(' ')} A long phrase is easiest to remember.`,
    })}
    ${field('confirm_password', 'New password again', 'new-password')}
    <label for="end_others"
      ><input type="checkbox" id="end_others" name="end_others" value="on" checked /> Sign out my other
      sessions</label
    >
    <button type="submit">Change password</button>
  </form>`;
}

export function passwordView(view: PasswordView): SafeHtml {
  const problem = view.errors?.form;
  return html`<h1>Change password</h1>
    ${notice(view.done)} ${problem ? formProblem({ form: problem }) : ''}
    <section class="card">
      ${
        view.user.source === 'file'
          ? html`<p class="muted">Your password is managed in a file by your administrator.</p>`
          : passwordForm(view)
      }
    </section>`;
}
