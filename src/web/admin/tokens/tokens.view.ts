// The API tokens page: a token just created (shown once), the list, and the form for a new one.
import type { ApiToken } from '../../../store/index.ts';
import type { FieldErrors, Form } from '../../../http/forms.ts';
import { copyField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../html.ts';
import { newTokenForm } from './new-token.view.ts';
import { tokenTable } from './table.view.ts';

export interface TokensPageData {
  tokens: ApiToken[];
  now: Date;
  created?: { name: string; token: string };
  errors?: FieldErrors;
  form?: Form;
  done?: string;
}

function createdCard(created: { name: string; token: string } | undefined): SafeHtml | string {
  if (!created) return '';
  return html`<section class="card" aria-labelledby="created-heading">
    <h2 id="created-heading">Token “${created.name}” created</h2>
    <p>Copy it now: it is not shown again.</p>
    ${copyField('new-token', 'Token', created.token)}
  </section>`;
}

/** `csrf`: the token for the page's forms. */
export function tokensView(data: TokensPageData, csrf: string): SafeHtml {
  return html`<hgroup>
      <h1>API tokens</h1>
      <p>
        For scripts and tools that call the admin API (<code>/api/v1</code>) as
        <code>Authorization: Bearer sesame_…</code>. Only a hash is kept: a token is shown once.
      </p>
    </hgroup>
    ${notice(data.done)} ${createdCard(data.created)} ${tokenTable(data.tokens, data.now, csrf)}
    ${newTokenForm(data.form ?? {}, data.errors ?? {}, csrf)}`;
}
