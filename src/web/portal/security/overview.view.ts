// The Security page: the authenticator app, passkeys and recovery codes, each with its actions.
import type { SecurityOverview } from '../../../services/account.ts';
import type { User, WebauthnCredential } from '../../../store/index.ts';
import { html, type SafeHtml } from '../../html.ts';
import { passkeyForm } from '../../pages.ts';
import { csrfField, notice } from '../../views/forms.ts';

export interface SecurityView {
  user: User;
  csrf: string;
  overview: SecurityOverview;
  done?: string;
  /** The session may change second factors now; otherwise the page first offers to confirm it is you. */
  elevated?: boolean;
}

const ELEVATE = '/portal/security/elevate?next=%2Fportal%2Fsecurity';

function elevationNote(view: SecurityView): SafeHtml {
  if (view.elevated) return html``;
  return html`<section aria-labelledby="elevate-heading">
    <h2 id="elevate-heading">Confirm it is you</h2>
    <p>Adding or removing a second factor or making recovery codes needs a fresh proof that it is you.</p>
    <p><a role="button" href="${ELEVATE}">Confirm it is you</a></p>
  </section>`;
}

/** A form of one button that posts to `action`. */
function button(csrf: string, action: string, label: string, secondary: boolean): SafeHtml {
  return html`<form method="post" action="${action}">
    ${csrfField(csrf)}
    <button type="submit" ${secondary ? html`class="secondary"` : ''}>${label}</button>
  </form>`;
}

function totpSection(view: SecurityView): SafeHtml {
  const body = view.overview.factors.totp
    ? html`<p>An authenticator app is set up.</p>
        ${button(view.csrf, '/portal/security/totp/remove', 'Remove authenticator app', true)}`
    : html`<p>Use codes from an app such as Aegis, 2FAS or Google Authenticator as a second factor.</p>
        ${button(view.csrf, '/portal/security/totp/new', 'Set up authenticator app', false)}`;
  return html`<section aria-labelledby="totp-heading">
    <h2 id="totp-heading">Authenticator app</h2>
    ${body}
  </section>`;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

function passkeyItem(key: WebauthnCredential, csrf: string): SafeHtml {
  const used = key.lastUsedAt ? `, last used ${day(key.lastUsedAt)}` : '';
  return html`<li>
    <form method="post" action="/portal/security/passkeys/${key.id}/rename" class="inline">
      ${csrfField(csrf)}
      <label for="name-${key.id}" class="sr-only">Name</label>
      <input id="name-${key.id}" name="name" value="${key.name}" aria-label="Name of ${key.name}" />
      <button type="submit" class="secondary small">Rename</button>
    </form>
    <span class="meta">Added ${day(key.createdAt)}${used}</span>
    <form method="post" action="/portal/security/passkeys/${key.id}/remove">
      ${csrfField(csrf)}
      <button type="submit" class="secondary small" aria-label="Remove ${key.name}">Remove</button>
    </form>
  </li>`;
}

function passkeyList(view: SecurityView): SafeHtml {
  const { passkeys, passwordlessEnabled } = view.overview;
  if (passkeys.length === 0)
    return html`<p>
      None yet. A passkey is a second
      factor${passwordlessEnabled ? ', and lets you sign in without a password' : ''}.
    </p>`;
  return html`<ul class="keys">
    ${passkeys.map((key) => passkeyItem(key, view.csrf))}
  </ul>`;
}

function passkeysSection(view: SecurityView): SafeHtml {
  return html`<section aria-labelledby="passkeys-heading">
    <h2 id="passkeys-heading">Passkeys and security keys</h2>
    ${passkeyList(view)}
    ${view.elevated ? addPasskey(view) : html`<p class="muted">Confirm it is you (above) to add a passkey.</p>`}
  </section>`;
}

function addPasskey(view: SecurityView): SafeHtml {
  return html`${passkeyForm({
    kind: 'register',
    action: '/portal/security/passkeys',
    optionsUrl: '/portal/security/passkeys/options',
    csrf: view.csrf,
    label: 'Add a passkey',
    secondary: true,
    fields: html`<label for="passkey-name">Name for the new passkey</label>
      <input id="passkey-name" name="name" placeholder="e.g. Laptop" maxlength="60" />`,
  })}`;
}

function recoverySection(view: SecurityView): SafeHtml {
  const left = view.overview.factors.recoveryCodes;
  return html`<section aria-labelledby="recovery-heading">
    <h2 id="recovery-heading">Recovery codes</h2>
    <p>
      ${left > 0 ? `${left} unused recovery codes left.` : 'No recovery codes yet. They let you in when your second factor is lost.'}
    </p>
    ${button(view.csrf, '/portal/security/recovery-codes', left > 0 ? 'Replace recovery codes' : 'Create recovery codes', true)}
  </section>`;
}

export function securityView(view: SecurityView): SafeHtml {
  return html`<h1>Security</h1>
    <p>Signed in as <strong>${view.user.username}</strong>.</p>
    ${notice(view.done)} ${elevationNote(view)} ${totpSection(view)}
    ${view.overview.passkeysEnabled ? passkeysSection(view) : ''} ${recoverySection(view)}`;
}
