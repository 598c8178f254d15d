// The user's own portal pages: the application launcher ("My applications"), profile, password
// change and sign-in sessions. The Security page (second factors) lives in portal.ts.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApplicationService } from '../services/applications.ts';
import type { PasswordAuthenticator } from '../auth/login.ts';
import type { AuthorizationPolicies } from '../auth/policy.ts';
import { MIN_PASSWORD_LENGTH, UserService } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import type { Factors } from '../factors/index.ts';
import type { Store, User } from '../store/index.ts';
import { formatTime } from './admin-kit.ts';
import { methodsLabel, sessionsOf } from '../auth/login-sessions.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { AVATAR_HUES, portalPage, type PortalSection, type PortalViewer } from './portal-layout.ts';
import type { BrowserSessions, SignedIn } from '../http/sessions.ts';

interface AccountContext {
  config: SesameConfig;
  store: Store;
  factors: Factors;
  policies: AuthorizationPolicies;
  authenticator: PasswordAuthenticator;
}

interface Helpers {
  requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<SignedIn | undefined>;
  viewerFor: (user: User) => Promise<PortalViewer>;
  sessions: BrowserSessions;
}

type Form = Record<string, string | string[] | undefined>;
const text = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
/** Passwords are taken as typed: spaces count. */
const raw = (value: string | string[] | undefined): string => (Array.isArray(value) ? value[0] : value) ?? '';

/** A colour class for a letter avatar (see AVATAR_HUES), stable per application. */
function avatarColour(seed: string): string {
  return `hue-${createHash('sha256').update(seed).digest()[0]! % AVATAR_HUES}`;
}

function fieldAttrs(errors: Record<string, string>, name: string, help?: string): SafeHtml {
  if (errors[name]) return trusted(`aria-invalid="true" aria-describedby="${name}-error"`);
  return help ? trusted(`aria-describedby="${help}"`) : trusted('');
}
function fieldMessage(errors: Record<string, string>, name: string): SafeHtml {
  return errors[name] ? html`<small id="${name}-error">${errors[name]}</small>` : html``;
}

export function registerPortalAccount(app: FastifyInstance, context: AccountContext, helpers: Helpers): void {
  const { config, store, factors, policies, authenticator } = context;
  const { requireUser, viewerFor } = helpers;
  const applications = new ApplicationService(
    store,
    config.authentication_backend.password_hashing,
    config.externalUrl,
  );
  const users = new UserService(store, config.authentication_backend.password_hashing);

  async function send(
    reply: FastifyReply,
    user: User,
    section: PortalSection,
    title: string,
    body: SafeHtml,
    status = 200,
  ) {
    return reply
      .status(status)
      .type('text/html')
      .send(portalPage(config, section, title, await viewerFor(user), body));
  }

  // ---- My applications ----
  app.get('/portal', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { user } = current;
    const tiles: { name: string; url: string; icon?: string; description?: string }[] = [];
    for (const { application, client } of await applications.list({ limit: 10_000 })) {
      if (!client) continue;
      const decision = policies.decide(client.authorizationPolicy, client.allowedGroups, {
        username: user.username,
        groups: user.groups,
        clientIp: request.ip,
      });
      if (decision.level === 'deny') continue;
      const first = client.redirectUris.find((uri) => uri.matching_mode === 'strict')?.url;
      const url = application.launchUrl ?? (first && URL.canParse(first) ? new URL(first).origin : undefined);
      if (!url) continue;
      tiles.push({
        name: application.name,
        url,
        icon: application.icon,
        description: application.description,
      });
    }
    tiles.sort((a, b) => a.name.localeCompare(b.name));
    return send(
      reply,
      user,
      '',
      'My applications',
      html`<hgroup>
          <h1>My applications</h1>
          <p>Hello ${user.displayName || user.username}. Open an application; you are already signed in.</p>
        </hgroup>
        ${
          tiles.length === 0
            ? html`<p class="empty">No applications for you yet. Ask your administrator for access.</p>`
            : html`<ul class="apps">
                ${tiles.map(
                  (tile) =>
                    html`<li>
                      <a href="${tile.url}" rel="noopener">
                        ${
                          tile.icon
                            ? html`<img
                                class="icon"
                                src="${tile.icon}"
                                alt=""
                                width="56"
                                height="56"
                                loading="lazy"
                              />`
                            : html`<span class="icon ${avatarColour(tile.name)}" aria-hidden="true"
                                >${[...tile.name.trim()][0]?.toUpperCase() ?? '?'}</span
                              >`
                        }
                        <span class="name">${tile.name}</span>
                        <span class="host"
                          >${tile.description ?? (URL.canParse(tile.url) ? new URL(tile.url).host : tile.url)}</span
                        >
                      </a>
                    </li>`,
                )}
              </ul>`
        }`,
    );
  });

  // ---- Profile ----
  const profileSchema = z.object({
    display_name: z.string().max(200, 'at most 200 characters'),
    given_name: z.string().max(200, 'at most 200 characters'),
    family_name: z.string().max(200, 'at most 200 characters'),
    email: z.union([z.literal(''), z.email('not a valid email address')]),
    picture: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'not an http(s) URL' })]),
  });

  async function profilePage(
    reply: FastifyReply,
    current: SignedIn,
    values?: Form,
    errors: Record<string, string> = {},
    done?: string,
  ) {
    const { user } = current;
    const readOnly = user.source === 'file';
    const value = (name: string, fallback: string | undefined) =>
      values ? text(values[name]) : (fallback ?? '');
    return send(
      reply,
      user,
      'profile',
      'Profile',
      html`<h1>Profile</h1>
        ${done ? html`<div class="notice" role="status">${done}</div>` : ''}
        ${Object.keys(errors).length ? html`<div class="error" role="alert">Please correct the field marked below.</div>` : ''}
        <section class="card">
          <p>
            ${user.picture ? html`<img class="avatar" src="${user.picture}" alt="Your picture" width="64" height="64" /><br />` : ''}
            Username
            <strong>${user.username}</strong
            >${user.groups.length ? html` · groups ${user.groups.join(', ')}` : ''}
          </p>
          ${readOnly ? html`<p class="muted">Your account is managed in a file by your administrator: ask them to change it.</p>` : ''}
          <form method="post" action="/portal/profile">
            <input type="hidden" name="csrf" value="${current.csrf}" />
            <fieldset ${readOnly ? trusted('disabled') : ''}>
              <label for="display_name">Display name</label>
              <input
                id="display_name"
                name="display_name"
                autocomplete="name"
                value="${value('display_name', user.displayName)}"
                ${fieldAttrs(errors, 'display_name')}
              />
              ${fieldMessage(errors, 'display_name')}
              <div class="grid">
                <div>
                  <label for="given_name">Given name</label>
                  <input
                    id="given_name"
                    name="given_name"
                    autocomplete="given-name"
                    value="${value('given_name', user.givenName)}"
                    ${fieldAttrs(errors, 'given_name')}
                  />
                  ${fieldMessage(errors, 'given_name')}
                </div>
                <div>
                  <label for="family_name">Family name</label>
                  <input
                    id="family_name"
                    name="family_name"
                    autocomplete="family-name"
                    value="${value('family_name', user.familyName)}"
                    ${fieldAttrs(errors, 'family_name')}
                  />
                  ${fieldMessage(errors, 'family_name')}
                </div>
              </div>
              <label for="email">Email</label>
              <input
                id="email"
                name="email"
                type="email"
                autocomplete="email"
                value="${value('email', user.email)}"
                ${fieldAttrs(errors, 'email', 'email-help')}
              />
              ${errors.email ? fieldMessage(errors, 'email') : html`<small id="email-help">${user.email && user.emailVerified ? 'Verified. Changing it marks it unverified.' : 'Apps see it as unverified.'}</small>`}
              <label for="picture">Picture URL</label>
              <input
                id="picture"
                name="picture"
                type="url"
                value="${value('picture', user.picture)}"
                ${fieldAttrs(errors, 'picture')}
              />
              ${fieldMessage(errors, 'picture')}
              ${readOnly ? '' : html`<button type="submit">Save profile</button>`}
            </fieldset>
          </form>
        </section>`,
      Object.keys(errors).length ? 400 : 200,
    );
  }

  app.get('/portal/profile', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    return profilePage(
      reply,
      current,
      undefined,
      {},
      done === 'saved' ? 'Your profile was saved.' : undefined,
    );
  });

  app.post('/portal/profile', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { user } = current;
    const form = (request.body ?? {}) as Form;
    if (user.source === 'file') return profilePage(reply.status(409), current);
    const parsed = profileSchema.safeParse({
      display_name: text(form.display_name),
      given_name: text(form.given_name),
      family_name: text(form.family_name),
      email: text(form.email),
      picture: text(form.picture),
    });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return profilePage(reply, current, form, errors);
    }
    const {
      display_name: displayName,
      given_name: givenName,
      family_name: familyName,
      email,
      picture,
    } = parsed.data;
    const emailChanged = (email || undefined) !== user.email;
    await store.users.update(user.id, {
      displayName,
      givenName,
      familyName,
      email,
      picture,
      ...(emailChanged ? { emailVerified: false } : {}),
    });
    await store.events.append({
      type: 'user.profile_updated',
      actor: user.username,
      subject: user.username,
      clientIp: request.ip,
      details: { email_changed: emailChanged },
    });
    return reply.redirect('/portal/profile?done=saved', 303);
  });

  // ---- Password ----
  async function passwordPage(
    reply: FastifyReply,
    current: SignedIn,
    errors: Record<string, string> = {},
    done?: string,
  ) {
    const readOnly = current.user.source === 'file';
    return send(
      reply,
      current.user,
      'password',
      'Password',
      html`<h1>Change password</h1>
        ${done ? html`<div class="notice" role="status">${done}</div>` : ''}
        ${errors.form ? html`<div class="error" role="alert">${errors.form}</div>` : ''}
        <section class="card">
          ${
            readOnly
              ? html`<p class="muted">Your password is managed in a file by your administrator.</p>`
              : html`<form method="post" action="/portal/password">
                  <input type="hidden" name="csrf" value="${current.csrf}" />
                  <input
                    type="text"
                    name="username"
                    value="${current.user.username}"
                    autocomplete="username"
                    hidden
                  />
                  <label for="current_password">Current password</label>
                  <input
                    id="current_password"
                    name="current_password"
                    type="password"
                    autocomplete="current-password"
                    required
                    ${fieldAttrs(errors, 'current_password')}
                  />
                  ${fieldMessage(errors, 'current_password')}
                  <label for="new_password">New password</label>
                  <input
                    id="new_password"
                    name="new_password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="${MIN_PASSWORD_LENGTH}"
                    ${fieldAttrs(errors, 'new_password', 'new-password-help')}
                  />
                  ${errors.new_password ? fieldMessage(errors, 'new_password') : html`<small id="new-password-help">At least ${MIN_PASSWORD_LENGTH} characters. A long phrase is easiest to remember.</small>`}
                  <label for="confirm_password">New password again</label>
                  <input
                    id="confirm_password"
                    name="confirm_password"
                    type="password"
                    autocomplete="new-password"
                    required
                    ${fieldAttrs(errors, 'confirm_password')}
                  />
                  ${fieldMessage(errors, 'confirm_password')}
                  <label for="end_others"
                    ><input type="checkbox" id="end_others" name="end_others" value="on" checked /> Sign out
                    my other sessions</label
                  >
                  <button type="submit">Change password</button>
                </form>`
          }
        </section>`,
      Object.keys(errors).length ? 400 : 200,
    );
  }

  app.get('/portal/password', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    return passwordPage(reply, current, {}, done === 'changed' ? 'Your password was changed.' : undefined);
  });

  app.post('/portal/password', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { user } = current;
    const form = (request.body ?? {}) as Form;
    if (user.source === 'file')
      return passwordPage(reply.status(409), current, { form: 'Your password is managed in a file.' });
    const attempt = { username: user.username, clientIp: request.ip };
    // The same brute-force regulation as the login page: while banned nothing is verified.
    if (await factors.regulator.banned(attempt))
      return passwordPage(reply, current, { current_password: 'Too many wrong passwords. Try again later.' });
    const verified = await authenticator.authenticate(user.username, raw(form.current_password));
    await factors.regulator.record(attempt, 'password', verified?.id === user.id);
    if (verified?.id !== user.id) {
      await store.events.append({
        type: 'user.password_change_failed',
        actor: user.username,
        subject: user.username,
        clientIp: request.ip,
        details: { reason: 'wrong current password' },
      });
      return passwordPage(reply, current, { current_password: 'This is not your current password.' });
    }
    const next = raw(form.new_password);
    if (next !== raw(form.confirm_password))
      return passwordPage(reply, current, { confirm_password: 'The two new passwords differ.' });
    try {
      await users.setPassword(user.username, next);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return passwordPage(reply, current, { new_password: error.message });
      throw error;
    }
    let ended = 0;
    if (text(form.end_others) === 'on')
      for (const session of await sessionsOf(store, user.id))
        if (session.id !== current.sessionUid) {
          await store.artifacts.destroy('Session', session.storeId);
          ended++;
        }
    await store.events.append({
      type: 'user.password_changed',
      actor: user.username,
      subject: user.username,
      clientIp: request.ip,
      details: { other_sessions_ended: ended },
    });
    return reply.redirect('/portal/password?done=changed', 303);
  });

  // ---- Sessions ----
  app.get('/portal/sessions', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { user } = current;
    const sessions = await sessionsOf(store, user.id);
    // Where each session began: the sign-in event closest to its login time.
    const logins = await store.events.list({ type: 'login.succeeded', subject: user.username, limit: 200 });
    const origin = (at: Date | undefined) => {
      if (!at) return undefined;
      let best: (typeof logins)[number] | undefined;
      for (const event of logins) {
        const gap = Math.abs(event.occurredAt.getTime() - at.getTime());
        if (gap < 10_000 && (!best || gap < Math.abs(best.occurredAt.getTime() - at.getTime()))) best = event;
      }
      return best?.clientIp;
    };
    const done = (request.query as Record<string, string | undefined>).done;
    const notices: Record<string, string> = {
      ended: 'The session was ended.',
      others: 'Your other sessions were ended.',
    };
    const others = sessions.filter((session) => session.id !== current.sessionUid).length;
    return send(
      reply,
      user,
      'sessions',
      'Sessions',
      html`<hgroup>
          <h1>Sessions</h1>
          <p>Where you are signed in. End a session you do not recognise, then change your password.</p>
        </hgroup>
        ${done && notices[done] ? html`<div class="notice" role="status">${notices[done]}</div>` : ''}
        <div class="overflow-auto">
          <table>
            <thead>
              <tr>
                <th scope="col">Signed in</th>
                <th scope="col" class="hide-sm">From</th>
                <th scope="col" class="hide-sm">With</th>
                <th scope="col" class="hide-sm">Apps</th>
                <th scope="col">Until</th>
                <th scope="col"><span class="sr-only">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${sessions.map(
                (session) =>
                  html`<tr>
                    <td>
                      ${formatTime(session.loginAt)}
                      ${session.id === current.sessionUid ? html`<span class="badge">this browser</span>` : ''}
                    </td>
                    <td class="hide-sm">
                      ${origin(session.loginAt) ?? html`<span class="muted">unknown</span>`}
                    </td>
                    <td class="hide-sm">${methodsLabel(session.amr)}</td>
                    <td class="hide-sm">
                      ${session.clients.filter((id) => id !== 'sesame-portal').length || html`<span class="muted">none</span>`}
                    </td>
                    <td>${formatTime(session.expiresAt)}</td>
                    <td>
                      <form method="post" action="/portal/sessions/${session.id}/end">
                        <input type="hidden" name="csrf" value="${current.csrf}" />
                        <button
                          type="submit"
                          class="secondary outline"
                          aria-label="End session from ${formatTime(session.loginAt)}${session.id === current.sessionUid ? ' (this browser)' : ''}"
                        >
                          ${session.id === current.sessionUid ? 'Sign out' : 'End'}
                        </button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${
          others > 0
            ? html`<form method="post" action="/portal/sessions/end-others">
                <input type="hidden" name="csrf" value="${current.csrf}" />
                <button type="submit" class="secondary">End all other sessions (${others})</button>
              </form>`
            : ''
        }`,
    );
  });

  app.post('/portal/sessions/:id/end', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { id } = request.params as { id: string };
    const session = await store.artifacts.findByUid('Session', id);
    if (session && (session.payload as { accountId?: string }).accountId === current.user.id) {
      await store.artifacts.destroy('Session', session.id);
      await store.events.append({
        type: 'session.ended',
        actor: current.user.username,
        subject: current.user.id,
        clientIp: request.ip,
        details: { session: id, own: id === current.sessionUid },
      });
    }
    if (id === current.sessionUid) return reply.redirect('/portal', 303);
    return reply.redirect('/portal/sessions?done=ended', 303);
  });

  app.post('/portal/sessions/end-others', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    let ended = 0;
    for (const session of await sessionsOf(store, current.user.id))
      if (session.id !== current.sessionUid) {
        await store.artifacts.destroy('Session', session.storeId);
        ended++;
      }
    await store.events.append({
      type: 'session.ended',
      actor: current.user.username,
      subject: current.user.id,
      clientIp: request.ip,
      details: { others: ended },
    });
    return reply.redirect('/portal/sessions?done=others', 303);
  });
}
