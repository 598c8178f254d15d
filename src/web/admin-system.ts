// Admin pages for the system: signing keys (list, rotate), API tokens (create, shown once; revoke)
// and the event log (search, pages).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import { API_RESOURCES, ApiTokenService } from '../services/tokens.ts';
import { KeyService } from '../services/keys.ts';
import type { AuditEvent, Store } from '../store/index.ts';
import {
  confirmAction,
  copyField,
  fieldError,
  formatTime,
  formProblem,
  invalid,
  notice,
  one,
  page,
  toFieldErrors,
  type AdminGuard,
  type FieldErrors,
  type Form,
} from './admin-kit.ts';
import { NotFoundError } from '../lib/errors.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import type { SignedIn } from '../http/sessions.ts';

const EVENTS_PER_PAGE = 50;

interface SystemContext {
  config: SesameConfig;
  store: Store;
  reloadKeys: () => Promise<unknown>;
}

/** One line an operator can read: the event's own explanation when it has one, else its details. */
function describe(event: AuditEvent): SafeHtml {
  const details = { ...event.details };
  const message = typeof details.message === 'string' ? details.message : undefined;
  delete details.message;
  const rest = Object.entries(details).filter(([, value]) => value !== undefined && value !== null);
  const pairs = html`<span class="kv"
    >${rest.map(
      ([key, value]) =>
        html`<span
          ><span class="muted">${key}</span>
          <code>${typeof value === 'string' ? value : JSON.stringify(value)}</code></span
        > `,
    )}</span
  >`;
  if (!message) return rest.length > 0 ? pairs : html``;
  return html`<strong class="teach">${message}</strong> ${
      rest.length > 0
        ? html`<details class="more">
            <summary>Details</summary>
            ${pairs}
          </details>`
        : ''
    }`;
}

export function registerSystemPages(app: FastifyInstance, context: SystemContext, guard: AdminGuard): void {
  const { config, store } = context;
  const { admin } = guard;
  const keyService = new KeyService(store, config);
  const overlap = keyService.overlapSeconds;
  const fromConfiguration = keyService.fromConfiguration;

  async function keysPage(reply: FastifyReply, signedIn: SignedIn, done?: string) {
    const keys = await store.signingKeys.list();
    const now = Date.now();
    return reply.type('text/html').send(
      page(
        config,
        'keys',
        'Signing keys',
        html`<hgroup>
            <h1>Signing keys</h1>
            <p>
              Keys that sign ID tokens and JWT access tokens; the public halves are published in the JWKS.
            </p>
          </hgroup>
          ${notice(done)}
          <div class="overflow-auto">
            <table>
              <thead>
                <tr>
                  <th scope="col">Key ID (kid)</th>
                  <th scope="col">Algorithm</th>
                  <th scope="col" class="hide-sm">Created</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                ${keys.map((key) => {
                  const until = key.retiredAt
                    ? new Date(key.retiredAt.getTime() + overlap * 1000)
                    : undefined;
                  const state =
                    key.status === 'active'
                      ? html`<span class="badge ok">active</span> <span class="muted">signs</span>`
                      : key.status === 'next'
                        ? html`<span class="badge">next</span>`
                        : until && until.getTime() > now
                          ? html`<span class="badge warn">retiring</span>
                              <span class="muted">verifies until ${formatTime(until)}</span>`
                          : html`<span class="badge off">retired</span>
                              <span class="muted">no longer published</span>`;
                  return html`<tr>
                    <td><code>${key.kid}</code></td>
                    <td>${key.algorithm}</td>
                    <td class="hide-sm">${formatTime(key.createdAt)}</td>
                    <td>${state}</td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>
          <section class="card" aria-labelledby="rotate-heading">
            <h2 id="rotate-heading">Rotate</h2>
            ${
              fromConfiguration
                ? html`<p class="muted">
                    The keys come from <code>identity_providers.oidc.jwks</code>: rotate them in the
                    configuration file.
                  </p>`
                : confirmAction({
                    signedIn,
                    action: '/admin/keys/rotate',
                    label: 'Rotate signing keys',
                    text: `New keys sign from now on. The current ones keep verifying tokens they signed for ${Math.round(overlap / 60)} minutes, then leave the JWKS.`,
                    confirm: 'Yes, rotate now',
                  })
            }
          </section>`,
        signedIn,
      ),
    );
  }

  app.get('/admin/keys', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    return keysPage(reply, signedIn, done === 'rotated' ? 'New signing keys are active.' : undefined);
  });

  app.post('/admin/keys/rotate', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    if (fromConfiguration) return keysPage(reply.status(409), signedIn);
    await keyService.rotate(`user:${signedIn.user.username}`);
    await context.reloadKeys();
    return reply.redirect('/admin/keys?done=rotated', 303);
  });

  const tokens = new ApiTokenService(store);
  const SCOPE_ROWS = ['*', ...API_RESOURCES] as const;

  async function tokensPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    state: {
      created?: { name: string; token: string };
      errors?: FieldErrors;
      form?: Form;
      done?: string;
    } = {},
  ) {
    const list = await tokens.list();
    const errors = state.errors ?? {};
    const form = state.form ?? {};
    const now = Date.now();
    const stateOf = (token: (typeof list)[number]) =>
      token.revokedAt
        ? html`<span class="badge off">revoked</span>`
        : token.expiresAt && token.expiresAt.getTime() <= now
          ? html`<span class="badge off">expired</span>`
          : html`<span class="badge ok">active</span>`;
    return reply
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(
        page(
          config,
          'tokens',
          'API tokens',
          html`<hgroup>
              <h1>API tokens</h1>
              <p>
                For scripts and tools that call the admin API (<code>/api/v1</code>) as
                <code>Authorization: Bearer sesame_…</code>. Only a hash is kept: a token is shown once.
              </p>
            </hgroup>
            ${notice(state.done)}
            ${
              state.created
                ? html`<section class="card" aria-labelledby="created-heading">
                    <h2 id="created-heading">Token “${state.created.name}” created</h2>
                    <p>Copy it now: it is not shown again.</p>
                    ${copyField('new-token', 'Token', state.created.token)}
                  </section>`
                : ''
            }
            ${
              list.length === 0
                ? html`<p class="empty">No API tokens yet.</p>`
                : html`<div class="overflow-auto">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Name</th>
                          <th scope="col">Scopes</th>
                          <th scope="col" class="hide-sm">Created</th>
                          <th scope="col" class="hide-sm">Expires</th>
                          <th scope="col" class="hide-sm">Last used</th>
                          <th scope="col">State</th>
                          <th scope="col"><span class="sr-only">Actions</span></th>
                        </tr>
                      </thead>
                      <tbody>
                        ${list.map(
                          (token) =>
                            html`<tr>
                              <td>${token.name}</td>
                              <td>${token.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
                              <td class="hide-sm">
                                ${formatTime(token.createdAt)}
                                ${token.createdBy ? html`<br /><span class="muted">${token.createdBy}</span>` : ''}
                              </td>
                              <td class="hide-sm">
                                ${token.expiresAt ? formatTime(token.expiresAt) : 'never'}
                              </td>
                              <td class="hide-sm">
                                ${token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}
                              </td>
                              <td>${stateOf(token)}</td>
                              <td>
                                ${
                                  token.revokedAt
                                    ? ''
                                    : confirmAction({
                                        signedIn,
                                        action: `/admin/tokens/${encodeURIComponent(token.id)}/revoke`,
                                        label: 'Revoke',
                                        text: `Requests with “${token.name}” are refused from now on.`,
                                        confirm: 'Yes, revoke it',
                                      })
                                }
                              </td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
            <section class="card" aria-labelledby="new-token-heading">
              <h2 id="new-token-heading">New token</h2>
              ${formProblem(errors)}
              <form method="post" action="/admin/tokens">
                <input type="hidden" name="csrf" value="${signedIn.csrf}" />
                <label for="token-name">Name</label>
                <input
                  id="token-name"
                  name="name"
                  required
                  maxlength="100"
                  value="${one(form.name)}"
                  placeholder="e.g. terraform"
                  ${invalid(errors, 'name')}
                />
                ${fieldError(errors, 'name')}
                <fieldset ${invalid(errors, 'scopes')}>
                  <legend>Scopes (<code>write</code> includes <code>read</code>)</legend>
                  <div class="overflow-auto">
                    <table class="scopes">
                      <tbody>
                        ${SCOPE_ROWS.map((resource) => {
                          const chosen = one(form[`scope:${resource}`]);
                          return html`<tr>
                            <th scope="row">
                              ${resource === '*' ? html`all <span class="muted">(*)</span>` : resource}
                            </th>
                            ${(['', 'read', 'write'] as const).map(
                              (level) =>
                                html`<td>
                                  <label
                                    ><input
                                      type="radio"
                                      name="scope:${resource}"
                                      value="${level}"
                                      ${chosen === level ? trusted('checked') : ''}
                                    />
                                    ${level || 'none'}</label
                                  >
                                </td>`,
                            )}
                          </tr>`;
                        })}
                      </tbody>
                    </table>
                  </div>
                </fieldset>
                ${fieldError(errors, 'scopes')}
                <label for="token-expiry">Expires after (days; empty: never)</label>
                <input
                  id="token-expiry"
                  name="expires_days"
                  type="number"
                  min="1"
                  max="3650"
                  value="${one(form.expires_days)}"
                  ${invalid(errors, 'expires_at')}
                />
                ${fieldError(errors, 'expires_at')}
                <button type="submit">Create token</button>
              </form>
            </section>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/tokens', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    const created = guard.once.take(request, reply, signedIn, 'tokens');
    return tokensPage(reply, signedIn, {
      done: done === 'revoked' ? 'The token was revoked.' : undefined,
      created:
        typeof created?.name === 'string' && typeof created.token === 'string'
          ? { name: created.name, token: created.token }
          : undefined,
    });
  });

  app.post('/admin/tokens', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    const scopes = SCOPE_ROWS.flatMap((resource) => {
      const level = one(form[`scope:${resource}`]);
      return level === 'read' || level === 'write' ? [`${resource}:${level}`] : [];
    });
    const days = one(form.expires_days);
    const errors: FieldErrors = {};
    if (days && !(/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650))
      errors.expires_at = 'a whole number of days from 1 to 3650, or empty for never';
    if (Object.keys(errors).length > 0) return tokensPage(reply.status(400), signedIn, { errors, form });
    try {
      const { token, record } = await tokens.create(
        {
          name: one(form.name),
          scopes,
          expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : undefined,
        },
        `user:${signedIn.user.username}`,
      );
      guard.once.put(request, reply, signedIn, 'tokens', { name: record.name, token });
      return reply.redirect('/admin/tokens?done=created', 303);
    } catch (error) {
      const fieldErrors = toFieldErrors(error, ['name', 'scopes', 'expires_at']);
      if (!fieldErrors) throw error;
      return tokensPage(reply.status(400), signedIn, { errors: fieldErrors, form });
    }
  });

  app.post('/admin/tokens/:id/revoke', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { id } = request.params as { id: string };
    try {
      await tokens.revoke(id, `user:${signedIn.user.username}`);
    } catch (error) {
      if (error instanceof NotFoundError)
        return guard.notFound(reply, signedIn, 'tokens', 'There is no such API token.');
      throw error;
    }
    return reply.redirect('/admin/tokens?done=revoked', 303);
  });

  app.get('/admin/events', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const query = request.query as Record<string, string | undefined>;
    const filters = {
      type: (query.type ?? '').trim().slice(0, 100),
      user: (query.user ?? '').trim().slice(0, 100),
      client: (query.client ?? '').trim().slice(0, 100),
      q: (query.q ?? '').trim().slice(0, 200),
    };
    const before = Number.parseInt(query.before ?? '', 10);
    const user = filters.user ? await store.users.findByUsername(filters.user) : undefined;
    const events = await store.events.list({
      limit: EVENTS_PER_PAGE + 1,
      before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
      type: filters.type || undefined,
      user: filters.user ? [filters.user, ...(user ? [user.id] : [])] : undefined,
      client: filters.client || undefined,
      text: filters.q || undefined,
    });
    const shown = events.slice(0, EVENTS_PER_PAGE);
    const kept = Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
    const next =
      events.length > EVENTS_PER_PAGE
        ? `/admin/events?${new URLSearchParams({ ...kept, before: String(shown[shown.length - 1]!.id) }).toString()}`
        : undefined;
    const input = (name: keyof typeof filters, label: string, placeholder: string) =>
      html`<div>
        <label for="filter-${name}">${label}</label>
        <input
          id="filter-${name}"
          name="${name}"
          value="${filters[name]}"
          placeholder="${placeholder}"
          type="search"
        />
      </div>`;
    return reply.type('text/html').send(
      page(
        config,
        'events',
        'Events',
        html`<hgroup>
            <h1>Events</h1>
            <p>
              The audit log, newest first: sign-ins, changes, and refused protocol requests with what was
              sent.
            </p>
          </hgroup>
          <form method="get" action="/admin/events" aria-label="Filter events">
            <div class="filters">
              ${input('type', 'Type', 'e.g. protocol.error')} ${input('user', 'User', 'username')}
              ${input('client', 'Client', 'client id')} ${input('q', 'Text', 'anything in the event')}
            </div>
            <div class="actions">
              <button type="submit">Search</button>
              ${Object.keys(kept).length > 0 || query.before ? html`<a href="/admin/events" class="secondary">Clear</a>` : ''}
            </div>
          </form>
          ${
            shown.length === 0
              ? html`<p class="empty">No events${Object.keys(kept).length > 0 ? ' match' : ' yet'}.</p>`
              : html`<div class="overflow-auto">
                  <table class="events">
                    <thead>
                      <tr>
                        <th scope="col">When</th>
                        <th scope="col">Type</th>
                        <th scope="col" class="hide-sm">Who</th>
                        <th scope="col">Details</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${shown.map(
                        (event) =>
                          html`<tr>
                            <td>
                              <time datetime="${event.occurredAt.toISOString()}"
                                >${formatTime(event.occurredAt)}</time
                              >
                            </td>
                            <td><code>${event.type}</code></td>
                            <td class="hide-sm">
                              ${event.actor ?? ''}${event.subject ? html`${event.actor ? ' → ' : ''}${event.subject}` : ''}
                              ${event.clientIp ? html`<br /><span class="muted">${event.clientIp}</span>` : ''}
                            </td>
                            <td>${describe(event)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
          <nav class="pager" aria-label="Pages">
            ${query.before ? html`<a href="/admin/events?${new URLSearchParams(kept).toString()}">← Newest</a>` : html`<span></span>`}
            ${next ? html`<a href="${next}" rel="next">Older →</a>` : html`<span></span>`}
          </nav>`,
        signedIn,
      ),
    );
  });
}
