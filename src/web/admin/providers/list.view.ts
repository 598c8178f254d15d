// The providers list: every OAuth2/OpenID client, the configuration file's marked read-only.
import type { SesameClient } from '../../../oidc/clients.ts';
import { html, type SafeHtml } from '../../html.ts';
import { dataTable } from '../../views/forms.ts';

function row(client: SesameClient): SafeHtml {
  const app = client.applicationSlug;
  return html`<tr>
    <td>
      <a href="/admin/providers/${client.clientId}">${client.name}</a>
      ${client.source === 'config' ? html` <span class="badge">configuration file</span>` : ''}
    </td>
    <td class="hide-sm"><code>${client.clientId}</code></td>
    <td>
      ${app ? html`<a href="/admin/applications/${app}">${app}</a>` : html`<span class="muted">none</span>`}
    </td>
    <td>${client.public ? 'public' : 'confidential'}</td>
  </tr>`;
}

export function providerList(clients: readonly SesameClient[]): SafeHtml {
  return html`<div class="head">
      <hgroup>
        <h1>Providers</h1>
        <p>OAuth2/OpenID clients. Those defined in the configuration file are read-only here.</p>
      </hgroup>
      <a href="/admin/providers/new" role="button">Create</a>
    </div>
    ${dataTable(['Name', { label: 'Client ID', className: 'hide-sm' }, 'Application', 'Type'], clients.map(row))}`;
}
