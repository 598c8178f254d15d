// The provider's page: the values to copy into the app (client id, the secret once, the issuer),
// the confirmation to regenerate the secret, then every setting (settings.view.ts).
import { ENDPOINTS, globalIssuer, type ApplicationUrls } from '../../../config/urls.ts';
import type { SesameClient } from '../../../oidc/clients.ts';
import { clientIssuer } from '../../../services/providers.ts';
import { html, type SafeHtml } from '../../html.ts';
import { breadcrumb, confirmAction, copyField, doneNotice, notice } from '../../views/forms.ts';
import { settingsSection, type SettingsFormInput } from './settings.view.ts';

export interface ProviderPageInput extends SettingsFormInput {
  externalUrl: string;
  /** The client secret, on the one page after it was made. */
  secret?: string;
  /** What the form before did: `created`, `saved`, `secret`. */
  done?: string;
}

function heading(client: SesameClient): SafeHtml {
  const app = client.applicationSlug;
  return html`<hgroup>
    <h1>${client.name}</h1>
    <p>
      OAuth2/OpenID
      Provider${app ? html` used by <a href="/admin/applications/${app}"><strong>${app}</strong></a>` : ''}
      ${client.source === 'config' ? html` <span class="badge">configuration file: read-only</span>` : ''}
    </p>
  </hgroup>`;
}

const DONE = {
  saved: 'Saved. The change applies to the next request.',
  secret: 'A new client secret is active; the old one no longer works.',
};

/** The notice after a change; the new secret's only while the secret itself is shown. */
function doneSection(done: string | undefined, secret: string | undefined): SafeHtml {
  return notice(done === 'secret' && !secret ? undefined : doneNotice(DONE, done));
}

function secretField(client: SesameClient, secret: string | undefined): SafeHtml {
  if (secret) return copyField('client_secret', 'Client Secret', secret);
  return html`<p class="muted">
    Client Secret:
    ${client.public ? 'none (public client)' : 'stored only as a digest; regenerate it to see a new one.'}
  </p>`;
}

/** A database client no application uses yet is served by the global issuer; say how to change that. */
function unusedNote(client: SesameClient, externalUrl: string): SafeHtml {
  return html`<p class="notice" role="note">
    No application uses this provider yet.
    <a href="/admin/applications/new?provider=${encodeURIComponent(client.clientId)}"
      >Create an application with it</a
    >: its issuer, <code>${globalIssuer(externalUrl)}${ENDPOINTS.applicationPrefix}/&lt;slug&gt;/</code>, is
    the one the integration guides copy, and this page shows it then.
  </p>`;
}

function endpoints(urls: ApplicationUrls): SafeHtml {
  return html`<details>
    <summary>Other endpoints (Authentik's shared URLs)</summary>
    ${copyField('authorize_url', 'Authorize URL', urls.authorize)}
    ${copyField('token_url', 'Token URL', urls.token)}
    ${copyField('userinfo_url', 'Userinfo URL', urls.userinfo)}
    ${copyField('jwks_url', 'JWKS URL', urls.jwks)}
    ${copyField('end_session_url', 'End session URL', urls.endSession)}
  </details>`;
}

function regenerateConfirmation(client: SesameClient, csrf: string): SafeHtml {
  if (client.source !== 'database' || client.public) return html``;
  const app = client.applicationSlug;
  return confirmAction({
    csrf,
    action: `/admin/providers/${client.clientId}/secret`,
    label: 'Regenerate client secret',
    text: html`The current secret stops working at once: ${app ? html`<strong>${app}</strong>` : 'the app'}
    cannot sign anyone in until it is given the new one, shown once on the next page.`,
    confirm: 'Yes, regenerate the secret',
  });
}

function valuesCard(input: ProviderPageInput): SafeHtml {
  const { client, externalUrl } = input;
  const { urls, issuer, discovery } = clientIssuer(externalUrl, client);
  const issuerLabel = urls || client.source === 'config' ? 'OpenID Configuration Issuer' : 'Global issuer';
  return html`<section class="card" aria-label="Values for the application">
    ${copyField('client_id', 'Client ID', client.clientId)} ${secretField(client, input.secret)}
    ${!urls && client.source === 'database' ? unusedNote(client, externalUrl) : ''}
    ${copyField('issuer', issuerLabel, issuer)}
    ${copyField('discovery', 'OpenID Configuration URL', discovery)} ${urls ? endpoints(urls) : ''}
    ${regenerateConfirmation(client, input.csrf)}
  </section>`;
}

export function providerPage(input: ProviderPageInput): SafeHtml {
  const { client, secret } = input;
  return html`${breadcrumb([['/admin/providers', 'Providers']], client.name)} ${heading(client)}
  ${
    secret
      ? html`<article role="status">
          <strong>Copy the client secret now.</strong> It is shown only once: Sesame keeps only its digest.
        </article>`
      : ''
  }
  ${doneSection(input.done, secret)} ${valuesCard(input)} ${settingsSection(input)}`;
}
