// The integration guide on an application's page: the values to paste into the app and, for a known
// app, its settings filled in (the same guide the API serves and the CLI prints).
import type { ApplicationUrls } from '../../../config/urls.ts';
import type { Guide } from '../../../services/guide.ts';
import { html, type SafeHtml } from '../../html.ts';
import { copyField, dataTable } from '../../views/forms.ts';

function presetSettings(guide: Guide): SafeHtml {
  return html`<h3>${guide.preset!.name} settings</h3>
    ${dataTable(
      ['Setting', 'Value'],
      guide.settings.map(
        (setting) =>
          html`<tr>
            <td><code>${setting.name}</code></td>
            <td><code>${setting.value}</code></td>
          </tr>`,
      ),
    )}
    <label for="guide-env">As an .env file</label>
    <textarea id="guide-env" readonly rows="${Math.min(12, guide.settings.length + 1)}">
${guide.env}</textarea>
    <button type="button" class="secondary outline" data-copy="guide-env">Copy .env</button>`;
}

function otherEndpoints(urls: ApplicationUrls): SafeHtml {
  return html`<p class="muted">
    Other endpoints: authorize <code>${urls.authorize}</code>, token <code>${urls.token}</code>, userinfo
    <code>${urls.userinfo}</code>, JWKS <code>${urls.jwks}</code>, end session
    <code>${urls.endSession}</code>.
  </p>`;
}

export function guideSection(guide: Guide, urls: ApplicationUrls): SafeHtml {
  const redirects = guide.redirect_uris
    .map((uri) => (uri.matching_mode === 'regex' ? `regex: ${uri.url}` : uri.url))
    .join('  ');
  return html`<section class="card" aria-labelledby="guide-heading">
    <h2 id="guide-heading">Integration guide${guide.preset ? html`: ${guide.preset.name}` : ''}</h2>
    <p class="muted">
      The values to paste into the app. The client secret is never shown again after it was created;
      <a href="/admin/providers/${guide.client_id ?? ''}">regenerate it</a> on the provider's page if it is
      lost.
    </p>
    ${guide.client_id ? copyField('guide-client-id', 'Client ID', guide.client_id) : ''}
    ${copyField('guide-issuer', 'Issuer', guide.issuer)}
    ${copyField('guide-discovery', 'Discovery URL', guide.discovery_url)}
    ${copyField('guide-redirect', 'Redirect URI(s) registered', redirects)}
    <p class="muted">Scopes: ${guide.scopes.join(' ')} · Client type: ${guide.client_type ?? 'none'}</p>
    ${guide.settings.length > 0 ? presetSettings(guide) : otherEndpoints(urls)}
  </section>`;
}
