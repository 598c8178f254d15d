// The Profile page: the user's names, e-mail address and picture (read-only for the users file).
import type { FieldErrors } from '../../http/forms.ts';
import type { ProfileInput } from '../../services/account.ts';
import type { User } from '../../store/index.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { csrfField, formProblem, inputField, notice } from '../views/forms.ts';

export interface ProfileView {
  user: User;
  csrf: string;
  /** What the form shows: the user's values, or what they sent. */
  values: ProfileInput;
  errors?: FieldErrors;
  done?: string;
  /** Addresses can be verified (there is a notifier). */
  verifiable?: boolean;
  /** The session may change the address now; otherwise the field says how to confirm it is you. */
  elevated?: boolean;
}

const ELEVATE = '/portal/security/elevate?next=%2Fportal%2Fprofile';

/** Without an elevated session the address cannot change: say how to get one. */
function elevationLink(view: ProfileView): SafeHtml {
  if (view.elevated || view.user.source !== 'local') return html``;
  return html`<p class="muted" data-testid="email-elevation">
    To change your address, first <a href="${ELEVATE}">confirm it is you</a>.
  </p>`;
}

/** The form's values from the stored user. */
export function profileValues(user: User): ProfileInput {
  return {
    display_name: user.displayName ?? '',
    given_name: user.givenName ?? '',
    family_name: user.familyName ?? '',
    email: user.email ?? '',
    picture: user.picture ?? '',
  };
}

function summary(user: User): SafeHtml {
  return html`<p>
    ${user.picture ? html`<img class="avatar" src="${user.picture}" alt="Your picture" width="64" height="64" /><br />` : ''}
    Username
    <strong>${user.username}</strong>${user.groups.length ? html` · groups ${user.groups.join(', ')}` : ''}
  </p>`;
}

function fields(view: ProfileView): SafeHtml {
  const { values } = view;
  const errors = view.errors ?? {};
  const field = (name: keyof ProfileInput, label: string, more: { autocomplete?: string; type?: string }) =>
    inputField({ name, label, errors, value: values[name], ...more });
  return html`${field('display_name', 'Display name', { autocomplete: 'name' })}
    <div class="grid">
      <div>${field('given_name', 'Given name', { autocomplete: 'given-name' })}</div>
      <div>${field('family_name', 'Family name', { autocomplete: 'family-name' })}</div>
    </div>
    ${inputField({
      name: 'email',
      label: 'Email',
      errors,
      type: 'email',
      autocomplete: 'email',
      value: values.email,
      help:
        view.user.email && view.user.emailVerified
          ? `Verified. Changing it marks it unverified${view.verifiable ? ' until you follow the link mailed to the new address' : ''}.`
          : 'Not verified: apps see it as unverified.',
    })}
    ${elevationLink(view)} ${field('picture', 'Picture URL', { type: 'url' })}`;
}

export function profileView(view: ProfileView): SafeHtml {
  const readOnly = view.user.source !== 'local';
  return html`<h1>Profile</h1>
    ${notice(view.done)} ${formProblem(view.errors ?? {})}
    <section class="card">
      ${summary(view.user)}
      ${readOnly ? html`<p class="muted">Your account is managed in a file by your administrator: ask them to change it.</p>` : ''}
      <form method="post" action="/portal/profile">
        ${csrfField(view.csrf)}
        <fieldset ${readOnly ? trusted('disabled') : ''}>
          ${fields(view)} ${readOnly ? '' : html`<button type="submit">Save profile</button>`}
        </fieldset>
      </form>
      ${verifyForm(view)}
    </section>`;
}

/** Asks for the verification link again, for an address that is not verified yet. */
function verifyForm(view: ProfileView): SafeHtml {
  const { user } = view;
  if (!view.verifiable || !user.email || user.emailVerified || user.source !== 'local') return html``;
  return html`<form method="post" action="/portal/profile/verify">
    ${csrfField(view.csrf)}
    <button type="submit" class="secondary">Send the verification link again</button>
  </form>`;
}
