// The user page's profile and groups card (read-only for users from the users file).
import { many, one } from '../../../http/forms.ts';
import { csrfField, formProblem } from '../../views/forms.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import {
  emailVerifiedSwitch,
  groupChoices,
  profileFields,
  userPath,
  type ProfileField,
} from './parts.view.ts';
import type { UserPageData } from './user.view.ts';

export function profileSection({ signedIn, overview, values, errors }: UserPageData): SafeHtml {
  const { user } = overview;
  const readOnly = user.source !== 'local';
  const current: Record<ProfileField, string | undefined> = {
    display_name: user.displayName,
    email: user.email,
    given_name: user.givenName,
    family_name: user.familyName,
  };
  const value = (name: ProfileField) => (values ? one(values[name]) : (current[name] ?? ''));
  return html`<section class="card" aria-labelledby="profile-heading">
    <h2 id="profile-heading">Profile and groups</h2>
    ${formProblem(errors)}
    <form method="post" action="${userPath(user.username)}">
      ${csrfField(signedIn)}
      <fieldset ${readOnly ? trusted('disabled') : ''}>
        ${profileFields(['display_name', 'email', 'given_name', 'family_name'], value, errors)}
        ${emailVerifiedSwitch(values ? one(values.email_verified) === 'on' : user.emailVerified, false)}
        ${groupChoices(overview.groupNames, values ? many(values.groups) : user.groups)}
        ${readOnly ? '' : html`<button type="submit">Save user</button>`}
      </fieldset>
    </form>
  </section>`;
}
