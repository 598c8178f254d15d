// The pages a sign-in cannot pass (no access to the client, no second factor to give): their only
// form leaves the interaction, and the application hears access_denied.
import type { SesameConfig } from '../../config/load.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../pages.ts';
import { csrfField } from '../views/forms.ts';

export interface AbortPageInput {
  clientName: string;
  abortAction: string;
  csrf: string;
}

/** The button back to the application. */
function abortForm(input: AbortPageInput, secondary: boolean): SafeHtml {
  const label = html`Return to ${input.clientName}`;
  const button = secondary
    ? html`<button type="submit" class="secondary">${label}</button>`
    : html`<button type="submit">${label}</button>`;
  return html`<form method="post" action="${input.abortAction}">${csrfField(input.csrf)} ${button}</form>`;
}

export function enrolRequiredPage(
  config: SesameConfig,
  input: AbortPageInput & { securityUrl: string },
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
      ${abortForm(input, true)}`,
  );
}

export function accessDeniedPage(config: SesameConfig, input: AbortPageInput & { username: string }): string {
  return layout(
    config,
    'Access denied',
    html`<h1>No access to ${input.clientName}</h1>
      <div class="error" role="alert">
        You are signed in as <strong>${input.username}</strong>, but this account may not use
        ${input.clientName}.
      </div>
      <p>If you need it, ask your administrator to give your account access.</p>
      ${abortForm(input, false)}`,
  );
}
