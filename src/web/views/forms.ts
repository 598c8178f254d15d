// The form kit of the admin UI and the portal: fields with their errors, the CSRF field, notices,
// confirmations that work without JavaScript. Pure functions of their input.
import type { FieldErrors } from '../../http/forms.ts';
import { html, trusted, type SafeHtml } from '../html.ts';

/** The hidden field that carries a page's CSRF token (from the signed-in user, or a token). */
export function csrfField(from: { csrf: string } | string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${typeof from === 'string' ? from : from.csrf}" />`;
}

/** aria-invalid and aria-describedby for a field that has an error. */
export function invalid(errors: FieldErrors, name: string): SafeHtml {
  return errors[name] ? trusted(`aria-invalid="true" aria-describedby="${name}-error"`) : trusted('');
}

export function fieldError(errors: FieldErrors, name: string): SafeHtml {
  return errors[name] ? html`<small id="${name}-error" class="field-error">${errors[name]}</small>` : html``;
}

/** The summary above a form that has errors. */
export function formProblem(errors: FieldErrors): SafeHtml {
  const count = Object.keys(errors).length;
  if (count === 0) return html``;
  return html`<div class="problem" role="alert">
    ${errors.form ?? (count === 1 ? 'Please correct the field marked below.' : 'Please correct the fields marked below.')}
  </div>`;
}

/** The notice a redirect's `?done=` names, if it is one of `notices`. */
export function doneNotice(notices: Record<string, string>, done: string | undefined): string | undefined {
  return done !== undefined && Object.hasOwn(notices, done) ? notices[done] : undefined;
}

export function notice(text: string | undefined): SafeHtml {
  return text ? html`<div class="notice" role="status">${text}</div>` : html``;
}

/** A labelled input of a form, with its error after it (or, while it has none, its help text). */
export interface InputField {
  name: string;
  /** The input's id (the label's `for`); the name unless said. */
  id?: string;
  label: string;
  /** Shown in the field; absent for a password, which is never sent back. */
  value?: string;
  errors?: FieldErrors;
  /** The key of its error, when it is not the name (a lifespan's is `lifespans.<name>`). */
  errorKey?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  /** Further attributes (min, pattern, placeholder …), written as given. */
  attributes?: SafeHtml;
  /** Shown under it while it has no error, as `<small id="<helpId>">`. */
  help?: SafeHtml | string;
  /** The help text's id: `<id>-help` (dashes for underscores) unless said. */
  helpId?: string;
}

const helpIdOf = (id: string) => `${id.replace(/_/g, '-')}-help`;

export function inputField(field: InputField): SafeHtml {
  const { name, help } = field;
  const id = field.id ?? name;
  const key = field.errorKey ?? name;
  const errors = field.errors ?? {};
  const helpId = field.helpId ?? helpIdOf(id);
  const shownHelp = !errors[key] && help !== undefined && help !== '';
  return html`<label for="${id}">${field.label}</label>
    <input
      id="${id}"
      name="${name}"
      ${field.value === undefined ? '' : html`value="${field.value}"`}
      ${field.type ? html`type="${field.type}"` : ''}
      ${field.required ? trusted('required') : ''}
      ${field.autocomplete ? html`autocomplete="${field.autocomplete}"` : ''}
      ${field.attributes ?? ''}
      ${shownHelp ? html`aria-describedby="${helpId}"` : invalid(errors, key)}
    />
    ${shownHelp ? html`<small id="${helpId}">${help}</small>` : fieldError(errors, key)}`;
}

/** A checkbox shown as a switch, sent as `name=on`; its help text, if any, follows it. */
export function switchField(field: {
  name: string;
  label: string;
  checked: boolean;
  id?: string;
  help?: SafeHtml | string;
}): SafeHtml {
  const id = field.id ?? field.name;
  const helpId = helpIdOf(id);
  return html`<label for="${id}">
      <input
        type="checkbox"
        role="switch"
        id="${id}"
        name="${field.name}"
        value="on"
        ${field.help ? html`aria-describedby="${helpId}"` : ''}
        ${field.checked ? trusted('checked') : ''}
      />
      ${field.label}
    </label>
    ${field.help ? html`<small id="${helpId}">${field.help}</small>` : ''}`;
}

/** A column heading: its text, or a label with a class (`hide-sm`: hidden on a phone) or read only by screen readers. */
export type Column = string | { label: string; className?: string; srOnly?: boolean };

function heading(column: Column): SafeHtml {
  const { label, className, srOnly } = typeof column === 'string' ? { label: column } : column;
  const text = srOnly ? html`<span class="sr-only">${label}</span>` : label;
  return className
    ? html`<th scope="col" class="${className}">${text}</th>`
    : html`<th scope="col">${text}</th>`;
}

/** A table with a heading row that scrolls sideways on its own when it is wider than the page. */
export function dataTable(
  columns: readonly Column[],
  rows: readonly SafeHtml[],
  className?: string,
): SafeHtml {
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

/**
 * A labelled select: `options` are values, or [value, label] pairs; `value` is the one selected.
 * The field's error, if any, follows it; `describedBy` names a help text placed after it.
 */
export function selectField(input: {
  name: string;
  label: string;
  options: readonly (string | readonly [string, string])[];
  value: string;
  errors?: FieldErrors;
  describedBy?: string;
}): SafeHtml {
  const errors = input.errors ?? {};
  return html`<label for="${input.name}">${input.label}</label>
    <select
      id="${input.name}"
      name="${input.name}"
      ${errors[input.name] ? invalid(errors, input.name) : input.describedBy ? trusted(`aria-describedby="${input.describedBy}"`) : ''}
    >
      ${input.options.map((option) => {
        const [value, label] = typeof option === 'string' ? [option, option] : option;
        return html`<option value="${value}" ${value === input.value ? trusted('selected') : ''}>
          ${label}
        </option>`;
      })}
    </select>
    ${fieldError(errors, input.name)}`;
}

/** A read-only value with a copy button (admin.js does the copying). */
export function copyField(id: string, label: string, value: string): SafeHtml {
  return html`<label for="${id}">${label}</label>
    <div class="copy">
      <input id="${id}" value="${value}" readonly />
      <button type="button" class="secondary outline" data-copy="${id}" aria-label="Copy ${label}">
        Copy
      </button>
    </div>`;
}

/**
 * A destructive action behind a second click: the summary opens an explanation and the real button.
 * No script needed; keyboard users open it with Enter or Space.
 */
export function confirmAction(input: {
  csrf: string;
  action: string;
  label: string;
  text: SafeHtml | string;
  confirm: string;
  fields?: SafeHtml;
  danger?: boolean;
}): SafeHtml {
  return html`<details class="confirm">
    <summary role="button" class="${input.danger === false ? 'secondary outline' : 'secondary'}">
      ${input.label}…
    </summary>
    <article>
      <p>${input.text}</p>
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)} ${input.fields ?? ''}
        <button type="submit" class="${input.danger === false ? '' : 'danger'}">${input.confirm}</button>
      </form>
    </article>
  </details>`;
}

/** The trail above a detail page: [href, label] for each level, the current page last (no link). */
export function breadcrumb(trail: readonly (readonly [string, string])[], current: string): SafeHtml {
  return html`<nav aria-label="Breadcrumb">
    <ul>
      ${trail.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}
      <li>${current}</li>
    </ul>
  </nav>`;
}

export function formatTime(date: Date | undefined): string {
  if (!date) return '';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
