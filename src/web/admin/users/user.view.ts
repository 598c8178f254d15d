// A user's page: who they are, then one card per thing an administrator can change.
import type { SignedIn } from '../../../http/sessions.ts';
import type { UserOverview } from '../../../services/users.ts';
import type { FieldErrors, Form } from '../../../http/forms.ts';
import { breadcrumb, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';
import { accessSection, factorsSection, passwordSection } from './access.view.ts';
import { statusBadge } from './list.view.ts';
import { profileSection } from './profile.view.ts';
import { sessionsSection } from './sessions.view.ts';

export interface UserPageData {
  signedIn: SignedIn;
  overview: UserOverview;
  /** A generated password, shown this once. */
  password?: string;
  done?: string;
  /** What the profile form sent, when it comes back with errors. */
  values?: Form;
  errors: FieldErrors;
}

export function userView(data: UserPageData): SafeHtml {
  const { user } = data.overview;
  return html`${breadcrumb([['/admin/users', 'Users']], user.username)}
    <hgroup>
      <h1>${user.displayName || user.username} ${statusBadge(user)}</h1>
      <p>
        <code>${user.username}</code>${user.email ? html` · ${user.email}` : ''}
        ${user.source === 'file' ? html` <span class="badge">users file: read-only</span>` : ''}
        ${user.source === 'ldap' ? html` <span class="badge">LDAP directory: read-only</span>` : ''}
      </p>
    </hgroup>
    ${notice(data.done)} ${data.password ? oneTimePassword(user.username, data.password) : ''}
    ${profileSection(data)} ${accessSection(data)} ${passwordSection(data)} ${factorsSection(data)}
    ${sessionsSection(data)}
    <p>
      <a href="/admin/events?user=${encodeURIComponent(user.username)}">Events about ${user.username} →</a>
    </p>`;
}

function oneTimePassword(username: string, password: string): SafeHtml {
  return html`<article role="status">
    <p><strong>Give this password to ${username} now.</strong> It is shown only once.</p>
    <div class="copy">
      <input id="new-password" class="secret" value="${password}" readonly aria-label="One-time password" />
      <button
        type="button"
        class="secondary outline"
        data-copy="new-password"
        aria-label="Copy one-time password"
      >
        Copy
      </button>
    </div>
  </article>`;
}
