// The applications list: each with its slug (its issuer's path) and its provider.
import type { ApplicationDetails } from '../../../services/applications.ts';
import { html, type SafeHtml } from '../../html.ts';
import { dataTable, notice } from '../../views/forms.ts';

/** The provider of an application, linked; or "none". */
export function providerLink({ client }: Pick<ApplicationDetails, 'client'>): SafeHtml {
  return client
    ? html`<a href="/admin/providers/${client.clientId}">${client.name}</a>`
    : html`<span class="muted">none</span>`;
}

function row(details: ApplicationDetails): SafeHtml {
  const { application } = details;
  return html`<tr>
    <td><a href="/admin/applications/${application.slug}">${application.name}</a></td>
    <td><code>${application.slug}</code></td>
    <td>${providerLink(details)}</td>
    <td class="hide-sm">${application.launchUrl ?? ''}</td>
  </tr>`;
}

function table(list: readonly ApplicationDetails[]): SafeHtml {
  return dataTable(
    ['Name', 'Slug', 'Provider', { label: 'Launch URL', className: 'hide-sm' }],
    list.map(row),
  );
}

export function applicationList(list: readonly ApplicationDetails[], done?: string): SafeHtml {
  return html`<div class="head">
      <hgroup>
        <h1>Applications</h1>
        <p>Each application has its own issuer, <code>/application/o/&lt;slug&gt;/</code>.</p>
      </hgroup>
      <a href="/admin/applications/new" role="button">Create</a>
    </div>
    ${notice(done === 'deleted' ? 'The application and its provider were deleted.' : undefined)}
    ${
      list.length === 0
        ? html`<p class="empty">
            No applications yet. <a href="/admin/providers/new">Create a provider</a> first, then an
            application that uses it.
          </p>`
        : table(list)
    }`;
}
