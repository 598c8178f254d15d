// What every admin page shares: the layout with its navigation, the administrator check (with CSRF
// on every POST), form helpers that show a validation error next to its field, and confirmations
// that work without JavaScript.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserService } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError, SesameError } from '../lib/errors.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { Store } from '../store/index.ts';
import { stylesheet } from './assets.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { OneTimeNotes } from '../http/once.ts';
import { BrowserSessions, type SignedIn } from '../http/sessions.ts';
import { shell } from './shell.ts';

export type Form = Record<string, string | string[] | undefined>;
/** Field name → message. */
export type FieldErrors = Record<string, string>;

export const SECTIONS = [
  ['applications', 'Applications'],
  ['providers', 'Providers'],
  ['users', 'Users'],
  ['groups', 'Groups'],
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
table.events td:nth-child(-n+2){white-space:nowrap}table.events td{vertical-align:top}
details.more{margin:.25rem 0 0;font-size:.85em}details.more summary{color:var(--pico-muted-color)}.kv{display:block;font-size:.85em}
@media (max-width:576px){.copy{flex-wrap:wrap}.copy input{flex:1 1 12rem}}
`;
const STYLESHEET = stylesheet('admin', STYLE);

export function page(
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

/**
 * A labelled select: `options` are values, or [value, label] pairs; `value` is the one selected.
 * The field's error, if any, follows it; `describedBy` names a help text placed after it.
 */
export function selectField(input: {
  name: string;
  label: string;
  options: readonly (string | readonly [string, string])[];
  value: string;
  errors?: FieldErrors;
  describedBy?: string;
}): SafeHtml {
  const errors = input.errors ?? {};
  return html`<label for="${input.name}">${input.label}</label>
    <select
      id="${input.name}"
      name="${input.name}"
      ${errors[input.name] ? invalid(errors, input.name) : input.describedBy ? trusted(`aria-describedby="${input.describedBy}"`) : ''}
    >
      ${input.options.map((option) => {
        const [value, label] = typeof option === 'string' ? [option, option] : option;
        return html`<option value="${value}" ${value === input.value ? trusted('selected') : ''}>
          ${label}
        </option>`;
      })}
    </select>
    ${fieldError(errors, input.name)}`;
}

export function copyField(id: string, label: string, value: string): SafeHtml {
  return html`<label for="${id}">${label}</label>
    <div class="copy">
      <input id="${id}" value="${value}" readonly />
      <button type="button" class="secondary outline" data-copy="${id}" aria-label="Copy ${label}">
        Copy
      </button>
    </div>`;
}

/**
 * A field that holds one value. The admin forms' bodies skip the app-wide check for repeated fields
 * (their lists are read with many()), so a single-valued field sent twice is refused here. Values
 * that are not text are refused by both (the app-wide check comes first).
 */
export const one = (value: unknown): string => {
  if (Array.isArray(value))
    throw new InvalidInputError('a form field that takes one value was sent more than once');
  return asText(value)?.trim() ?? '';
};

export const many = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .map((entry) => (asText(entry) ?? '').trim())
    .filter(Boolean);

function asText(value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string')
    throw new InvalidInputError('a form field must be text');
  return value;
}

/** aria-invalid and aria-describedby for a field, and the message to put after it. */
export function invalid(errors: FieldErrors, name: string): SafeHtml {
  return errors[name] ? trusted(`aria-invalid="true" aria-describedby="${name}-error"`) : trusted('');
}

export function fieldError(errors: FieldErrors, name: string): SafeHtml {
  return errors[name] ? html`<small id="${name}-error" class="field-error">${errors[name]}</small>` : html``;
}

/** A domain error as field errors (unknown fields go under `form`). */
export function toFieldErrors(error: unknown, fields: readonly string[]): FieldErrors | undefined {
  if (error instanceof InvalidInputError && error.field && fields.includes(error.field))
    return { [error.field]: error.message };
  if (error instanceof SesameError) return { form: error.message };
  return undefined;
}

export function formProblem(errors: FieldErrors): SafeHtml {
  const count = Object.keys(errors).length;
  if (count === 0) return html``;
  return html`<div class="problem" role="alert">
    ${errors.form ?? (count === 1 ? 'Please correct the field marked below.' : 'Please correct the fields marked below.')}
  </div>`;
}

export function notice(text: string | undefined): SafeHtml {
  return text ? html`<div class="notice" role="status">${text}</div>` : html``;
}

export const csrfField = (signedIn: SignedIn): SafeHtml =>
  html`<input type="hidden" name="csrf" value="${signedIn.csrf}" />`;

/**
 * A destructive action behind a second click: the summary opens an explanation and the real button.
 * No script needed; keyboard users open it with Enter or Space.
 */
export function confirmAction(input: {
  signedIn: SignedIn;
  action: string;
  label: string;
  text: SafeHtml | string;
  confirm: string;
  fields?: SafeHtml;
  danger?: boolean;
}): SafeHtml {
  return html`<details class="confirm">
    <summary role="button" class="${input.danger === false ? 'secondary outline' : 'secondary'}">
      ${input.label}…
    </summary>
    <article>
      <p>${input.text}</p>
      <form method="post" action="${input.action}">
        ${csrfField(input.signedIn)} ${input.fields ?? ''}
        <button type="submit" class="${input.danger === false ? '' : 'danger'}">${input.confirm}</button>
      </form>
    </article>
  </details>`;
}

export function formatTime(date: Date | undefined): string {
  if (!date) return '';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface AdminGuardContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
}

export interface AdminGuard {
  sessions: BrowserSessions;
  users: UserService;
  /** What a form's success shows once (a secret) on the page its redirect opens. */
  once: OneTimeNotes;
  /** An administrator with a valid CSRF token on POST; otherwise the answer is already sent. */
  admin: (request: FastifyRequest, reply: FastifyReply) => Promise<SignedIn | undefined>;
  notFound: (reply: FastifyReply, signedIn: SignedIn, section: Section, what: string) => FastifyReply;
}

export function adminGuard(context: AdminGuardContext): AdminGuard {
  const { config, store } = context;
  /** A form sent a second time: nothing changed; back to the section it came from. */
  const alreadySubmitted = (reply: FastifyReply, signedIn: SignedIn, url: string) => {
    const name = url.split(/[/?]/)[2];
    const section = SECTIONS.find(([id]) => id === name)?.[0];
    return reply
      .status(409)
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(
        page(
          config,
          section,
          'Already submitted',
          html`<h1>Already submitted</h1>
            <p>This form was sent before and its change was made then; sending it again changed nothing.</p>
            <p><a href="/admin/${section ?? ''}">Continue</a></p>`,
          signedIn,
        ),
      );
  };
  const sessions = new BrowserSessions(
    context.issuers.global.provider,
    store,
    config.identity_providers.oidc.hmac_secret,
  );
  const users = new UserService(store, config.authentication_backend.password_hashing);
  return {
    sessions,
    users,
    once: new OneTimeNotes(config.identity_providers.oidc.hmac_secret),
    admin: async (request, reply) => {
      const signedIn = await sessions.current(request, reply);
      if (!signedIn) {
        await reply.redirect(`/portal/login?return=${encodeURIComponent(request.url.split('?')[0]!)}`);
        return undefined;
      }
      if (!(await users.isAdmin(signedIn.user))) {
        await reply
          .status(403)
          .type('text/html')
          .header('cache-control', 'no-store')
          .send(
            html`<!doctype html>
              <html lang="en">
                <head>
                  <meta charset="utf-8" />
                  <meta name="viewport" content="width=device-width, initial-scale=1" />
                  <title>Forbidden – ${config.branding.name}</title>
                  <link rel="stylesheet" href="/assets/pico.min.css" />
                </head>
                <body>
                  <main class="container">
                    <h1>Administrators only</h1>
                    <p>${signedIn.user.username} is not in an administrators group.</p>
                    <p><a href="/portal">Go to your applications</a></p>
                  </main>
                </body>
              </html>`.value,
          );
        return undefined;
      }
      if (request.method === 'POST') {
        const check = await sessions.useFormToken(signedIn, ((request.body ?? {}) as Form).csrf);
        if (check === 'invalid') {
          await reply.status(403).type('text/html').send('The form was not sent from this site.');
          return undefined;
        }
        if (check === 'used') {
          await alreadySubmitted(reply, signedIn, request.url);
          return undefined;
        }
      }
      void reply.header('cache-control', 'no-store');
      return signedIn;
    },
    notFound: (reply, signedIn, section, what) => {
      return reply
        .status(404)
        .type('text/html')
        .send(
          page(
            config,
            section,
            'Not found',
            html`<h1>Not found</h1>
              <p>${what}</p>
              <p><a href="/admin/${section}">Back</a></p>`,
            signedIn,
          ),
        );
    },
  };
}
