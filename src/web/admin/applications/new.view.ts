// The form that creates an application for a provider no other application uses (Authentik's
// second step).
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import type { OAuthClient } from '../../../store/index.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import { csrfField, fieldError, formProblem, inputField, invalid } from '../../views/forms.ts';

export interface NewApplicationFormInput {
  csrf: string;
  /** The providers to choose from. */
  free: readonly OAuthClient[];
  values: Form;
  errors: FieldErrors;
}

function slugField(values: Form, errors: FieldErrors): SafeHtml {
  return inputField({
    name: 'slug',
    label: 'Slug',
    value: one(values.slug),
    errors,
    attributes: trusted('pattern="[a-z0-9]+(-[a-z0-9]+)*"'),
    help: 'Used in the issuer URL; lowercase letters, digits and dashes. Empty: made from the name.',
  });
}

function providerField({ free, values, errors }: NewApplicationFormInput): SafeHtml {
  const chosen = one(values.provider);
  return html`<label for="provider">Provider</label>
    <select id="provider" name="provider" required ${invalid(errors, 'provider')}>
      <option value="">Choose a provider…</option>
      ${free.map(
        (client) =>
          html`<option value="${client.clientId}" ${chosen === client.clientId ? trusted('selected') : ''}>
            ${client.name}
          </option>`,
      )}
    </select>
    ${fieldError(errors, 'provider')}
    ${
      free.length === 0
        ? html`<small
            >Every provider is in use. <a href="/admin/providers/new">Create a provider</a> first.</small
          >`
        : ''
    }`;
}

export function newApplicationForm(input: NewApplicationFormInput): SafeHtml {
  const { values, errors } = input;
  const field = (name: string, label: string) => ({ name, label, errors, value: one(values[name]) });
  return html`<h1>Create application</h1>
    ${formProblem(errors)}
    <form method="post" action="/admin/applications">
      ${csrfField(input.csrf)} ${inputField({ ...field('name', 'Name'), required: true })}
      ${slugField(values, errors)} ${providerField(input)}
      ${inputField({ ...field('launch_url', 'Launch URL (optional)'), type: 'url' })}
      ${inputField({ ...field('icon', 'Icon URL (optional)'), type: 'url' })}
      <button type="submit">Create</button>
    </form>`;
}
