// An application's page: its integration guide, the form that edits what the portal shows, and the
// confirmation that deletes it with its provider.
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import type { ApplicationDetails } from '../../../services/applications.ts';
import type { Guide } from '../../../services/guide.ts';
import { html, type SafeHtml } from '../../html.ts';
import { breadcrumb, confirmAction, csrfField, formProblem, inputField, notice } from '../../views/forms.ts';
import { guideSection } from './guide.view.ts';
import { providerLink } from './list.view.ts';

export interface ApplicationPageInput {
  details: ApplicationDetails;
  guide: Guide;
  csrf: string;
  /** What was sent, when the edit form comes back with errors. */
  values?: Form;
  errors: FieldErrors;
  done?: string;
}

function heading({ application, client }: ApplicationDetails): SafeHtml {
  const icon = application.icon
    ? html`<img src="${application.icon}" alt="" width="36" height="36" class="app-icon" /> `
    : '';
  return html`<div class="head">
    <hgroup>
      <h1>${icon}${application.name}</h1>
      <p>Slug <code>${application.slug}</code> · Provider ${providerLink({ client })}</p>
    </hgroup>
    ${application.launchUrl ? html`<a href="${application.launchUrl}" role="button" class="outline">Launch</a>` : ''}
  </div>`;
}

function editSection({ details, csrf, values, errors }: ApplicationPageInput): SafeHtml {
  const { application } = details;
  const field = (name: string, label: string, current: string | undefined) => ({
    name,
    label,
    errors,
    value: values ? one(values[name]) : (current ?? ''),
  });
  return html`<section class="card" aria-labelledby="edit-heading">
    <h2 id="edit-heading">Edit</h2>
    ${formProblem(errors)}
    <form method="post" action="/admin/applications/${application.slug}">
      ${csrfField(csrf)} ${inputField({ ...field('name', 'Name', application.name), required: true })}
      ${inputField({
        ...field('launch_url', 'Launch URL', application.launchUrl),
        type: 'url',
        help: 'Where "My applications" sends users. Empty: the first redirect URI\'s site.',
        helpId: 'launch-help',
      })}
      ${inputField({ ...field('icon', 'Icon URL', application.icon), type: 'url' })}
      ${inputField(field('description', 'Description', application.description))}
      <button type="submit">Save application</button>
    </form>
  </section>`;
}

function deleteConfirmation({ application, client }: ApplicationDetails, csrf: string): SafeHtml {
  return html`<section class="card" aria-labelledby="delete-heading">
    <h2 id="delete-heading">Delete</h2>
    ${confirmAction({
      csrf,
      action: `/admin/applications/${application.slug}/delete`,
      label: 'Delete application',
      text: html`This deletes <strong>${application.name}</strong> and its
        provider${client ? html` <strong>${client.name}</strong>` : ''}. Its issuer disappears and the app can
        no longer sign anyone in.`,
      confirm: `Yes, delete ${application.name}`,
    })}
  </section>`;
}

export function applicationPage(input: ApplicationPageInput): SafeHtml {
  const { details } = input;
  return html`${breadcrumb([['/admin/applications', 'Applications']], details.application.name)}
  ${heading(details)} ${notice(input.done === 'saved' ? 'Saved.' : undefined)}
  ${guideSection(input.guide, details.urls)} ${editSection(input)} ${deleteConfirmation(details, input.csrf)}`;
}
