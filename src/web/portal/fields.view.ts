// A labelled text field of the portal's forms, with its error or its help text below it.
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { fieldError, invalid } from '../views/forms.ts';

export interface InputField {
  name: string;
  label: string;
  errors: FieldErrors;
  type?: string;
  /** Shown in the field; absent for a password. */
  value?: string;
  autocomplete?: string;
  /** A help text under the field (replaced by the field's error when there is one). */
  help?: { id: string; text: string };
  /** More attributes (required, minlength …). */
  attributes?: SafeHtml;
}

export function inputField(input: InputField): SafeHtml {
  const { name, errors, help } = input;
  const described = errors[name]
    ? invalid(errors, name)
    : help
      ? trusted(`aria-describedby="${help.id}"`)
      : '';
  return html`<label for="${name}">${input.label}</label>
    <input
      id="${name}"
      name="${name}"
      ${input.type ? html`type="${input.type}"` : ''}
      ${input.autocomplete ? html`autocomplete="${input.autocomplete}"` : ''}
      ${input.value === undefined ? '' : html`value="${input.value}"`}
      ${input.attributes ?? ''}
      ${described}
    />
    ${errors[name] || !help ? fieldError(errors, name) : html`<small id="${help.id}">${help.text}</small>`}`;
}
