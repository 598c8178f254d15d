// The signing keys page: the keys with their state, and rotation behind a confirmation.
import type { KeyRow } from '../../services/keys.ts';
import { confirmAction, dataTable, formatTime, notice } from '../views/forms.ts';
import { html, type SafeHtml } from '../html.ts';

export interface KeysPageData {
  keys: KeyRow[];
  overlapSeconds: number;
  fromConfiguration: boolean;
  done?: string;
}

function keyState(key: KeyRow): SafeHtml {
  if (key.status === 'active')
    return html`<span class="badge ok">active</span> <span class="muted">signs</span>`;
  if (key.status === 'next') return html`<span class="badge">next</span>`;
  return key.published
    ? html`<span class="badge warn">retiring</span>
        <span class="muted">verifies until ${formatTime(key.publishedUntil)}</span>`
    : html`<span class="badge off">retired</span> <span class="muted">no longer published</span>`;
}

function keyTable(keys: KeyRow[]): SafeHtml {
  const rows = keys.map(
    (key) =>
      html`<tr>
        <td><code>${key.kid}</code></td>
        <td>${key.algorithm}</td>
        <td class="hide-sm">${formatTime(key.createdAt)}</td>
        <td>${keyState(key)}</td>
      </tr>`,
  );
  return dataTable(['Key ID (kid)', 'Algorithm', { label: 'Created', className: 'hide-sm' }, 'State'], rows);
}

function rotateSection(data: KeysPageData, csrf: string): SafeHtml {
  const action = data.fromConfiguration
    ? html`<p class="muted">
        The keys come from <code>identity_providers.oidc.jwks</code>: rotate them in the configuration file.
      </p>`
    : confirmAction({
        csrf,
        action: '/admin/keys/rotate',
        label: 'Rotate signing keys',
        text: `New keys sign from now on. The current ones keep verifying tokens they signed for ${Math.round(data.overlapSeconds / 60)} minutes, then leave the JWKS.`,
        confirm: 'Yes, rotate now',
      });
  return html`<section class="card" aria-labelledby="rotate-heading">
    <h2 id="rotate-heading">Rotate</h2>
    ${action}
  </section>`;
}

/** `csrf`: the token for the page's forms. */
export function keysView(data: KeysPageData, csrf: string): SafeHtml {
  return html`<hgroup>
      <h1>Signing keys</h1>
      <p>Keys that sign ID tokens and JWT access tokens; the public halves are published in the JWKS.</p>
    </hgroup>
    ${notice(data.done)} ${keyTable(data.keys)} ${rotateSection(data, csrf)}`;
}
