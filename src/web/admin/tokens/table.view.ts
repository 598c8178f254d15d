// The API tokens list: scopes, dates, state, and revocation behind a confirmation.
import { tokenState } from '../../../services/tokens.ts';
import type { ApiToken } from '../../../store/index.ts';
import { confirmAction, dataTable, formatTime, type Column } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';

const STATE_BADGE = {
  active: html`<span class="badge ok">active</span>`,
  revoked: html`<span class="badge off">revoked</span>`,
  expired: html`<span class="badge off">expired</span>`,
};

function tokenRow(token: ApiToken, now: Date, csrf: string): SafeHtml {
  const revoke = token.revokedAt
    ? ''
    : confirmAction({
        csrf,
        action: `/admin/tokens/${encodeURIComponent(token.id)}/revoke`,
        label: 'Revoke',
        text: `Requests with “${token.name}” are refused from now on.`,
        confirm: 'Yes, revoke it',
      });
  return html`<tr>
    <td>${token.name}</td>
    <td>${token.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
    <td class="hide-sm">
      ${formatTime(token.createdAt)}
      ${token.createdBy ? html`<br /><span class="muted">${token.createdBy}</span>` : ''}
    </td>
    <td class="hide-sm">${token.expiresAt ? formatTime(token.expiresAt) : 'never'}</td>
    <td class="hide-sm">${token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</td>
    <td>${STATE_BADGE[tokenState(token, now)]}</td>
    <td>${revoke}</td>
  </tr>`;
}

export function tokenTable(tokens: ApiToken[], now: Date, csrf: string): SafeHtml {
  if (tokens.length === 0) return html`<p class="empty">No API tokens yet.</p>`;
  const columns: Column[] = ['Name', 'Scopes'];
  for (const label of ['Created', 'Expires', 'Last used']) columns.push({ label, className: 'hide-sm' });
  columns.push('State', { label: 'Actions', srOnly: true });
  return dataTable(
    columns,
    tokens.map((token) => tokenRow(token, now, csrf)),
  );
}
