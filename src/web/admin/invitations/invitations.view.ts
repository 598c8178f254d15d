// The invitations page: a link just created (shown once), the list with its states, and the form.
import type { FieldErrors, Form } from '../../../http/forms.ts';
import { one } from '../../../http/forms.ts';
import { invitationState } from '../../../services/invitations.ts';
import type { Invitation } from '../../../store/index.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import {
  confirmAction,
  copyField,
  csrfField,
  dataTable,
  formatTime,
  formProblem,
  inputField,
  notice,
  switchField,
  type Column,
} from '../../views/forms.ts';

export interface InvitationsPageData {
  invitations: Invitation[];
  now: Date;
  /** Whether a notifier can mail the link. */
  canMail: boolean;
  created?: { email: string; link: string; mailed: boolean };
  errors?: FieldErrors;
  form?: Form;
  done?: string;
}

const STATE_BADGE = {
  pending: html`<span class="badge ok">pending</span>`,
  used: html`<span class="badge">used</span>`,
  expired: html`<span class="badge off">expired</span>`,
  revoked: html`<span class="badge off">revoked</span>`,
};

function createdCard(created: InvitationsPageData['created']): SafeHtml | string {
  if (!created) return '';
  return html`<section class="card" aria-labelledby="created-heading">
    <h2 id="created-heading">Invitation for ${created.email} created</h2>
    <p>
      ${created.mailed ? 'It was mailed. ' : ''}Copy the link now if you hand it over yourself: it is not
      shown again.
    </p>
    ${copyField('invitation-link', 'Link', created.link)}
  </section>`;
}

function invitationRow(invitation: Invitation, now: Date, csrf: string): SafeHtml {
  const state = invitationState(invitation, now);
  const revoke =
    state === 'pending'
      ? confirmAction({
          csrf,
          action: `/admin/invitations/${encodeURIComponent(invitation.id)}/revoke`,
          label: 'Revoke',
          text: `The link sent to ${invitation.email} stops working.`,
          confirm: 'Yes, revoke it',
        })
      : '';
  return html`<tr>
    <td>${invitation.email}${invitation.mailed ? '' : html` <span class="muted">(link copied)</span>`}</td>
    <td>${invitation.username ?? html`<span class="muted">their choice</span>`}</td>
    <td>${invitation.groups.join(', ')}</td>
    <td class="hide-sm">
      ${formatTime(invitation.createdAt)}
      ${invitation.createdBy ? html`<br /><span class="muted">${invitation.createdBy}</span>` : ''}
    </td>
    <td class="hide-sm">${formatTime(invitation.expiresAt)}</td>
    <td>${STATE_BADGE[state]}</td>
    <td>${revoke}</td>
  </tr>`;
}

function invitationTable(invitations: Invitation[], now: Date, csrf: string): SafeHtml {
  if (invitations.length === 0) return html`<p class="empty">No invitations yet.</p>`;
  const columns: Column[] = ['Email', 'Username', 'Groups'];
  for (const label of ['Created', 'Expires']) columns.push({ label, className: 'hide-sm' });
  columns.push('State', { label: 'Actions', srOnly: true });
  return dataTable(
    columns,
    invitations.map((invitation) => invitationRow(invitation, now, csrf)),
  );
}

function newInvitationForm(data: InvitationsPageData, csrf: string): SafeHtml {
  const form = data.form ?? {};
  const errors = data.errors ?? {};
  return html`<section class="card" aria-labelledby="new-invitation-heading">
    <h2 id="new-invitation-heading">New invitation</h2>
    ${formProblem(errors)}
    <form method="post" action="/admin/invitations">
      ${csrfField(csrf)}
      ${inputField({ id: 'invite-email', name: 'email', label: 'Email', type: 'email', value: one(form.email), required: true, errors })}
      ${inputField({
        id: 'invite-username',
        name: 'username',
        label: 'Username (empty: they choose)',
        value: one(form.username),
        attributes: trusted('maxlength="100" autocapitalize="none"'),
        errors,
      })}
      ${inputField({ id: 'invite-groups', name: 'groups', label: 'Groups (comma-separated)', value: one(form.groups), errors })}
      ${inputField({
        id: 'invite-days',
        name: 'expires_days',
        label: 'Expires after (days, 1 to 90)',
        value: one(form.expires_days) || '7',
        type: 'number',
        attributes: trusted('min="1" max="90"'),
        errors,
        errorKey: 'expires',
      })}
      ${
        data.canMail
          ? switchField({
              name: 'send_mail',
              label: 'Send the link by mail',
              checked: form.send_mail !== undefined || !data.form,
            })
          : html`<p class="muted">There is no notifier: copy the link after creating the invitation.</p>`
      }
      <button type="submit">Create invitation</button>
    </form>
  </section>`;
}

/** `csrf`: the token for the page's forms. */
export function invitationsView(data: InvitationsPageData, csrf: string): SafeHtml {
  return html`<hgroup>
      <h1>Invitations</h1>
      <p>
        An invitation lets someone make their own account, in the groups you choose, with a link that works
        once. A mailed link also verifies their address.
      </p>
    </hgroup>
    ${notice(data.done)} ${createdCard(data.created)} ${invitationTable(data.invitations, data.now, csrf)}
    ${newInvitationForm(data, csrf)}`;
}
