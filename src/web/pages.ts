// Server-rendered pages: plain HTML forms that work without JavaScript, one small stylesheet.
import type { SesameConfig } from '../config/load.ts';
import { allowFormTarget } from '../http/security-headers.ts';
import type { EnginePages } from '../oidc/provider.ts';
import { stylesheet } from './assets.ts';
import { brandLogo, htmlDocument } from './views/document.ts';
import { html, trusted, type SafeHtml } from './html.ts';

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
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:8px;padding:10px 12px;margin-bottom:12px}
h2{font-size:17px;margin:24px 0 6px}
section+section{border-top:1px solid #e5e7eb;margin-top:20px}
.notice{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:8px;padding:10px 12px;margin-bottom:12px}
img.qr{display:block;margin:8px auto 12px;background:#fff;padding:8px;border-radius:8px}
details{margin-top:16px}summary{cursor:pointer;color:#1d4ed8}
ul.codes{list-style:none;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:6px}
ul{padding-left:20px;margin:0 0 8px}
li{margin:4px 0}
code{font-size:14px;background:#f3f4f6;padding:1px 4px;border-radius:4px}
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
    <input type="hidden" name="csrf" value="${input.csrf}" />
    <input type="hidden" name="method" value="webauthn" />
    <input type="hidden" name="response" value="" />
    ${input.fields ?? ''}
    <button type="submit" ${input.secondary ? trusted('class="secondary"') : ''}>${input.label}</button>
    <p class="status" role="status" aria-live="polite" data-webauthn-status></p>
  </form>`;
}

export interface LoginPageInput {
  action: string;
  csrf: string;
  clientName: string;
  username?: string;
  error?: string;
  /** Where the passwordless passkey form gets its options, when passkey login is on. */
  passkeyOptionsUrl?: string;
  passkeyAction?: string;
}

export function loginPage(config: SesameConfig, input: LoginPageInput): string {
  return layout(
    config,
    'Sign in',
    html`<h1>Sign in</h1>
      <p>to continue to <strong>${input.clientName}</strong></p>
      ${input.error ? html`<div class="error" role="alert">${input.error}</div>` : ''}
      <form method="post" action="${input.action}">
        <input type="hidden" name="csrf" value="${input.csrf}" />
        <label for="username">Username or email</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          value="${input.username ?? ''}"
          ${input.username ? '' : trusted('autofocus')}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          ${input.username ? trusted('autofocus') : ''}
        />
        <button type="submit">Sign in</button>
      </form>
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

export interface ConsentPageInput {
  action: string;
  csrf: string;
  clientName: string;
  username: string;
  scopes: { name: string; description: string }[];
  remember?: string;
}

export function consentPage(config: SesameConfig, input: ConsentPageInput): string {
  return layout(
    config,
    'Allow access',
    html`<h1>Allow ${input.clientName}?</h1>
      <p>Signed in as <strong>${input.username}</strong>. ${input.clientName} asks to:</p>
      <ul>
        ${input.scopes.map((scope) => html`<li>${scope.description} <code>${scope.name}</code></li>`)}
      </ul>
      ${input.remember ? html`<p>Your answer is remembered for ${input.remember}.</p>` : ''}
      <form method="post" action="${input.action}">
        <input type="hidden" name="csrf" value="${input.csrf}" />
        <button type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
      </form>`,
  );
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

export function logoutPage(config: SesameConfig, form: string, clientName?: string): string {
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

export function loggedOutPage(config: SesameConfig, clientName?: string): string {
  return layout(
    config,
    'Signed out',
    html`<h1>You are signed out</h1>
      <p>${clientName ? html`You signed out of ${clientName}. ` : ''}You can close this window.</p>`,
  );
}

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

/** The second step (or a step-up): the password is not asked again. */
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
      ${
        input.totp
          ? html`<form method="post" action="${input.action}">
              <input type="hidden" name="csrf" value="${input.csrf}" />
              <input type="hidden" name="method" value="totp" />
              <label for="code">Code from your authenticator app</label>
              <input
                id="code"
                name="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]{6,10}"
                required
                autofocus
              />
              <button type="submit">Verify</button>
            </form>`
          : ''
      }
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
      ${
        input.recoveryCodes > 0
          ? html`<details ${input.totp || input.passkeys ? '' : trusted('open')}>
              <summary>Use a recovery code</summary>
              <form method="post" action="${input.action}">
                <input type="hidden" name="csrf" value="${input.csrf}" />
                <input type="hidden" name="method" value="recovery" />
                <label for="recovery">Recovery code</label>
                <input
                  id="recovery"
                  name="code"
                  autocomplete="off"
                  autocapitalize="characters"
                  spellcheck="false"
                  required
                />
                <button type="submit" class="secondary">Use recovery code</button>
              </form>
            </details>`
          : ''
      }`,
    { passkeys: input.passkeys },
  );
}

export function enrolRequiredPage(
  config: SesameConfig,
  input: { clientName: string; securityUrl: string; abortAction: string; csrf: string },
): string {
  return layout(
    config,
    'Second factor needed',
    html`<h1>Set up a second factor</h1>
      <p>
        <strong>${input.clientName}</strong> only lets you in with two-factor authentication, and your account
        has no second factor yet.
      </p>
      <p>
        Open your <a href="${input.securityUrl}">security settings</a>, add an authenticator app, then go back
        to ${input.clientName} and sign in again.
      </p>
      <form method="post" action="${input.abortAction}">
        <input type="hidden" name="csrf" value="${input.csrf}" />
        <button type="submit" class="secondary">Return to ${input.clientName}</button>
      </form>`,
  );
}

export function accessDeniedPage(
  config: SesameConfig,
  input: { clientName: string; username: string; abortAction: string; csrf: string },
): string {
  return layout(
    config,
    'Access denied',
    html`<h1>No access to ${input.clientName}</h1>
      <div class="error" role="alert">
        You are signed in as <strong>${input.username}</strong>, but this account may not use
        ${input.clientName}.
      </div>
      <p>If you need it, ask your administrator to give your account access.</p>
      <form method="post" action="${input.abortAction}">
        <input type="hidden" name="csrf" value="${input.csrf}" />
        <button type="submit">Return to ${input.clientName}</button>
      </form>`,
  );
}

/** The pages the protocol engine shows, rendered here and handed to it. */
export function enginePages(config: SesameConfig): EnginePages {
  return {
    error: (code, description) => errorPage(config, code, description),
    logout: (form, clientName) => logoutPage(config, form, clientName),
    loggedOut: (clientName) => loggedOutPage(config, clientName),
    allowFormTarget,
  };
}
