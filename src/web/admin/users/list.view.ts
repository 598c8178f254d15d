// The users list: a search box, one row per user, and a pager.
import type { User } from '../../../store/index.ts';
import { html, type SafeHtml } from '../../html.ts';
import { dataTable } from '../../views/forms.ts';
import { nameCell } from '../layout.view.ts';

export interface UserListData {
  brand: string;
  search: string;
  page: number;
  /** The users of this page. */
  users: User[];
  /** Whether a next page exists. */
  more: boolean;
}

export function statusBadge(user: User): SafeHtml {
  return user.disabled
    ? html`<span class="badge off">disabled</span>`
    : html`<span class="badge ok">active</span>`;
}

export function userListView(data: UserListData): SafeHtml {
  const { search } = data;
  return html`<div class="head">
      <hgroup>
        <h1>Users</h1>
        <p>People who sign in with ${data.brand}.</p>
      </hgroup>
      <a href="/admin/users/new" role="button">Create</a>
    </div>
    <form method="get" action="/admin/users" role="search">
      <input
        type="search"
        name="q"
        value="${search}"
        placeholder="Username, email or display name"
        aria-label="Search users"
      />
      <button type="submit">Search</button>
    </form>
    ${
      data.users.length === 0
        ? html`<p class="empty">${search ? html`No user matches “${search}”.` : 'No users yet.'}</p>`
        : dataTable(COLUMNS, data.users.map(userRow))
    }
    ${pager(data)}`;
}

const COLUMNS = [
  'Username',
  { label: 'Name', className: 'hide-sm' },
  { label: 'Email', className: 'hide-sm' },
  'Groups',
  'Status',
];

function userRow(user: User): SafeHtml {
  return html`<tr>
    ${nameCell(`/admin/users/${encodeURIComponent(user.username)}`, user.username, user.source !== 'local')}
    <td class="hide-sm">${user.displayName ?? ''}</td>
    <td class="hide-sm">${user.email ?? ''}</td>
    <td>${user.groups.join(', ')}</td>
    <td>${statusBadge(user)}</td>
  </tr>`;
}

function pager({ search, page, more }: UserListData): SafeHtml {
  const link = (to: number) =>
    `/admin/users?${new URLSearchParams({ ...(search ? { q: search } : {}), page: String(to) }).toString()}`;
  return html`<nav class="pager" aria-label="Pages">
    ${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">← Previous</a>` : html`<span></span>`}
    <span class="muted">Page ${page}</span>
    ${more ? html`<a href="${link(page + 1)}" rel="next">Next →</a>` : html`<span></span>`}
  </nav>`;
}
