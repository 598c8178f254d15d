// Pieces of markup the users and groups pages share: a list's table and its first cell, a text field.
import type { FieldErrors } from '../../http/forms.ts';
import { fieldError, invalid } from '../views/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';

/** A list's first cell: the link to the record, marked when it comes from the users file. */
export function nameCell(href: string, name: string, fromFile: boolean): SafeHtml {
  return html`<td>
    <a href="${href}">${name}</a>
    ${fromFile ? html` <span class="badge">users file</span>` : ''}
  </td>`;
}

/** A column heading; `narrow` columns hide on a phone, `hidden` ones are for screen readers only. */
export type Column = string | { label: string; narrow?: boolean; hidden?: boolean };

export function dataTable(columns: Column[], rows: SafeHtml[]): SafeHtml {
  const heading = (column: Column) => {
    const { label, narrow, hidden } = typeof column === 'string' ? { label: column } : column;
    const text = hidden ? html`<span class="sr-only">${label}</span>` : label;
    return html`<th scope="col" ${narrow ? trusted('class="hide-sm"') : ''}>${text}</th>`;
  };
  return html`<div class="overflow-auto">
    <table>
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

/**
 * A labelled text input with its error, or else its help text. `attributes` are further fixed
 * attributes (required, pattern …), written as given.
 */
export function textField(input: {
  id: string;
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  attributes?: string;
  help?: string;
}): SafeHtml {
  const { id, name, errors } = input;
  const helpId = `${id.replace(/_/g, '-')}-help`;
  const described =
    input.help && !errors[name] ? trusted(`aria-describedby="${helpId}"`) : invalid(errors, name);
  return html`<label for="${id}">${input.label}</label>
    <input id="${id}" name="${name}" ${trusted(input.attributes ?? '')} value="${input.value}" ${described} />
    ${errors[name] || !input.help ? fieldError(errors, name) : html`<small id="${helpId}">${input.help}</small>`}`;
}
