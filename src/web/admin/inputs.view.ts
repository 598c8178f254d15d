// Fields the applications and providers forms repeat: a labelled input with its error (or its help)
// after it, and a table with a heading row.
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { fieldError, invalid } from '../views/forms.ts';

export interface InputField {
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  /** The key of its error, when it is not the name (a lifespan's is `lifespans.<name>`). */
  errorKey?: string;
  type?: 'url' | 'number';
  required?: boolean;
  /** Further attributes: min, placeholder, pattern … */
  attributes?: SafeHtml;
  /** Shown under it while it has no error, as `<small id="<helpId>">`. */
  help?: SafeHtml | string;
  helpId?: string;
}

export function inputField(field: InputField): SafeHtml {
  const { name, errors } = field;
  const key = field.errorKey ?? name;
  const helpId = field.helpId ?? `${name}-help`;
  const described = errors[key]
    ? invalid(errors, key)
    : field.help
      ? trusted(`aria-describedby="${helpId}"`)
      : '';
  const after = errors[key]
    ? fieldError(errors, key)
    : field.help
      ? html`<small id="${helpId}">${field.help}</small>`
      : '';
  return html`<label for="${name}">${field.label}</label>
    <input
      id="${name}"
      name="${name}"
      ${field.type ? html`type="${field.type}"` : ''}
      ${field.required ? trusted('required') : ''}
      ${field.attributes ?? ''}
      value="${field.value}"
      ${described}
    />
    ${after}`;
}

/** A scrollable table: the headings (with a class such as `hide-sm`), then the rows. */
export function dataTable(
  headings: readonly (string | readonly [string, string])[],
  rows: readonly SafeHtml[],
): SafeHtml {
  return html`<div class="overflow-auto">
    <table>
      <thead>
        <tr>
          ${headings.map((heading) =>
            typeof heading === 'string'
              ? html`<th scope="col">${heading}</th>`
              : html`<th scope="col" class="${heading[1]}">${heading[0]}</th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}
