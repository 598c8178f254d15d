// The page a verification link opens: the address and a button (mail scanners open links, so the
// verifying takes a click), then what came of it.
import type { SesameConfig } from '../config/load.ts';
import { html } from './html.ts';
import { layout } from './pages.ts';
import { csrfField } from './views/forms.ts';

export function confirmEmailPage(
  config: SesameConfig,
  view: { email: string; username: string; token: string; csrf: string },
): string {
  return layout(
    config,
    'Verify your e-mail address',
    html`<h1>Verify your e-mail address</h1>
      <p>
        Confirm that <strong>${view.email}</strong> is the address of the account
        <strong>${view.username}</strong>.
      </p>
      <form method="post" action="/verify-email">
        ${csrfField(view.csrf)}
        <input type="hidden" name="token" value="${view.token}" />
        <button type="submit">Verify</button>
      </form>`,
  );
}

export function emailVerifiedPage(config: SesameConfig, email: string): string {
  return layout(
    config,
    'Address verified',
    html`<h1>Address verified</h1>
      <div class="notice" role="status">${email} is verified.</div>
      <p><a href="/portal/profile">Go to your profile</a></p>`,
  );
}

/** A link that is expired, used, forged, or for an address the account no longer has. */
export function verificationFailedPage(config: SesameConfig): string {
  return layout(
    config,
    'Link not valid',
    html`<h1>This link cannot be used</h1>
      <div class="error" role="alert">
        It has expired, was already used, or the account's address has changed since it was sent.
      </div>
      <p>Sign in and ask for a new link on <a href="/portal/profile">your profile</a>.</p>`,
  );
}
