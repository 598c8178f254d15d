// Setting up an authenticator app: the QR code (and the key for typing in), then one code from the app.
// Where `totp.allowed_*` offer a choice, the user may make the setup again with other parameters.
import type { PendingTotp } from '../../../services/account.ts';
import { html, type SafeHtml } from '../../html.ts';
import { totpCodeField } from '../../pages.ts';
import { csrfField, formProblem } from '../../views/forms.ts';

export interface TotpChoices {
  algorithms: string[];
  digits: number[];
  periods: number[];
}

export interface TotpEnrolmentView {
  csrf: string;
  pending: PendingTotp;
  choices: TotpChoices;
  error?: string;
}

function select(
  name: string,
  label: string,
  values: (string | number)[],
  current: string | number,
): SafeHtml {
  const options = values.map(
    (value) =>
      html`<option value="${String(value)}" ${value === current ? html`selected` : ''}>
        ${String(value).toUpperCase()}
      </option>`,
  );
  return html`<label for="${name}">${label}</label>
    <select id="${name}" name="${name}">
      ${options}
    </select>`;
}

/** Other algorithms, lengths or periods, when the configuration allows more than one. */
function choiceForm(view: TotpEnrolmentView): SafeHtml {
  const { choices, pending } = view;
  if (choices.algorithms.length + choices.digits.length + choices.periods.length === 3) return html``;
  return html`<details>
    <summary>Other settings (for apps that need them)</summary>
    <form method="post" action="/portal/security/totp/new">
      ${csrfField(view.csrf)} ${select('algorithm', 'Algorithm', choices.algorithms, pending.algorithm)}
      ${select('digits', 'Digits', choices.digits, pending.digits)}
      ${select('period', 'Seconds per code', choices.periods, pending.period)}
      <button type="submit" class="secondary">Make a new setup with these</button>
    </form>
  </details>`;
}

export function totpEnrolmentView(view: TotpEnrolmentView): SafeHtml {
  const { pending } = view;
  return html`<h1>Set up authenticator app</h1>
    <p>
      Scan this code with your authenticator app, then type the ${String(pending.digits)}-digit code it shows.
    </p>
    <img
      class="qr"
      width="200"
      height="200"
      alt="QR code for your authenticator app"
      src="data:image/svg+xml;base64,${Buffer.from(pending.qrSvg).toString('base64')}"
    />
    <p>Cannot scan? Enter this key: <code data-testid="totp-secret">${pending.secret}</code></p>
    ${view.error ? formProblem({ form: view.error }) : ''}
    <form method="post" action="/portal/security/totp/confirm">
      ${csrfField(view.csrf)}
      <input type="hidden" name="pending" value="${pending.sealed}" />
      ${totpCodeField('Code from the app')}
      <button type="submit">Turn on</button>
    </form>
    ${choiceForm(view)}`;
}
