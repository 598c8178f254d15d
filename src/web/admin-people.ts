// Admin pages for people: users (search, create, edit, disable, password, second factors, sessions)
// and groups (create, delete, members). The same rules as the admin API's users and groups.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { generatePassword } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { ConflictError, InvalidInputError, SesameError } from '../lib/errors.ts';
import type { Factors } from '../factors/index.ts';
import type { Store, User } from '../store/index.ts';
import {
  confirmAction,
  csrfField,
  fieldError,
  formatTime,
  formProblem,
  invalid,
  many,
  notice,
  one,
  page,
  toFieldErrors,
  type AdminGuard,
  type FieldErrors,
  type Form,
} from './admin-kit.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import type { SignedIn } from '../http/sessions.ts';

const PAGE_SIZE = 20;
const GROUP_NAME = /^[A-Za-z0-9._-]{1,100}$/;

interface PeopleContext {
  config: SesameConfig;
  store: Store;
  factors: Factors;
}

/** A login session as the pages show it. */
export interface SessionRow {
  id: string;
  storeId: string;
  loginAt?: Date;
  expiresAt?: Date;
  amr: string[];
  clients: string[];
}

export async function sessionsOf(store: Store, userId: string): Promise<SessionRow[]> {
  const sessions = await store.artifacts.listSessions({ accountId: userId, limit: 100 });
  return sessions.map((session) => {
    const payload = session.payload as {
      uid?: string;
      loginTs?: number;
      amr?: string[];
      authorizations?: Record<string, unknown>;
    };
    return {
      id: payload.uid ?? session.uid ?? '',
      storeId: session.id,
      loginAt: payload.loginTs ? new Date(payload.loginTs * 1000) : undefined,
      expiresAt: session.expiresAt,
      amr: payload.amr ?? [],
      clients: Object.keys(payload.authorizations ?? {}),
    };
  });
}

export function methodsLabel(amr: string[]): string {
  const names: Record<string, string> = {
    pwd: 'password',
    otp: 'authenticator code',
    hwk: 'passkey',
    swk: 'passkey',
    user: 'user verification',
    mfa: 'two factors',
  };
  return amr.map((method) => names[method] ?? method).join(', ') || 'unknown';
}

function statusBadge(user: User): SafeHtml {
  return user.disabled
    ? html`<span class="badge off">disabled</span>`
    : html`<span class="badge ok">active</span>`;
}

export function registerPeoplePages(app: FastifyInstance, context: PeopleContext, guard: AdminGuard): void {
  const { config, store } = context;
  const { admin, users } = guard;
  const { factors } = context;
  const actor = (signedIn: SignedIn) => `user:${signedIn.user.username}`;
  const audit = (type: string, by: SignedIn, subject: string, details: Record<string, unknown> = {}) =>
    store.events.append({ type, actor: actor(by), subject, details });

  async function groupNames(): Promise<string[]> {
    return (await store.groups.list()).map((group) => group.name);
  }

  // ---- Users ----
  app.get('/admin/users', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const query = request.query as Record<string, string | undefined>;
    const search = (query.q ?? '').trim().slice(0, 100);
    const pageNumber = Math.max(1, Math.min(10_000, Number.parseInt(query.page ?? '1', 10) || 1));
    const list = await store.users.list({
      search: search || undefined,
      limit: PAGE_SIZE + 1,
      offset: (pageNumber - 1) * PAGE_SIZE,
    });
    const link = (to: number) =>
      `/admin/users?${new URLSearchParams({ ...(search ? { q: search } : {}), page: String(to) }).toString()}`;
    return reply.type('text/html').send(
      page(
        config,
        'users',
        'Users',
        html`<div class="head">
            <hgroup>
              <h1>Users</h1>
              <p>People who sign in with ${config.branding.name}.</p>
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
            list.length === 0
              ? html`<p class="empty">${search ? html`No user matches “${search}”.` : 'No users yet.'}</p>`
              : html`<div class="overflow-auto">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Username</th>
                        <th scope="col" class="hide-sm">Name</th>
                        <th scope="col" class="hide-sm">Email</th>
                        <th scope="col">Groups</th>
                        <th scope="col">Status</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${list.slice(0, PAGE_SIZE).map(
                        (user) =>
                          html`<tr>
                            <td>
                              <a href="/admin/users/${encodeURIComponent(user.username)}">${user.username}</a>
                              ${user.source === 'file' ? html` <span class="badge">users file</span>` : ''}
                            </td>
                            <td class="hide-sm">${user.displayName ?? ''}</td>
                            <td class="hide-sm">${user.email ?? ''}</td>
                            <td>${user.groups.join(', ')}</td>
                            <td>${statusBadge(user)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
          <nav class="pager" aria-label="Pages">
            ${pageNumber > 1 ? html`<a href="${link(pageNumber - 1)}" rel="prev">← Previous</a>` : html`<span></span>`}
            <span class="muted">Page ${pageNumber}</span>
            ${list.length > PAGE_SIZE ? html`<a href="${link(pageNumber + 1)}" rel="next">Next →</a>` : html`<span></span>`}
          </nav>`,
        signedIn,
      ),
    );
  });

  const profileSchema = z.object({
    email: z.union([z.literal(''), z.email('not a valid email address')]),
    picture: z.union([z.literal(''), z.url('not a valid URL')]),
  });

  function groupChoices(all: string[], chosen: string[], disabled = false): SafeHtml {
    const names = [...new Set([...all, ...chosen])];
    return html`<fieldset class="choices" ${disabled ? trusted('disabled') : ''}>
      <legend>Groups</legend>
      ${
        names.length === 0
          ? html`<small>No groups yet.</small>`
          : names.map(
              (name) =>
                html`<label
                  ><input
                    type="checkbox"
                    name="groups"
                    value="${name}"
                    ${chosen.includes(name) ? trusted('checked') : ''}
                  />
                  ${name}</label
                >`,
            )
      }
    </fieldset>`;
  }

  async function createForm(
    reply: FastifyReply,
    signedIn: SignedIn,
    values: Form = {},
    errors: FieldErrors = {},
  ) {
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'users',
          'Create user',
          html`<nav aria-label="Breadcrumb">
              <ul>
                <li><a href="/admin/users">Users</a></li>
                <li>Create</li>
              </ul>
            </nav>
            <h1>Create user</h1>
            ${formProblem(errors)}
            <form method="post" action="/admin/users">
              ${csrfField(signedIn)}
              <label for="username">Username</label>
              <input
                id="username"
                name="username"
                required
                autocapitalize="none"
                spellcheck="false"
                value="${one(values.username)}"
                ${invalid(errors, 'username')}
              />
              ${fieldError(errors, 'username')}
              <div class="grid2">
                <div>
                  <label for="display_name">Display name</label>
                  <input id="display_name" name="display_name" value="${one(values.display_name)}" />
                </div>
                <div>
                  <label for="given_name">Given name</label>
                  <input id="given_name" name="given_name" value="${one(values.given_name)}" />
                </div>
                <div>
                  <label for="family_name">Family name</label>
                  <input id="family_name" name="family_name" value="${one(values.family_name)}" />
                </div>
                <div>
                  <label for="email">Email</label>
                  <input
                    id="email"
                    name="email"
                    type="email"
                    value="${one(values.email)}"
                    ${invalid(errors, 'email')}
                  />
                  ${fieldError(errors, 'email')}
                </div>
              </div>
              ${emailVerifiedSwitch(one(values.username) ? one(values.email_verified) === 'on' : true, true)}
              ${groupChoices(await groupNames(), many(values.groups))}
              <label for="password">Password</label>
              <input
                id="password"
                name="password"
                type="password"
                autocomplete="new-password"
                ${errors.password ? invalid(errors, 'password') : trusted('aria-describedby="password-help"')}
              />
              ${errors.password ? fieldError(errors, 'password') : html`<small id="password-help">Leave empty to generate one, shown once.</small>`}
              <button type="submit">Create user</button>
            </form>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/users/new', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    return createForm(reply, signedIn);
  });

  app.post('/admin/users', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    const profile = profileSchema.safeParse({ email: one(form.email), picture: '' });
    if (!profile.success)
      return createForm(reply, signedIn, form, { email: profile.error.issues[0]!.message });
    const typed = typeof form.password === 'string' && form.password !== '' ? form.password : undefined;
    const password = typed ?? generatePassword();
    let user: User;
    try {
      user = await users.create({
        username: one(form.username),
        password,
        displayName: one(form.display_name) || undefined,
        givenName: one(form.given_name) || undefined,
        familyName: one(form.family_name) || undefined,
        email: one(form.email) || undefined,
        emailVerified: one(form.email) ? one(form.email_verified) === 'on' : undefined,
        groups: many(form.groups),
      });
    } catch (error) {
      const errors =
        error instanceof ConflictError
          ? { username: error.message }
          : toFieldErrors(error, ['username', 'password']);
      if (errors) return createForm(reply, signedIn, form, errors);
      throw error;
    }
    await audit('user.created', signedIn, user.username);
    if (!typed) guard.once.put(request, reply, signedIn, `user:${user.username}`, { password });
    return back(reply, user, 'created');
  });

  async function userPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    user: User,
    options: { status?: number; password?: string; done?: string; values?: Form; errors?: FieldErrors } = {},
  ) {
    const errors = options.errors ?? {};
    const values = options.values;
    const readOnly = user.source === 'file';
    const summary = await factors.summary(user.id);
    const sessions = await sessionsOf(store, user.id);
    const value = (name: string, current: string | undefined) =>
      values ? one(values[name]) : (current ?? '');
    const self = user.id === signedIn.user.id;
    const base = `/admin/users/${encodeURIComponent(user.username)}`;
    return reply
      .status(options.status ?? (Object.keys(errors).length ? 400 : 200))
      .type('text/html')
      .send(
        page(
          config,
          'users',
          user.username,
          html`<nav aria-label="Breadcrumb">
              <ul>
                <li><a href="/admin/users">Users</a></li>
                <li>${user.username}</li>
              </ul>
            </nav>
            <hgroup>
              <h1>${user.displayName || user.username} ${statusBadge(user)}</h1>
              <p>
                <code>${user.username}</code>${user.email ? html` · ${user.email}` : ''}
                ${readOnly ? html` <span class="badge">users file: read-only</span>` : ''}
              </p>
            </hgroup>
            ${notice(options.done)}
            ${
              options.password
                ? html`<article role="status">
                    <p><strong>Give this password to ${user.username} now.</strong> It is shown only once.</p>
                    <div class="copy">
                      <input
                        id="new-password"
                        class="secret"
                        value="${options.password}"
                        readonly
                        aria-label="One-time password"
                      />
                      <button
                        type="button"
                        class="secondary outline"
                        data-copy="new-password"
                        aria-label="Copy one-time password"
                      >
                        Copy
                      </button>
                    </div>
                  </article>`
                : ''
            }
            <section class="card" aria-labelledby="profile-heading">
              <h2 id="profile-heading">Profile and groups</h2>
              ${formProblem(errors)}
              <form method="post" action="${base}">
                ${csrfField(signedIn)}
                <fieldset ${readOnly ? trusted('disabled') : ''}>
                  <div class="grid2">
                    <div>
                      <label for="display_name">Display name</label>
                      <input
                        id="display_name"
                        name="display_name"
                        value="${value('display_name', user.displayName)}"
                      />
                    </div>
                    <div>
                      <label for="email">Email</label>
                      <input
                        id="email"
                        name="email"
                        type="email"
                        value="${value('email', user.email)}"
                        ${invalid(errors, 'email')}
                      />
                      ${fieldError(errors, 'email')}
                    </div>
                    <div>
                      <label for="given_name">Given name</label>
                      <input
                        id="given_name"
                        name="given_name"
                        value="${value('given_name', user.givenName)}"
                      />
                    </div>
                    <div>
                      <label for="family_name">Family name</label>
                      <input
                        id="family_name"
                        name="family_name"
                        value="${value('family_name', user.familyName)}"
                      />
                    </div>
                  </div>
                  ${emailVerifiedSwitch(values ? one(values.email_verified) === 'on' : user.emailVerified, false)}
                  ${groupChoices(await groupNames(), values ? many(values.groups) : user.groups)}
                  ${readOnly ? '' : html`<button type="submit">Save user</button>`}
                </fieldset>
              </form>
            </section>
            <section class="card" aria-labelledby="access-heading">
              <h2 id="access-heading">Access</h2>
              <div class="actions">
                ${
                  readOnly
                    ? html`<span class="muted">Change the users file to disable this account.</span>`
                    : self
                      ? html`<span class="muted"
                          >You cannot disable the account you are signed in with.</span
                        >`
                      : user.disabled
                        ? html`<form method="post" action="${base}/enable">
                            ${csrfField(signedIn)}<button type="submit">Enable account</button>
                          </form>`
                        : confirmAction({
                            signedIn,
                            action: `${base}/disable`,
                            label: 'Disable account',
                            text: html`${user.username} can no longer sign in, and their sessions stop working
                            at once.`,
                            confirm: `Yes, disable ${user.username}`,
                          })
                }
              </div>
            </section>
            <section class="card" aria-labelledby="password-heading">
              <h2 id="password-heading">Password</h2>
              ${
                readOnly
                  ? html`<p class="muted">Set in the users file.</p>`
                  : html`<form method="post" action="${base}/password">
                      ${csrfField(signedIn)}
                      <label for="new_password">New password</label>
                      <input
                        id="new_password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        ${errors.password ? invalid(errors, 'password') : trusted('aria-describedby="new-password-help"')}
                      />
                      ${errors.password ? fieldError(errors, 'password') : html`<small id="new-password-help">Type one, or leave empty to generate a one-time password shown once.</small>`}
                      <button type="submit" class="secondary">Reset password</button>
                    </form>`
              }
            </section>
            <section class="card" aria-labelledby="factors-heading">
              <h2 id="factors-heading">Second factors</h2>
              <p>
                Authenticator app: <strong>${summary.totp ? 'set up' : 'none'}</strong> · Passkeys:
                <strong>${summary.passkeys}</strong> · Recovery codes left:
                <strong>${summary.recoveryCodes}</strong>
              </p>
              ${confirmAction({
                signedIn,
                action: `${base}/reset-factors`,
                label: 'Reset second factors',
                text: html`Removes ${user.username}'s authenticator app, passkeys and recovery codes. They set
                up new ones at their next sign-in to an app that needs two factors.`,
                confirm: 'Yes, reset second factors',
              })}
            </section>
            <section class="card" aria-labelledby="sessions-heading">
              <h2 id="sessions-heading">Sessions</h2>
              ${
                sessions.length === 0
                  ? html`<p class="muted">No live sessions.</p>`
                  : html`<div class="overflow-auto">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Signed in</th>
                            <th scope="col" class="hide-sm">Methods</th>
                            <th scope="col" class="hide-sm">Apps</th>
                            <th scope="col">Expires</th>
                            <th scope="col"><span class="sr-only">Action</span></th>
                          </tr>
                        </thead>
                        <tbody>
                          ${sessions.map(
                            (session) =>
                              html`<tr>
                                <td>
                                  ${formatTime(session.loginAt)}${session.id === signedIn.sessionUid ? html` <span class="badge">this browser</span>` : ''}
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
                              </tr>`,
                          )}
                        </tbody>
                      </table>
                    </div>`
              }
            </section>
            <p>
              <a href="/admin/events?user=${encodeURIComponent(user.username)}"
                >Events about ${user.username} →</a
              >
            </p>`,
          signedIn,
        ),
      );
  }

  async function withUser(
    request: { params: unknown },
    reply: FastifyReply,
    signedIn: SignedIn,
  ): Promise<User | undefined> {
    const user = await store.users.findByUsername((request.params as { username: string }).username);
    if (!user) guard.notFound(reply, signedIn, 'users', 'There is no such user.');
    return user;
  }

  const DONE: Record<string, string> = {
    saved: 'Saved.',
    disabled: 'The account is disabled and its sessions ended.',
    enabled: 'The account is enabled.',
    factors: 'Second factors reset.',
    revoked: 'Session revoked.',
    password: 'Password changed.',
    created: 'Created.',
    'password-reset': 'Password reset.',
  };

  app.get('/admin/users/:username', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const user = await withUser(request, reply, signedIn);
    if (!user) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    const password = guard.once.take(request, reply, signedIn, `user:${user.username}`)?.password;
    return userPage(reply, signedIn, user, {
      done: done ? DONE[done] : undefined,
      password: typeof password === 'string' ? password : undefined,
    });
  });

  const back = (reply: FastifyReply, user: User, done: string) =>
    reply.redirect(`/admin/users/${encodeURIComponent(user.username)}?done=${done}`, 303);

  app.post('/admin/users/:username', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const user = await withUser(request, reply, signedIn);
    if (!user) return reply;
    const form = (request.body ?? {}) as Form;
    if (user.source === 'file')
      return userPage(reply, signedIn, user, {
        status: 409,
        errors: { form: `'${user.username}' comes from the users file; change it there.` },
      });
    const profile = profileSchema.safeParse({ email: one(form.email), picture: '' });
    if (!profile.success)
      return userPage(reply, signedIn, user, {
        values: form,
        errors: { email: profile.error.issues[0]!.message },
      });
    const groups = many(form.groups);
    if (user.id === signedIn.user.id && !(await users.isAdmin({ ...user, groups })))
      return userPage(reply, signedIn, user, {
        values: form,
        errors: { form: 'You cannot take yourself out of every administrators group.' },
      });
    await store.users.update(user.id, {
      displayName: one(form.display_name),
      givenName: one(form.given_name),
      familyName: one(form.family_name),
      email: one(form.email),
      emailVerified: one(form.email_verified) === 'on',
      groups,
    });
    await audit('user.updated', signedIn, user.username, {
      fields: ['display_name', 'given_name', 'family_name', 'email', 'email_verified', 'groups'],
    });
    return back(reply, user, 'saved');
  });

  for (const disabled of [true, false])
    app.post(`/admin/users/:username/${disabled ? 'disable' : 'enable'}`, async (request, reply) => {
      const signedIn = await admin(request, reply);
      if (!signedIn) return reply;
      const user = await withUser(request, reply, signedIn);
      if (!user) return reply;
      if (disabled && user.id === signedIn.user.id)
        return userPage(reply, signedIn, user, {
          status: 409,
          errors: { form: 'You cannot disable yourself.' },
        });
      try {
        await users.setDisabled(user.username, disabled);
      } catch (error) {
        if (error instanceof SesameError)
          return userPage(reply, signedIn, user, { status: error.status, errors: { form: error.message } });
        throw error;
      }
      if (disabled)
        for (const session of await sessionsOf(store, user.id))
          await store.artifacts.destroy('Session', session.storeId);
      await audit(disabled ? 'user.disabled' : 'user.enabled', signedIn, user.username);
      return back(reply, user, disabled ? 'disabled' : 'enabled');
    });

  app.post('/admin/users/:username/password', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const user = await withUser(request, reply, signedIn);
    if (!user) return reply;
    const form = (request.body ?? {}) as Form;
    const typed = typeof form.password === 'string' && form.password !== '' ? form.password : undefined;
    const password = typed ?? generatePassword();
    try {
      await users.setPassword(user.username, password);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return userPage(reply, signedIn, user, { errors: { password: error.message } });
      if (error instanceof SesameError)
        return userPage(reply, signedIn, user, { status: error.status, errors: { form: error.message } });
      throw error;
    }
    await audit('user.password_set', signedIn, user.username, { generated: typed === undefined });
    if (typed) return back(reply, user, 'password');
    guard.once.put(request, reply, signedIn, `user:${user.username}`, { password });
    return back(reply, user, 'password-reset');
  });

  app.post('/admin/users/:username/reset-factors', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const user = await withUser(request, reply, signedIn);
    if (!user) return reply;
    await factors.reset(user.id, actor(signedIn));
    return back(reply, user, 'factors');
  });

  app.post('/admin/users/:username/sessions/:id/revoke', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const user = await withUser(request, reply, signedIn);
    if (!user) return reply;
    const { id } = request.params as { id: string };
    const session = await store.artifacts.findByUid('Session', id);
    if (session && (session.payload as { accountId?: string }).accountId === user.id) {
      await store.artifacts.destroy('Session', session.id);
      await audit('session.revoked', signedIn, user.id, { session: id });
    }
    return back(reply, user, 'revoked');
  });

  // ---- Groups ----
  async function groupsPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    values: Form = {},
    errors: FieldErrors = {},
    done?: string,
  ) {
    const groups = await store.groups.list();
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'groups',
          'Groups',
          html`<hgroup>
              <h1>Groups</h1>
              <p>
                Groups decide who may open which application; members of an administrators group use this
                admin UI.
              </p>
            </hgroup>
            ${notice(done)}
            ${
              groups.length === 0
                ? html`<p class="empty">No groups yet.</p>`
                : html`<div class="overflow-auto">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Name</th>
                          <th scope="col">Members</th>
                          <th scope="col">Role</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${groups.map(
                          (group) =>
                            html`<tr>
                              <td>
                                <a href="/admin/groups/${encodeURIComponent(group.name)}">${group.name}</a>
                                ${group.source === 'file' ? html` <span class="badge">users file</span>` : ''}
                              </td>
                              <td>${group.members}</td>
                              <td>
                                ${group.isAdmin ? html`<span class="badge warn">administrators</span>` : html`<span class="muted">members</span>`}
                              </td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
            <section class="card" aria-labelledby="create-group-heading">
              <h2 id="create-group-heading">Create a group</h2>
              ${formProblem(errors)}
              <form method="post" action="/admin/groups">
                ${csrfField(signedIn)}
                <label for="group-name">Name</label>
                <input
                  id="group-name"
                  name="name"
                  required
                  pattern="[A-Za-z0-9._\\-]{1,100}"
                  value="${one(values.name)}"
                  ${errors.name ? invalid(errors, 'name') : trusted('aria-describedby="group-name-help"')}
                />
                ${errors.name ? fieldError(errors, 'name') : html`<small id="group-name-help">Letters, digits, dot, underscore and dash.</small>`}
                <label for="is_admin">
                  <input
                    type="checkbox"
                    role="switch"
                    id="is_admin"
                    name="is_admin"
                    value="on"
                    ${one(values.is_admin) === 'on' ? trusted('checked') : ''}
                  />
                  Members administer ${config.branding.name}
                </label>
                <button type="submit">Create group</button>
              </form>
            </section>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/groups', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    return groupsPage(
      reply,
      signedIn,
      {},
      {},
      done === 'deleted' ? 'The group was deleted; its members stay.' : undefined,
    );
  });

  app.post('/admin/groups', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    const name = one(form.name);
    if (!GROUP_NAME.test(name))
      return groupsPage(reply, signedIn, form, { name: 'letters, digits, . _ -; at most 100' });
    if (await store.groups.findByName(name))
      return groupsPage(reply, signedIn, form, { name: `a group named '${name}' exists` });
    const group = await store.groups.ensure(name, { isAdmin: one(form.is_admin) === 'on' });
    await audit('group.created', signedIn, group.name, { is_admin: group.isAdmin });
    return reply.redirect(`/admin/groups/${encodeURIComponent(group.name)}?done=created`, 303);
  });

  async function membersOf(name: string): Promise<User[]> {
    return (await store.users.list({ limit: 100_000 })).filter((user) => user.groups.includes(name));
  }

  async function groupPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    name: string,
    options: { done?: string; error?: string } = {},
  ) {
    const groups = await store.groups.list();
    const group = groups.find((entry) => entry.name === name);
    if (!group) return guard.notFound(reply, signedIn, 'groups', 'There is no such group.');
    const members = await membersOf(group.name);
    const lastAdmin = group.isAdmin && groups.filter((entry) => entry.isAdmin).length === 1;
    const base = `/admin/groups/${encodeURIComponent(group.name)}`;
    return reply
      .status(options.error ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'groups',
          group.name,
          html`<nav aria-label="Breadcrumb">
              <ul>
                <li><a href="/admin/groups">Groups</a></li>
                <li>${group.name}</li>
              </ul>
            </nav>
            <hgroup>
              <h1>
                ${group.name} ${group.isAdmin ? html`<span class="badge warn">administrators</span>` : ''}
              </h1>
              <p>
                ${members.length}
                ${members.length === 1 ? 'member' : 'members'}${group.source === 'file' ? html` · <span class="badge">users file: read-only</span>` : ''}
              </p>
            </hgroup>
            ${notice(options.done)}
            ${options.error ? html`<div class="problem" role="alert">${options.error}</div>` : ''}
            <section class="card" aria-labelledby="members-heading">
              <h2 id="members-heading">Members</h2>
              ${
                members.length === 0
                  ? html`<p class="muted">Nobody yet.</p>`
                  : html`<table>
                      <tbody>
                        ${members.map(
                          (user) =>
                            html`<tr>
                              <td>
                                <a href="/admin/users/${encodeURIComponent(user.username)}"
                                  >${user.username}</a
                                >
                                ${user.displayName ? html`<span class="muted">${user.displayName}</span>` : ''}
                              </td>
                              <td class="end">
                                ${
                                  user.source === 'file'
                                    ? html`<span class="muted">users file</span>`
                                    : html`<form
                                        method="post"
                                        action="${base}/members/${encodeURIComponent(user.username)}/remove"
                                      >
                                        ${csrfField(signedIn)}
                                        <button
                                          type="submit"
                                          class="secondary outline"
                                          aria-label="Remove ${user.username} from ${group.name}"
                                        >
                                          Remove
                                        </button>
                                      </form>`
                                }
                              </td>
                            </tr>`,
                        )}
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
            </section>
            <section class="card" aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete</h2>
              ${
                group.source === 'file'
                  ? html`<p class="muted">This group comes from the users file.</p>`
                  : lastAdmin
                    ? html`<p class="muted">This is the last administrators group: it cannot be deleted.</p>`
                    : confirmAction({
                        signedIn,
                        action: `${base}/delete`,
                        label: 'Delete group',
                        text: html`Deletes <strong>${group.name}</strong>. Its ${members.length} members stay,
                          without this group; applications that allow only this group refuse them.`,
                        confirm: `Yes, delete ${group.name}`,
                      })
              }
            </section>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/groups/:name', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    const notices: Record<string, string> = {
      created: 'Group created.',
      added: 'Member added.',
      removed: 'Member removed.',
    };
    return groupPage(reply, signedIn, (request.params as { name: string }).name, {
      done: done ? notices[done] : undefined,
    });
  });

  app.post('/admin/groups/:name/members', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { name } = request.params as { name: string };
    const username = one(((request.body ?? {}) as Form).username);
    const user = await store.users.findByUsername(username);
    if (!(await store.groups.findByName(name)))
      return guard.notFound(reply, signedIn, 'groups', 'There is no such group.');
    if (!user) return groupPage(reply, signedIn, name, { error: `There is no user named '${username}'.` });
    if (user.source === 'file')
      return groupPage(reply, signedIn, name, { error: `'${username}' comes from the users file.` });
    if (!user.groups.includes(name)) {
      await store.users.update(user.id, { groups: [...user.groups, name] });
      await audit('user.updated', signedIn, user.username, { fields: ['groups'], added: name });
    }
    return reply.redirect(`/admin/groups/${encodeURIComponent(name)}?done=added`, 303);
  });

  app.post('/admin/groups/:name/members/:username/remove', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { name, username } = request.params as { name: string; username: string };
    const user = await store.users.findByUsername(username);
    if (user && user.source !== 'file' && user.groups.includes(name)) {
      const groups = user.groups.filter((group) => group !== name);
      if (user.id === signedIn.user.id && !(await users.isAdmin({ ...user, groups })))
        return groupPage(reply, signedIn, name, {
          error: 'You cannot take yourself out of every administrators group.',
        });
      await store.users.update(user.id, { groups });
      await audit('user.updated', signedIn, user.username, { fields: ['groups'], removed: name });
    }
    return reply.redirect(`/admin/groups/${encodeURIComponent(name)}?done=removed`, 303);
  });

  app.post('/admin/groups/:name/delete', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { name } = request.params as { name: string };
    const group = await store.groups.findByName(name);
    if (!group) return guard.notFound(reply, signedIn, 'groups', 'There is no such group.');
    if (group.source === 'file')
      return groupPage(reply, signedIn, name, { error: `'${name}' comes from the users file.` });
    if (group.isAdmin && (await store.groups.list()).filter((entry) => entry.isAdmin).length === 1)
      return groupPage(reply, signedIn, name, { error: 'This is the last administrators group.' });
    await store.groups.delete(group.name);
    await audit('group.deleted', signedIn, group.name);
    return reply.redirect('/admin/groups?done=deleted', 303);
  });
}

/** The "Email address verified" switch of the user forms; on a new user, with why it starts on. */
function emailVerifiedSwitch(checked: boolean, explain: boolean): SafeHtml {
  return html`<label for="email_verified">
      <input
        type="checkbox"
        role="switch"
        id="email_verified"
        name="email_verified"
        value="on"
        ${explain ? trusted('aria-describedby="email-verified-help"') : ''}
        ${checked ? trusted('checked') : ''}
      />
      Email address verified
    </label>
    ${
      explain
        ? html`<small id="email-verified-help"
            >An address you type is taken as verified, as apps such as RomM require. Uncheck it if it is
            not.</small
          >`
        : ''
    }`;
}
