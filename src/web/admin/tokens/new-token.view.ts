// The "New token" form: a name, one read/write/none choice per resource, an optional expiry.
import { API_RESOURCES } from '../../../services/tokens.ts';
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { csrfField, fieldError, formProblem, inputField, invalid } from '../../views/forms.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';

/** The scope table's rows: every resource, and `*` for all of them. */
export const SCOPE_ROWS = ['*', ...API_RESOURCES] as const;

function scopeRow(resource: (typeof SCOPE_ROWS)[number], form: Form): SafeHtml {
  const chosen = one(form[`scope:${resource}`]);
  return html`<tr>
    <th scope="row">${resource === '*' ? html`all <span class="muted">(*)</span>` : resource}</th>
    ${(['', 'read', 'write'] as const).map(
      (level) =>
        html`<td>
          <label
            ><input
              type="radio"
              name="scope:${resource}"
              value="${level}"
              ${chosen === level ? trusted('checked') : ''}
            />
            ${level || 'none'}</label
          >
        </td>`,
    )}
  </tr>`;
}

function scopeFields(form: Form, errors: FieldErrors): SafeHtml {
  return html`<fieldset ${invalid(errors, 'scopes')}>
      <legend>Scopes (<code>write</code> includes <code>read</code>)</legend>
      <div class="overflow-auto">
        <table class="scopes">
          <tbody>
            ${SCOPE_ROWS.map((resource) => scopeRow(resource, form))}
          </tbody>
        </table>
      </div>
    </fieldset>
    ${fieldError(errors, 'scopes')}`;
}

export function newTokenForm(form: Form, errors: FieldErrors, csrf: string): SafeHtml {
  return html`<section class="card" aria-labelledby="new-token-heading">
    <h2 id="new-token-heading">New token</h2>
    ${formProblem(errors)}
    <form method="post" action="/admin/tokens">
      ${csrfField(csrf)}
      ${inputField({
        id: 'token-name',
        name: 'name',
        label: 'Name',
        value: one(form.name),
        required: true,
        attributes: trusted('maxlength="100" placeholder="e.g. terraform"'),
        errors,
      })}
      ${scopeFields(form, errors)}
      ${inputField({
        id: 'token-expiry',
        name: 'expires_days',
        label: 'Expires after (days; empty: never)',
        value: one(form.expires_days),
        type: 'number',
        attributes: trusted('min="1" max="3650"'),
        errors,
        errorKey: 'expires_at',
      })}
      <button type="submit">Create token</button>
    </form>
  </section>`;
}
