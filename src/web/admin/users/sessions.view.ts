// The user page's live login sessions, each with a revoke button.
import { methodsLabel, type LoginSession } from '../../../auth/login-sessions.ts';
import type { SignedIn } from '../../../http/sessions.ts';
import { csrfField, dataTable, formatTime, type Column } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';
import { userPath } from './parts.view.ts';
import type { UserPageData } from './user.view.ts';

const COLUMNS: Column[] = [
  'Signed in',
  { label: 'Methods', className: 'hide-sm' },
  { label: 'Apps', className: 'hide-sm' },
  'Expires',
  { label: 'Action', srOnly: true },
];

export function sessionsSection({ signedIn, overview }: UserPageData): SafeHtml {
  const { sessions } = overview;
  const base = userPath(overview.user.username);
  return html`<section class="card" aria-labelledby="sessions-heading">
    <h2 id="sessions-heading">Sessions</h2>
    ${
      sessions.length === 0
        ? html`<p class="muted">No live sessions.</p>`
        : dataTable(
            COLUMNS,
            sessions.map((session) => sessionRow(signedIn, base, session)),
          )
    }
  </section>`;
}

function sessionRow(signedIn: SignedIn, base: string, session: LoginSession): SafeHtml {
  const thisBrowser = session.id === signedIn.sessionUid;
  return html`<tr>
    <td>
      ${formatTime(session.loginAt)}${thisBrowser ? html` <span class="badge">this browser</span>` : ''}
    </td>
    <td class="hide-sm">${methodsLabel(session.amr)}</td>
    <td class="hide-sm">${session.clients.join(', ')}</td>
    <td>${formatTime(session.expiresAt)}</td>
    <td>
      <form method="post" action="${base}/sessions/${session.id}/revoke">
        ${csrfField(signedIn)}
        <button
          type="submit"
          class="secondary outline"
          aria-label="Revoke session from ${formatTime(session.loginAt)}"
        >
          Revoke
        </button>
      </form>
    </td>
  </tr>`;
}
