// The sign-in pages' frame and the pages the protocol engine shows (errors, sign-out): plain HTML
// forms that work without JavaScript, one small stylesheet. The interaction steps' pages are in
// web/interactions/.
import type { SesameConfig } from '../config/load.ts';
import { allowCookieDomains, allowFormTarget } from '../http/security-headers.ts';
import { PORTAL_LOGOUT_DONE } from '../oidc/portal-client.ts';
import type { EnginePages } from '../oidc/provider.ts';
import { stylesheet } from './assets.ts';
import {
  deviceCodeConfirmView,
  deviceCodeInputView,
  deviceSuccessView,
  type DevicePage,
} from './device.view.ts';
import { brandLogo, htmlDocument } from './views/document.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { csrfField, inputField } from './views/forms.ts';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;color:#111827;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif}
main{width:100%;max-width:400px;margin:24px;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:32px}
header{display:flex;align-items:center;gap:10px;margin-bottom:20px}
header img{height:32px}
header span{font-weight:600;font-size:18px}
h1{font-size:22px;margin:0 0 8px}
p{margin:0 0 16px;color:#374151}
label{display:block;font-weight:600;margin:12px 0 4px}
input{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
input:focus,button:focus{outline:3px solid #93c5fd;outline-offset:1px}
button{width:100%;margin-top:20px;padding:11px;border:0;border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1f2937;border:1px solid #d1d5db;margin-top:10px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
ul.keys{list-style:none;padding:0}ul.keys li{border:1px solid #e5e7eb;border-radius:8px;padding:8px;margin:8px 0}
form.inline{display:flex;gap:6px;align-items:center}form.inline input{flex:1}
button.small{width:auto;margin-top:6px;padding:6px 10px;font-size:14px}form.inline button.small{margin-top:0}
.meta{display:block;font-size:13px;color:#6b7280;margin-top:4px}
.status{margin:8px 0 0;color:#991b1b;font-size:14px}
.error,.problem{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:8px;padding:10px 12px;margin-bottom:12px}
p.aside{margin:12px 0 0;font-size:14px}
small{display:block;font-size:13px;color:#6b7280;margin-top:4px}small.field-error{color:#991b1b}
h2{font-size:17px;margin:24px 0 6px}
section+section{border-top:1px solid #e5e7eb;margin-top:20px}
.notice{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:8px;padding:10px 12px;margin-bottom:12px}
img.qr{display:block;margin:8px auto 12px;background:#fff;padding:8px;border-radius:8px}
details{margin-top:16px}summary{cursor:pointer;color:#1d4ed8}
ul.codes{list-style:none;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:6px}
ul{padding-left:20px;margin:0 0 8px}
li{margin:4px 0}
code{font-size:14px;background:#f3f4f6;padding:1px 4px;border-radius:4px}
code.user-code{display:block;text-align:center;font-size:28px;letter-spacing:3px;padding:8px}
#user_code{text-transform:uppercase;text-align:center;font-size:20px;letter-spacing:2px}
@media (prefers-color-scheme:dark){body{background:#111827;color:#f9fafb}main{background:#1f2937}p{color:#d1d5db}
input{background:#111827;color:#f9fafb;border-color:#4b5563}button.secondary{background:#1f2937;color:#f9fafb;border-color:#4b5563}
code{background:#374151}}
`;

const STYLESHEET = stylesheet('pages', STYLE);

/** The sign-in pages' frame: a card with the brand above the page's content. */
export function layout(
  config: SesameConfig,
  title: string,
  body: SafeHtml,
  options: { passkeys?: boolean } = {},
): string {
  return htmlDocument({
    config,
    title,
    stylesheets: [STYLESHEET],
    passkeys: options.passkeys,
    body: html`<main>
      <header>${brandLogo(config)}<span>${config.branding.name}</span></header>
      ${body}
    </main>`,
  });
}

/** The field for a code from an authenticator app (the sign-in's second step, the portal's set-up). */
export function totpCodeField(label: string, pattern?: string): SafeHtml {
  const attributes = html`inputmode="numeric" ${pattern ? html`pattern="${pattern}"` : ''} autofocus`;
  return inputField({ name: 'code', label, required: true, autocomplete: 'one-time-code', attributes });
}

/** A form the passkey script completes: it fetches options, asks the authenticator, posts the answer. */
export function passkeyForm(input: {
  kind: 'register' | 'authenticate';
  action: string;
  optionsUrl: string;
  csrf: string;
  label: string;
  secondary?: boolean;
  fields?: SafeHtml;
}): SafeHtml {
  return html`<form
    method="post"
    action="${input.action}"
    data-webauthn="${input.kind}"
    data-options-url="${input.optionsUrl}"
  >
    ${csrfField(input.csrf)}
    <input type="hidden" name="method" value="webauthn" />
    <input type="hidden" name="response" value="" />
    ${input.fields ?? ''}
    <button type="submit" ${input.secondary ? trusted('class="secondary"') : ''}>${input.label}</button>
    <p class="status" role="status" aria-live="polite" data-webauthn-status></p>
  </form>`;
}

export function errorPage(config: SesameConfig, error: string, description?: string): string {
  return layout(
    config,
    'Error',
    html`<h1>Something went wrong</h1>
      <div class="error" role="alert">
        <strong>${error}</strong>${description ? html`: ${description}` : ''}
      </div>
      <p>
        Go back to the application and try again. If it keeps happening, tell your administrator what this
        page says.
      </p>`,
  );
}

/** A POST whose CSRF token is missing, forged or expired. */
export function forgedFormPage(config: SesameConfig): string {
  return errorPage(config, 'forbidden', 'The form was not sent from this page.');
}

/** A POST that needs a login session and came without one. */
export function signInAgainPage(config: SesameConfig): string {
  return errorPage(config, 'login_required', 'Sign in again.');
}

function logoutPage(config: SesameConfig, form: string, clientName?: string): string {
  return layout(
    config,
    'Sign out',
    html`<h1>Sign out${clientName ? html` of ${clientName}` : ''}?</h1>
      <p>You will be signed out of ${config.branding.name} and the applications you opened with it.</p>
      ${trusted(form)}
      <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
      <button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

function loggedOutPage(config: SesameConfig, clientName?: string): string {
  return layout(
    config,
    'Signed out',
    html`<h1>You are signed out</h1>
      <p>${clientName ? html`You signed out of ${clientName}. ` : ''}You can close this window.</p>`,
  );
}

/** The pages the protocol engine shows, rendered here and handed to it. */
export function enginePages(config: SesameConfig): EnginePages {
  const cookieDomains = (config.session?.cookies ?? []).map((cookie) => cookie.domain);
  const page = ({ title, body }: DevicePage) => layout(config, title, body);
  return {
    deviceCodeInput: (form, userCode, problem) => page(deviceCodeInputView(form, { userCode, problem })),
    deviceCodeConfirm: (form, userCode, clientName) =>
      page(deviceCodeConfirmView(form, { userCode, clientName })),
    deviceSuccess: (clientName) => page(deviceSuccessView(clientName)),
    error: (code, description) => errorPage(config, code, description),
    logout: (form, clientName) => logoutPage(config, form, clientName),
    loggedOut: (clientName) => loggedOutPage(config, clientName),
    allowFormTarget: (res, uri) => {
      allowFormTarget(res, uri);
      // Signing out at the portal may end on a forward-auth cookie domain (Authelia's /logout?rd=).
      if (typeof uri === 'string' && URL.canParse(uri) && new URL(uri).pathname === PORTAL_LOGOUT_DONE)
        allowCookieDomains(res, cookieDomains);
    },
  };
}
