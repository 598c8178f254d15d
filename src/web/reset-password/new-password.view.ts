// The mailed link's pages: the new password (twice), the page for a link that no longer works, and
// the end ("password changed — sign in").
import type { SesameConfig } from '../../config/load.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted } from '../html.ts';
import { layout } from '../pages.ts';
import { csrfField, formProblem, inputField } from '../views/forms.ts';

export interface NewPasswordPageInput {
  action: string;
  csrf: string;
  /** The link's token: it goes back with the form (the link is used only when the form succeeds). */
  token: string;
  username: string;
  /** `password_policy` in words, and its shortest length (for the browser's own check). */
  rules: { text: string[]; minLength: number };
  errors?: FieldErrors;
}

export function newPasswordPage(config: SesameConfig, input: NewPasswordPageInput): string {
  const errors = input.errors ?? {};
  return layout(
    config,
    'Choose a new password',
    html`<h1>Choose a new password</h1>
      <p>for <strong>${input.username}</strong></p>
      ${formProblem(errors)}
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)}
        <input type="hidden" name="token" value="${input.token}" />
        <input type="text" name="username" value="${input.username}" autocomplete="username" hidden />
        ${inputField({
          name: 'new_password',
          label: 'New password',
          errors,
          type: 'password',
          autocomplete: 'new-password',
          attributes: trusted(`required minlength="${input.rules.minLength}" autofocus`),
          help: `${input.rules.text.join(' ')} A long phrase is easiest to remember.`,
        })}
        ${inputField({
          name: 'confirm_password',
          label: 'New password again',
          errors,
          type: 'password',
          autocomplete: 'new-password',
          attributes: trusted('required'),
        })}
        <button type="submit">Set the new password</button>
      </form>`,
  );
}

export function linkInvalidPage(config: SesameConfig, input: { again: string }): string {
  return layout(
    config,
    'This link no longer works',
    html`<h1>This link no longer works</h1>
      <div class="error" role="alert">This link has expired or was already used.</div>
      <p>
        A password reset link works once, for a few minutes. <a href="${input.again}">Ask for a new link</a>.
      </p>`,
  );
}

export function passwordChangedPage(config: SesameConfig, input: { signIn: string }): string {
  return layout(
    config,
    'Password changed',
    html`<h1>Password changed</h1>
      <div class="notice" role="status">Your password was changed. You were signed out everywhere.</div>
      <p><a href="${input.signIn}">Sign in</a> with your new password.</p>`,
  );
}
