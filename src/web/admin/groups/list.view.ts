// The groups list, with the form that creates a group.
import type { SignedIn } from '../../../http/sessions.ts';
import type { GroupRow } from '../../../services/groups.ts';
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { csrfField, dataTable, formProblem, inputField, notice, switchField } from '../../views/forms.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import { nameCell } from '../layout.view.ts';

export interface GroupListData {
  signedIn: SignedIn;
  brand: string;
  groups: GroupRow[];
  done?: string;
  /** What the create form sent, when it comes back with errors. */
  values: Form;
  errors: FieldErrors;
}

/** The role badge: administrators' groups stand out. */
export const adminBadge = (group: { isAdmin: boolean }): SafeHtml =>
  group.isAdmin ? html`<span class="badge warn">administrators</span>` : html``;

export function groupListView(data: GroupListData): SafeHtml {
  return html`<hgroup>
      <h1>Groups</h1>
      <p>
        Groups decide who may open which application; members of an administrators group use this admin UI.
      </p>
    </hgroup>
    ${notice(data.done)}
    ${data.groups.length === 0 ? html`<p class="empty">No groups yet.</p>` : dataTable(['Name', 'Members', 'Role'], data.groups.map(groupRow))}
    ${createGroupForm(data)}`;
}

function groupRow(group: GroupRow): SafeHtml {
  return html`<tr>
    ${nameCell(`/admin/groups/${encodeURIComponent(group.name)}`, group.name, group.source === 'file')}
    <td>${group.members}</td>
    <td>${group.isAdmin ? adminBadge(group) : html`<span class="muted">members</span>`}</td>
  </tr>`;
}

function createGroupForm({ signedIn, brand, values, errors }: GroupListData): SafeHtml {
  return html`<section class="card" aria-labelledby="create-group-heading">
    <h2 id="create-group-heading">Create a group</h2>
    ${formProblem(errors)}
    <form method="post" action="/admin/groups">
      ${csrfField(signedIn)}
      ${inputField({
        id: 'group-name',
        name: 'name',
        label: 'Name',
        value: one(values.name),
        errors,
        required: true,
        attributes: trusted('pattern="[A-Za-z0-9._\\-]{1,100}"'),
        help: 'Letters, digits, dot, underscore and dash.',
      })}
      ${switchField({ name: 'is_admin', label: `Members administer ${brand}`, checked: one(values.is_admin) === 'on' })}
      <button type="submit">Create group</button>
    </form>
  </section>`;
}
