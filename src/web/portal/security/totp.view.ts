// Setting up an authenticator app: the QR code (and the key for typing in), then one code from the app.
import type { PendingTotp } from '../../../services/account.ts';
import { html, type SafeHtml } from '../../html.ts';
import { totpCodeField } from '../../pages.ts';
import { csrfField, formProblem } from '../../views/forms.ts';

export interface TotpEnrolmentView {
  csrf: string;
  pending: PendingTotp;
  error?: string;
}

export function totpEnrolmentView(view: TotpEnrolmentView): SafeHtml {
  const { pending } = view;
  return html`<h1>Set up authenticator app</h1>
    <p>Scan this code with your authenticator app, then type the 6-digit code it shows.</p>
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
    </form>`;
}
