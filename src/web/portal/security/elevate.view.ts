// "Confirm it is you": what a session does before it may change second factors or the address —
// sign in with its second factor first (require_second_factor), enter a mailed code, or (without a
// notifier or an address) the current password.
import type { ElevationNeed } from '../../../services/elevation.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, formProblem, inputField, notice } from '../../views/forms.ts';

export interface ElevateView {
  csrf: string;
  need: Exclude<ElevationNeed, { kind: 'elevated' }>;
  /** Where the user goes once elevated (a portal path). */
  next: string;
  /** A code was just sent. */
  sent?: boolean;
  error?: string;
}

function hidden(view: ElevateView): SafeHtml {
  return html`${csrfField(view.csrf)}<input type="hidden" name="next" value="${view.next}" />`;
}

function codeForms(view: ElevateView & { need: { kind: 'code' } }): SafeHtml {
  const { to, lifespan } = view.need;
  const send = html`<form method="post" action="/portal/security/elevate/send">
    ${hidden(view)}
    <button type="submit" ${view.sent ? html`class="secondary"` : ''}>
      ${view.sent ? 'Send another code' : 'Send a code to your e-mail'}
    </button>
  </form>`;
  return html`${
      view.sent
        ? notice(`A code was sent to ${to}. It works once, for ${lifespan}.`)
        : html`<p>We send a one-time code to <strong>${to}</strong>; it works for ${lifespan}.</p>
            ${send}`
    }
    <form method="post" action="/portal/security/elevate">
      ${hidden(view)}
      ${inputField({
        name: 'code',
        label: view.sent ? 'Code from the mail' : 'Already have a code? Enter it here',
        autocomplete: 'one-time-code',
        attributes: html`autocapitalize="characters" spellcheck="false" maxlength="40"`,
      })}
      <button type="submit" ${view.sent ? '' : html`class="secondary"`}>Confirm</button>
    </form>
    ${view.sent ? send : ''}`;
}

function passwordForm(view: ElevateView): SafeHtml {
  return html`<p>Enter your current password.</p>
    <form method="post" action="/portal/security/elevate">
      ${hidden(view)}
      ${inputField({ name: 'password', label: 'Current password', type: 'password', autocomplete: 'current-password' })}
      <button type="submit">Confirm</button>
    </form>`;
}

function secondFactor(view: ElevateView): SafeHtml {
  const back = new URLSearchParams({ level: 'two_factor', return: view.next });
  return html`<p>You have a second factor: sign in with it in this session first.</p>
    <p><a role="button" href="/portal/login?${back.toString()}">Sign in with your second factor</a></p>`;
}

export function elevateView(view: ElevateView): SafeHtml {
  const { need } = view;
  const body =
    need.kind === 'code'
      ? codeForms({ ...view, need })
      : need.kind === 'password'
        ? passwordForm(view)
        : secondFactor(view);
  return html`<h1>Confirm it is you</h1>
    <p>
      Adding or removing a second factor, making recovery codes or changing your e-mail address needs a fresh
      proof that it is you.
    </p>
    ${view.error ? formProblem({ form: view.error }) : ''} ${body}
    <p><a href="/portal/security" class="secondary">Cancel</a></p>`;
}
