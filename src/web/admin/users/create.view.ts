// The form that creates a user.
import type { SignedIn } from '../../../http/sessions.ts';
import { many, one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { breadcrumb, csrfField, formProblem, inputField } from '../../views/forms.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import { emailVerifiedSwitch, groupChoices, passwordField, profileFields } from './parts.view.ts';

export interface CreateUserData {
  signedIn: SignedIn;
  groupNames: string[];
  /** What was sent, when the form comes back with errors. */
  values: Form;
  errors: FieldErrors;
}

export function createUserView({ signedIn, groupNames, values, errors }: CreateUserData): SafeHtml {
  // A fresh form starts with the address taken as verified; a form sent back keeps its choice.
  const verified = one(values.username) ? one(values.email_verified) === 'on' : true;
  return html`${breadcrumb([['/admin/users', 'Users']], 'Create')}
    <h1>Create user</h1>
    ${formProblem(errors)}
    <form method="post" action="/admin/users">
      ${csrfField(signedIn)}
      ${inputField({
        name: 'username',
        label: 'Username',
        value: one(values.username),
        errors,
        required: true,
        attributes: trusted('autocapitalize="none" spellcheck="false"'),
      })}
      ${profileFields(['display_name', 'given_name', 'family_name', 'email'], (name) => one(values[name]), errors)}
      ${emailVerifiedSwitch(verified, true)} ${groupChoices(groupNames, many(values.groups))}
      ${passwordField({ id: 'password', label: 'Password', help: 'Leave empty to generate one, shown once.', errors })}
      <button type="submit">Create user</button>
    </form>`;
}
