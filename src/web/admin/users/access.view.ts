// The user page's cards for access (disable/enable), the password and the second factors.
import { confirmAction, csrfField } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';
import { passwordField, userPath } from './parts.view.ts';
import type { UserPageData } from './user.view.ts';

/** Where a read-only account is changed instead. */
function readOnlyNote(source: string, what: string): string {
  return `Change the ${source === 'ldap' ? 'LDAP directory' : 'users file'} to ${what}.`;
}

export function accessSection({ signedIn, overview }: UserPageData): SafeHtml {
  const { user } = overview;
  const base = userPath(user.username);
  const action =
    user.source !== 'local'
      ? html`<span class="muted">${readOnlyNote(user.source, 'disable this account')}</span>`
      : user.id === signedIn.user.id
        ? html`<span class="muted">You cannot disable the account you are signed in with.</span>`
        : user.disabled
          ? html`<form method="post" action="${base}/enable">
              ${csrfField(signedIn)}<button type="submit">Enable account</button>
            </form>`
          : confirmAction({
              csrf: signedIn.csrf,
              action: `${base}/disable`,
              label: 'Disable account',
              text: html`${user.username} can no longer sign in, and their sessions stop working at once.`,
              confirm: `Yes, disable ${user.username}`,
            });
  return html`<section class="card" aria-labelledby="access-heading">
    <h2 id="access-heading">Access</h2>
    <div class="actions">${action}</div>
  </section>`;
}

export function passwordSection({ signedIn, overview, errors }: UserPageData): SafeHtml {
  const { user } = overview;
  return html`<section class="card" aria-labelledby="password-heading">
    <h2 id="password-heading">Password</h2>
    ${
      user.source !== 'local'
        ? html`<p class="muted">
            ${user.source === 'ldap' ? 'Set in the LDAP directory.' : 'Set in the users file.'}
          </p>`
        : html`<form method="post" action="${userPath(user.username)}/password">
            ${csrfField(signedIn)}
            ${passwordField({
              id: 'new_password',
              label: 'New password',
              help: 'Type one, or leave empty to generate a one-time password shown once.',
              errors,
            })}
            <button type="submit" class="secondary">Reset password</button>
          </form>`
    }
  </section>`;
}

export function factorsSection({ signedIn, overview }: UserPageData): SafeHtml {
  const { user, factors } = overview;
  return html`<section class="card" aria-labelledby="factors-heading">
    <h2 id="factors-heading">Second factors</h2>
    <p>
      Authenticator app: <strong>${factors.totp ? 'set up' : 'none'}</strong> · Passkeys:
      <strong>${factors.passkeys}</strong> · Recovery codes left:
      <strong>${factors.recoveryCodes}</strong>
    </p>
    ${confirmAction({
      csrf: signedIn.csrf,
      action: `${userPath(user.username)}/reset-factors`,
      label: 'Reset second factors',
      text: html`Removes ${user.username}'s authenticator app, passkeys and recovery codes. They set up new
      ones at their next sign-in to an app that needs two factors.`,
      confirm: 'Yes, reset second factors',
    })}
  </section>`;
}
