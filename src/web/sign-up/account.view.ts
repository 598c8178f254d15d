// The pages of self-made accounts: the form that makes one (from an invitation or a sign-up link),
// the sign-up request and its answer, and the page of a link that no longer works.
import type { SesameConfig } from '../../config/load.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { layout } from '../pages.ts';
import { csrfField, fieldError, formProblem, inputField } from '../views/forms.ts';

export interface AccountFormData {
  action: string;
  csrf: string;
  /** The link's token, posted back with the form. */
  token: string;
  /** Whom the account is for. */
  email: string;
  /** Fixed by the invitation (shown, not asked). */
  fixedUsername?: string;
  groups?: string[];
  title: string;
  form?: Record<string, string | undefined>;
  errors?: FieldErrors;
}

export function accountFormView(config: SesameConfig, data: AccountFormData): string {
  const errors = data.errors ?? {};
  const form = data.form ?? {};
  const body = html`<h1>${data.title}</h1>
    <p>The account is for <strong>${data.email}</strong>.</p>
    ${data.groups?.length ? html`<p>You will join: ${data.groups.join(', ')}.</p>` : ''}
    ${formProblem(errors)}
    <form method="post" action="${data.action}">
      ${csrfField(data.csrf)}
      <input type="hidden" name="token" value="${data.token}" />
      ${
        data.fixedUsername
          ? html`<p>Your username: <strong id="fixed-username">${data.fixedUsername}</strong></p>
              ${fieldError(errors, 'username')}`
          : inputField({
              name: 'username',
              label: 'Username',
              value: form.username ?? '',
              required: true,
              autocomplete: 'username',
              attributes: trusted('autocapitalize="none" spellcheck="false" autofocus'),
              errors,
            })
      }
      ${inputField({
        name: 'display_name',
        label: 'Display name',
        value: form.display_name ?? '',
        autocomplete: 'name',
        errors,
      })}
      ${inputField({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', errors })}
      ${inputField({ name: 'password_repeat', label: 'Password again', type: 'password', required: true, autocomplete: 'new-password', errors })}
      <button type="submit">Create my account</button>
    </form>`;
  return layout(config, data.title, body);
}

const PROBLEMS: Record<string, string> = {
  expired: 'This link has expired. Ask for a new one.',
  used: 'This link was already used. If the account is yours, sign in.',
  revoked: 'This invitation was withdrawn by an administrator.',
  invalid: 'This link is not valid. Check that it was copied whole, or ask for a new one.',
};

export function linkProblemView(config: SesameConfig, state: string): string {
  return layout(
    config,
    'Link not usable',
    html`<h1>This link cannot be used</h1>
      <div class="error" role="alert" id="link-problem">${PROBLEMS[state] ?? PROBLEMS.invalid}</div>
      <p><a href="/portal/login">Sign in</a></p>`,
  );
}

export interface SignUpRequestData {
  csrf: string;
  domains: string[];
  email?: string;
  errors?: FieldErrors;
  /** The request was taken: the same words whether or not the address has an account. */
  sent?: boolean;
}

export function signUpRequestView(config: SesameConfig, data: SignUpRequestData): string {
  const errors = data.errors ?? {};
  const domains: SafeHtml | string = data.domains.length
    ? html`<p>Addresses at ${data.domains.join(', ')} can sign up.</p>`
    : '';
  const body = data.sent
    ? html`<h1>Check your mail</h1>
        <div class="notice" role="status" id="sign-up-sent">
          If the address can be used, a mail with the next step is on its way. The link in it works once.
        </div>`
    : html`<h1>Create an account</h1>
        ${domains} ${formProblem(errors)}
        <form method="post" action="/sign-up">
          ${csrfField(data.csrf)}
          ${inputField({ name: 'email', label: 'E-mail address', type: 'email', value: data.email ?? '', required: true, autocomplete: 'email', attributes: trusted('autofocus'), errors })}
          <button type="submit">Send me a link</button>
        </form>
        <p><a href="/portal/login">I already have an account</a></p>`;
  return layout(config, 'Create an account', body);
}
