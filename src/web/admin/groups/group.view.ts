// A group's page: its members (added and removed here) and its deletion.
import type { SignedIn } from '../../../http/sessions.ts';
import type { GroupOverview } from '../../../services/groups.ts';
import type { User } from '../../../store/index.ts';
import { breadcrumb, confirmAction, csrfField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';
import { adminBadge } from './list.view.ts';

export interface GroupPageData {
  signedIn: SignedIn;
  overview: GroupOverview;
  done?: string;
  error?: string;
}

export const groupPath = (name: string): string => `/admin/groups/${encodeURIComponent(name)}`;

export function groupView(data: GroupPageData): SafeHtml {
  const { group, members } = data.overview;
  return html`${breadcrumb([['/admin/groups', 'Groups']], group.name)}
    <hgroup>
      <h1>${group.name} ${adminBadge(group)}</h1>
      <p>
        ${members.length}
        ${members.length === 1 ? 'member' : 'members'}${group.source === 'file' ? html` · <span class="badge">users file: read-only</span>` : ''}
      </p>
    </hgroup>
    ${notice(data.done)} ${data.error ? html`<div class="problem" role="alert">${data.error}</div>` : ''}
    ${membersSection(data)} ${deleteSection(data)}`;
}

function membersSection({ signedIn, overview }: GroupPageData): SafeHtml {
  const base = groupPath(overview.group.name);
  return html`<section class="card" aria-labelledby="members-heading">
    <h2 id="members-heading">Members</h2>
    ${
      overview.members.length === 0
        ? html`<p class="muted">Nobody yet.</p>`
        : html`<table>
            <tbody>
              ${overview.members.map((user) => memberRow(signedIn, overview.group.name, user))}
            </tbody>
          </table>`
    }
    <form method="post" action="${base}/members">
      ${csrfField(signedIn)}
      <label for="member">Add a member</label>
      <fieldset role="group">
        <input
          id="member"
          name="username"
          required
          placeholder="Username"
          autocapitalize="none"
          spellcheck="false"
        />
        <button type="submit">Add</button>
      </fieldset>
    </form>
  </section>`;
}

function memberRow(signedIn: SignedIn, group: string, user: User): SafeHtml {
  const remove = `${groupPath(group)}/members/${encodeURIComponent(user.username)}/remove`;
  return html`<tr>
    <td>
      <a href="/admin/users/${encodeURIComponent(user.username)}">${user.username}</a>
      ${user.displayName ? html`<span class="muted">${user.displayName}</span>` : ''}
    </td>
    <td class="end">
      ${
        user.source !== 'local'
          ? html`<span class="muted">${user.source === 'ldap' ? 'LDAP directory' : 'users file'}</span>`
          : html`<form method="post" action="${remove}">
              ${csrfField(signedIn)}
              <button
                type="submit"
                class="secondary outline"
                aria-label="Remove ${user.username} from ${group}"
              >
                Remove
              </button>
            </form>`
      }
    </td>
  </tr>`;
}

function deleteSection({ signedIn, overview }: GroupPageData): SafeHtml {
  const { group, members } = overview;
  return html`<section class="card" aria-labelledby="delete-heading">
    <h2 id="delete-heading">Delete</h2>
    ${
      group.source === 'file'
        ? html`<p class="muted">This group comes from the users file.</p>`
        : overview.lastAdmin
          ? html`<p class="muted">This is the last administrators group: it cannot be deleted.</p>`
          : confirmAction({
              csrf: signedIn.csrf,
              action: `${groupPath(group.name)}/delete`,
              label: 'Delete group',
              text: html`Deletes <strong>${group.name}</strong>. Its ${members.length} members stay, without
                this group; applications that allow only this group refuse them.`,
              confirm: `Yes, delete ${group.name}`,
            })
    }
  </section>`;
}
