// The "Forgot password?" pages: the request form, the one answer every request gets, and the pages
// for too many requests and for a reset that is not offered here.
import type { SesameConfig } from '../../config/load.ts';
import { html, trusted } from '../html.ts';
import { layout } from '../pages.ts';
import { csrfField, inputField } from '../views/forms.ts';

export interface RequestPageInput {
  action: string;
  csrf: string;
  /** Where "Back to sign in" leads. */
  signIn: string;
}

export function requestPage(config: SesameConfig, input: RequestPageInput): string {
  return layout(
    config,
    'Reset your password',
    html`<h1>Reset your password</h1>
      <p>Enter your username or e-mail address. We will mail you a link to choose a new password.</p>
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)}
        ${inputField({
          name: 'username',
          label: 'Username or email',
          required: true,
          autocomplete: 'username',
          attributes: trusted('autocapitalize="none" spellcheck="false" autofocus'),
        })}
        <button type="submit">Send the link</button>
      </form>
      <p><a href="${input.signIn}">Back to sign in</a></p>`,
  );
}

/** The answer to every request (known account or not): nothing here may depend on the account. */
export function requestSentPage(config: SesameConfig, input: { minutes: number; signIn: string }): string {
  return layout(
    config,
    'Check your mail',
    html`<h1>Check your mail</h1>
      <p>
        If an account with an e-mail address matches what you entered, a link to choose a new password is on
        its way to that address. It works once, for ${String(input.minutes)}
        minute${input.minutes === 1 ? '' : 's'}.
      </p>
      <p>Nothing came? Check your spam folder, or ask your administrator.</p>
      <p><a href="${input.signIn}">Back to sign in</a></p>`,
  );
}

export function tooManyRequestsPage(config: SesameConfig): string {
  return layout(
    config,
    'Too many requests',
    html`<h1>Too many requests</h1>
      <div class="error" role="alert">Too many password resets were asked for from your address.</div>
      <p>Wait a few minutes and try again.</p>`,
  );
}

/** Password reset is switched off (password_reset.disable, or no notifier to send links). */
export function resetUnavailablePage(config: SesameConfig): string {
  return layout(
    config,
    'Password reset is not available',
    html`<h1>Password reset is not available</h1>
      <p>Passwords cannot be reset by e-mail here. Ask your administrator to set a new one.</p>`,
  );
}
