// The sign-in page: username and password, and a passkey when passwordless login is on.
import type { SesameConfig } from '../../config/load.ts';
import { html, trusted } from '../html.ts';
import { layout, passkeyForm } from '../pages.ts';
import { csrfField, inputField } from '../views/forms.ts';

export interface LoginPageInput {
  action: string;
  csrf: string;
  clientName: string;
  username?: string;
  error?: string;
  /** Where the passwordless passkey form gets its options, when passkey login is on. */
  passkeyOptionsUrl?: string;
  passkeyAction?: string;
  /** Offer "Remember me" (Authelia's box: the session outlives the browser, for `remember_me`). */
  rememberMe?: boolean;
  /** Where "Forgot password?" leads (Sesame's reset page or password_reset.custom_url), if offered. */
  resetUrl?: string;
  /** "Create an account" (registration.enabled). */
  signUpUrl?: string;
}

export function loginPage(config: SesameConfig, input: LoginPageInput): string {
  return layout(
    config,
    'Sign in',
    html`<h1>Sign in</h1>
      <p>to continue to <strong>${input.clientName}</strong></p>
      ${input.error ? html`<div class="error" role="alert">${input.error}</div>` : ''}
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)}
        ${inputField({
          name: 'username',
          label: 'Username or email',
          value: input.username ?? '',
          required: true,
          autocomplete: 'username',
          attributes: trusted(
            `autocapitalize="none" spellcheck="false"${input.username ? '' : ' autofocus'}`,
          ),
        })}
        ${inputField({
          name: 'password',
          label: 'Password',
          type: 'password',
          required: true,
          autocomplete: 'current-password',
          attributes: trusted(input.username ? 'autofocus' : ''),
        })}
        ${
          input.rememberMe
            ? html`<label><input type="checkbox" name="remember" value="on" /> Remember me</label>`
            : ''
        }
        <button type="submit">Sign in</button>
      </form>
      ${input.resetUrl ? html`<p class="aside"><a href="${input.resetUrl}">Forgot password?</a></p>` : ''}
      ${input.signUpUrl ? html`<p><a href="${input.signUpUrl}" id="sign-up">Create an account</a></p>` : ''}
      ${
        input.passkeyOptionsUrl && input.passkeyAction
          ? passkeyForm({
              kind: 'authenticate',
              action: input.passkeyAction,
              optionsUrl: input.passkeyOptionsUrl,
              csrf: input.csrf,
              label: 'Sign in with a passkey',
              secondary: true,
            })
          : ''
      }`,
    { passkeys: !!input.passkeyOptionsUrl },
  );
}
