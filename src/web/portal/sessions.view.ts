// The Sessions page: where the user is signed in, each session with a button that ends it.
import { methodsLabel } from '../../auth/login-sessions.ts';
import type { OwnSession } from '../../services/account.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { csrfField, formatTime, notice } from '../views/forms.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/portal-client.ts';

export interface SessionsView {
  sessions: OwnSession[];
  /** The session of this browser. */
  current: string;
  csrf: string;
  done?: string;
}

/** The table's columns: label, and whether a narrow screen leaves it out. */
const COLUMNS = [
  ['Signed in', false],
  ['From', true],
  ['With', true],
  ['Apps', true],
  ['Until', false],
] as const;

const muted = (text: string) => html`<span class="muted">${text}</span>`;

function row(session: OwnSession, view: SessionsView): SafeHtml {
  const here = session.id === view.current;
  const apps = session.clients.filter((id) => id !== PORTAL_CLIENT_ID).length;
  return html`<tr>
    <td>${formatTime(session.loginAt)} ${here ? html`<span class="badge">this browser</span>` : ''}</td>
    <td class="hide-sm">${session.from ?? muted('unknown')}</td>
    <td class="hide-sm">${methodsLabel(session.amr)}</td>
    <td class="hide-sm">${apps || muted('none')}</td>
    <td>${formatTime(session.expiresAt)}</td>
    <td>
      <form method="post" action="/portal/sessions/${session.id}/end">
        ${csrfField(view.csrf)}
        <button
          type="submit"
          class="secondary outline"
          aria-label="End session from ${formatTime(session.loginAt)}${here ? ' (this browser)' : ''}"
        >
          ${here ? 'Sign out' : 'End'}
        </button>
      </form>
    </td>
  </tr>`;
}

function table(view: SessionsView): SafeHtml {
  return html`<div class="overflow-auto">
    <table>
      <thead>
        <tr>
          ${COLUMNS.map(([label, narrow]) => html`<th scope="col" ${narrow ? trusted('class="hide-sm"') : ''}>${label}</th>`)}
          <th scope="col"><span class="sr-only">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${view.sessions.map((session) => row(session, view))}
      </tbody>
    </table>
  </div>`;
}

export function sessionsView(view: SessionsView): SafeHtml {
  const others = view.sessions.filter((session) => session.id !== view.current).length;
  return html`<hgroup>
      <h1>Sessions</h1>
      <p>Where you are signed in. End a session you do not recognise, then change your password.</p>
    </hgroup>
    ${notice(view.done)} ${table(view)}
    ${
      others > 0
        ? html`<form method="post" action="/portal/sessions/end-others">
            ${csrfField(view.csrf)}
            <button type="submit" class="secondary">End all other sessions (${others})</button>
          </form>`
        : ''
    }`;
}
