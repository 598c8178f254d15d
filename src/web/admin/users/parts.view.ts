// What the users pages share: the user page's address and the fields of both user forms.
import type { FieldErrors } from '../../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import { inputField, switchField } from '../../views/forms.ts';

/** Where the user's page and its forms live. */
export const userPath = (username: string): string => `/admin/users/${encodeURIComponent(username)}`;

const PROFILE_FIELDS = {
  display_name: { label: 'Display name', type: 'text' },
  given_name: { label: 'Given name', type: 'text' },
  family_name: { label: 'Family name', type: 'text' },
  email: { label: 'Email', type: 'email' },
} as const;
export type ProfileField = keyof typeof PROFILE_FIELDS;

/** The name and address fields, two to a row, in the order given. */
export function profileFields(
  names: readonly ProfileField[],
  value: (name: ProfileField) => string,
  errors: FieldErrors,
): SafeHtml {
  return html`<div class="grid2">
    ${names.map((name) => {
      const { label, type } = PROFILE_FIELDS[name];
      return html`<div>
        ${inputField({ name, label, value: value(name), errors, type: type === 'email' ? type : undefined })}
      </div>`;
    })}
  </div>`;
}

/** A checkbox per group: every group there is, and those chosen even if gone meanwhile. */
export function groupChoices(all: string[], chosen: string[]): SafeHtml {
  const names = [...new Set([...all, ...chosen])];
  return html`<fieldset class="choices">
    <legend>Groups</legend>
    ${
      names.length === 0
        ? html`<small>No groups yet.</small>`
        : names.map(
            (name) =>
              html`<label
                ><input
                  type="checkbox"
                  name="groups"
                  value="${name}"
                  ${chosen.includes(name) ? trusted('checked') : ''}
                />
                ${name}</label
              >`,
          )
    }
  </fieldset>`;
}

/** The "Email address verified" switch of the user forms; on a new user, with why it starts on. */
export function emailVerifiedSwitch(checked: boolean, explain: boolean): SafeHtml {
  const help =
    'An address you type is taken as verified, as apps such as RomM require. Uncheck it if it is not.';
  return switchField({
    name: 'email_verified',
    label: 'Email address verified',
    checked,
    help: explain ? help : undefined,
  });
}

/** A new password typed by the administrator, or left empty to generate one (with `help` saying so). */
export function passwordField(input: {
  id: string;
  label: string;
  help: string;
  errors: FieldErrors;
}): SafeHtml {
  return inputField({ ...input, name: 'password', type: 'password', autocomplete: 'new-password' });
}
