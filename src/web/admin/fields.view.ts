// Building blocks of the admin pages beside the form kit: a labelled input with its error, and a
// list table with its header row.
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { fieldError, invalid } from '../views/forms.ts';

/** An input's further attributes: `true` for a bare one (`required`); names are the code's own. */
export type Attributes = Record<string, string | number | true | undefined>;

function attributes(list: Attributes): SafeHtml[] {
  return Object.entries(list)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => (value === true ? html` ${trusted(name)}` : html` ${trusted(name)}="${value}"`));
}

/** A labelled input; the error under `errorKey` (the field's name unless said) is shown after it. */
export function inputField(input: {
  id: string;
  name: string;
  label: string;
  value: string;
  attributes?: Attributes;
  errors?: FieldErrors;
  errorKey?: string;
}): SafeHtml {
  const key = input.errorKey ?? input.name;
  const errors = input.errors ?? {};
  return html`<label for="${input.id}">${input.label}</label>
    <input
      id="${input.id}"
      name="${input.name}"
      value="${input.value}"
      ${attributes(input.attributes ?? {})}
      ${invalid(errors, key)}
    />
    ${fieldError(errors, key)}`;
}

/** A column heading; `wide` ones are hidden on a phone. */
export type Column = string | SafeHtml | { label: string; wide: true };

function heading(column: Column): SafeHtml {
  return typeof column === 'object' && 'wide' in column
    ? html`<th scope="col" class="hide-sm">${column.label}</th>`
    : html`<th scope="col">${column}</th>`;
}

/** A table that scrolls sideways on its own when it is wider than the page. */
export function listTable(columns: Column[], rows: SafeHtml[], className?: string): SafeHtml {
  return html`<div class="overflow-auto">
    <table${className ? html` class="${className}"` : ''}>
      <thead>
        <tr>
          ${columns.map(heading)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}
