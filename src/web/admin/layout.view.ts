// The admin UI's frame: the shell with the admin sections, its styles, and the pages every admin
// area answers with when something is missing or was already done, and the first cell of the
// users and groups lists.
import type { SesameConfig } from '../../config/load.ts';
import type { SignedIn } from '../../http/sessions.ts';
import { stylesheet } from '../assets.ts';
import { html, type SafeHtml } from '../html.ts';
import { shell } from '../shell.ts';

export const SECTIONS = [
  ['applications', 'Applications'],
  ['providers', 'Providers'],
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['invitations', 'Invitations'],
  ['access', 'Access rules'],
  ['keys', 'Signing keys'],
  ['tokens', 'API tokens'],
  ['events', 'Events'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

const STYLE = `
:root{--pico-font-size:100%}
fieldset{min-width:0}
.scopes th,.scopes td{padding:.3rem .35rem}
.scopes label{white-space:nowrap;margin:0}
.scopes input{margin-right:.25rem}
td code,dd code,li code{overflow-wrap:anywhere}
.copy{display:flex;gap:.5rem;align-items:center;margin-bottom:var(--pico-spacing)}
.copy input{margin:0}.copy button{width:auto;margin:0}
.badge{display:inline-block;font-size:.75em;padding:.1em .6em;border-radius:1em;background:var(--pico-secondary-background);color:var(--pico-secondary-inverse);white-space:nowrap;vertical-align:middle}
.badge.ok{background:#1f7a4d;color:#fff}.badge.warn{background:#a15c00;color:#fff}.badge.off{background:#8a1c1c;color:#fff}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:var(--pico-spacing)}
.actions>*{margin:0;width:auto}
.actions form{margin:0}.actions button,.actions [role=button]{margin:0;width:auto}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:.5rem}
.head hgroup{margin-bottom:1rem}
.head [role=button]{margin-top:.25rem}
details.confirm{margin:0}
details.confirm>summary{display:inline-block;list-style:none}
details.confirm>summary::-webkit-details-marker{display:none}
details.confirm>summary::after{display:none}
details.confirm[open]>article{margin:.5rem 0 0;max-width:36rem}
details.confirm article p{margin-bottom:.75rem}
button.danger,[role=button].danger{background:#b42318;border-color:#b42318;color:#fff}
.problem{padding:.75rem 1rem;border-radius:var(--pico-border-radius);background:#fdecea;color:#7f1d1d;border:1px solid #f5b5ae;margin-bottom:1rem}
.secret{font-family:var(--pico-font-family-monospace);font-size:1.1em}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:0 1.5rem}
fieldset.choices label{display:inline-flex;margin-right:1.25rem}
.pager{display:flex;gap:1rem;justify-content:space-between;align-items:center}
table{font-size:.95em}
th{white-space:nowrap}
td.end{text-align:right}
pre{padding:.75rem 1rem;overflow:auto}
.uri-row{display:flex;gap:.5rem;margin-bottom:.5rem}.uri-row input{flex:1 1 auto;margin:0}.uri-row select{flex:0 0 7.5rem;margin:0}
fieldset.uris .add-row{width:auto;margin:.25rem 0 .5rem;padding:.35rem .75rem;font-size:.875em;display:block}
.teach{display:block;color:#7f1d1d;font-weight:600}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:0 1rem}
tr.hit td{background:#e7f5ec;font-weight:600}ul.reasons li.hit{font-weight:600}
table.events td:nth-child(-n+2){white-space:nowrap}table.events td{vertical-align:top}
details.more{margin:.25rem 0 0;font-size:.85em}details.more summary{color:var(--pico-muted-color)}.kv{display:block;font-size:.85em}
@media (max-width:576px){.copy{flex-wrap:wrap}.copy input{flex:1 1 12rem}}
`;
const STYLESHEET = stylesheet('admin', STYLE);

export function adminPage(
  config: SesameConfig,
  section: Section | undefined,
  title: string,
  body: SafeHtml,
  signedIn: SignedIn,
): string {
  return shell({
    config,
    title,
    home: '/admin',
    brandSuffix: 'admin',
    account: html`<li><a href="/portal" class="secondary">Portal</a></li>
      <li>
        <a href="/portal/profile" class="secondary" title="Your account">${signedIn.user.username}</a>
      </li>`,
    sectionsLabel: 'Admin',
    sections: SECTIONS.map(([id, label]) => [`/admin/${id}`, label, id === section] as const),
    stylesheet: STYLESHEET,
    head: html`<script src="/assets/admin.js" defer></script>`,
    body,
  });
}

export function notFoundPage(
  config: SesameConfig,
  signedIn: SignedIn,
  section: Section,
  what: string,
): string {
  return adminPage(
    config,
    section,
    'Not found',
    html`<h1>Not found</h1>
      <p>${what}</p>
      <p><a href="/admin/${section}">Back</a></p>`,
    signedIn,
  );
}

/** A form sent a second time: nothing changed; back to the section it came from. */
export function alreadySubmittedPage(config: SesameConfig, signedIn: SignedIn, url: string): string {
  const name = url.split(/[/?]/)[2];
  const section = SECTIONS.find(([id]) => id === name)?.[0];
  return adminPage(
    config,
    section,
    'Already submitted',
    html`<h1>Already submitted</h1>
      <p>This form was sent before and its change was made then; sending it again changed nothing.</p>
      <p><a href="/admin/${section ?? ''}">Continue</a></p>`,
    signedIn,
  );
}

/** A list's first cell: the link to the record, marked when it comes from the users file. */
export function nameCell(href: string, name: string, fromFile: boolean): SafeHtml {
  return html`<td>
    <a href="${href}">${name}</a>
    ${fromFile ? html` <span class="badge">users file</span>` : ''}
  </td>`;
}
