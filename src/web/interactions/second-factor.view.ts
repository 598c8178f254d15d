// The second step of a sign-in (or a step-up): the password is not asked again. Each factor the
// user has gets its own small form.
import type { SesameConfig } from '../../config/load.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { layout, passkeyForm, totpCodeField } from '../pages.ts';
import { csrfField, inputField } from '../views/forms.ts';

export interface SecondFactorPageInput {
  action: string;
  csrf: string;
  clientName: string;
  username: string;
  totp: boolean;
  passkeys: boolean;
  recoveryCodes: number;
  error?: string;
}

function totpForm(input: SecondFactorPageInput): SafeHtml {
  return html`<form method="post" action="${input.action}">
    ${csrfField(input.csrf)}
    <input type="hidden" name="method" value="totp" />
    ${totpCodeField('Code from your authenticator app', '[0-9 ]{6,10}')}
    <button type="submit">Verify</button>
  </form>`;
}

/** Folded away when another factor is offered: the codes are the way back in, not the daily way. */
function recoveryForm(input: SecondFactorPageInput): SafeHtml {
  return html`<details ${input.totp || input.passkeys ? '' : trusted('open')}>
    <summary>Use a recovery code</summary>
    <form method="post" action="${input.action}">
      ${csrfField(input.csrf)}
      <input type="hidden" name="method" value="recovery" />
      ${inputField({
        id: 'recovery',
        name: 'code',
        label: 'Recovery code',
        required: true,
        autocomplete: 'off',
        attributes: trusted('autocapitalize="characters" spellcheck="false"'),
      })}
      <button type="submit" class="secondary">Use recovery code</button>
    </form>
  </details>`;
}

export function secondFactorPage(config: SesameConfig, input: SecondFactorPageInput): string {
  return layout(
    config,
    'Two-factor authentication',
    html`<h1>Two-factor authentication</h1>
      <p>
        <strong>${input.clientName}</strong> needs a second factor. Signed in as
        <strong>${input.username}</strong>.
      </p>
      ${input.error ? html`<div class="error" role="alert">${input.error}</div>` : ''}
      ${input.totp ? totpForm(input) : ''}
      ${
        input.passkeys
          ? passkeyForm({
              kind: 'authenticate',
              action: input.action,
              optionsUrl: `${input.action}/options`,
              csrf: input.csrf,
              label: 'Use a passkey or security key',
              secondary: input.totp,
            })
          : ''
      }
      ${input.recoveryCodes > 0 ? recoveryForm(input) : ''}`,
    { passkeys: input.passkeys },
  );
}
