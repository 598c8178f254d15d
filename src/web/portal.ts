// The user's own pages (the portal). Who is signed in comes from the same login session the apps'
// logins use (oidc-provider's session cookie). Signing in to the portal is an ordinary authorization
// request on the global issuer by Sesame's built-in public client, so the same login page, second
// factors and policies apply.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import { createSealer } from '../crypto/encryption.ts';
import type { Factors } from '../factors/index.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { Store, User } from '../store/index.ts';
import type { AuthorizationPolicies } from '../auth/policy.ts';
import type { PasswordAuthenticator } from '../auth/login.ts';
import { html } from './html.ts';
import { errorPage, passkeyForm } from './pages.ts';
import { registerPortalAccount } from './portal-account.ts';
import { portalPage } from './portal-layout.ts';
import { OneTimeNotes } from '../http/once.ts';
import { BrowserSessions } from '../http/sessions.ts';
import { portalGuard, viewerLookup } from './portal/guard.ts';
import { registerPortalSignIn } from './portal/sign-in.ts';

const PENDING_TOTP_SECONDS = 10 * 60;

interface PortalContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  policies: AuthorizationPolicies;
  authenticator: PasswordAuthenticator;
}

/** Only paths inside the portal: never an open redirect. */
export function registerPortal(app: FastifyInstance, context: PortalContext): void {
  const { config, store, issuers, factors } = context;
  const sessions = new BrowserSessions(
    issuers.global.provider,
    store,
    config.identity_providers.oidc.hmac_secret,
  );
  const oidc = config.identity_providers.oidc;
  const once = new OneTimeNotes(oidc.hmac_secret);
  const sealer = createSealer(config.storage.encryption_key);

  const viewerFor = viewerLookup(config, store);
  const guard = portalGuard(config, sessions, viewerFor);
  async function requireUser(request: FastifyRequest, reply: FastifyReply) {
    await guard.call(request.server, request, reply);
    return reply.sent ? undefined : request.signedIn;
  }

  registerPortalSignIn(app, config);

  async function renderSecurity(reply: FastifyReply, user: User, csrf: string, notice?: string) {
    const summary = await factors.summary(user.id);
    const passkeys = await factors.passkeys.list(user.id);
    return reply.type('text/html').send(
      portalPage(
        config,
        'security',
        'Security',
        await viewerFor(user),
        html`<h1>Security</h1>
          <p>Signed in as <strong>${user.username}</strong>.</p>
          ${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
          <section aria-labelledby="totp-heading">
            <h2 id="totp-heading">Authenticator app</h2>
            ${
              summary.totp
                ? html`<p>An authenticator app is set up.</p>
                    <form method="post" action="/portal/security/totp/remove">
                      <input type="hidden" name="csrf" value="${csrf}" />
                      <button type="submit" class="secondary">Remove authenticator app</button>
                    </form>`
                : html`<p>
                      Use codes from an app such as Aegis, 2FAS or Google Authenticator as a second factor.
                    </p>
                    <form method="post" action="/portal/security/totp/new">
                      <input type="hidden" name="csrf" value="${csrf}" />
                      <button type="submit">Set up authenticator app</button>
                    </form>`
            }
          </section>
          ${
            factors.passkeys.enabled
              ? html`<section aria-labelledby="passkeys-heading">
                  <h2 id="passkeys-heading">Passkeys and security keys</h2>
                  ${
                    passkeys.length === 0
                      ? html`<p>
                          None yet. A passkey is a second
                          factor${
                            factors.passkeys.passwordlessEnabled
                              ? ', and lets you sign in without a password'
                              : ''
                          }.
                        </p>`
                      : html`<ul class="keys">
                          ${passkeys.map(
                            (key) =>
                              html`<li>
                                <form
                                  method="post"
                                  action="/portal/security/passkeys/${key.id}/rename"
                                  class="inline"
                                >
                                  <input type="hidden" name="csrf" value="${csrf}" />
                                  <label for="name-${key.id}" class="sr-only">Name</label>
                                  <input
                                    id="name-${key.id}"
                                    name="name"
                                    value="${key.name}"
                                    aria-label="Name of ${key.name}"
                                  />
                                  <button type="submit" class="secondary small">Rename</button>
                                </form>
                                <span class="meta"
                                  >Added
                                  ${key.createdAt.toISOString().slice(0, 10)}${
                                    key.lastUsedAt
                                      ? `, last used ${key.lastUsedAt.toISOString().slice(0, 10)}`
                                      : ''
                                  }</span
                                >
                                <form method="post" action="/portal/security/passkeys/${key.id}/remove">
                                  <input type="hidden" name="csrf" value="${csrf}" />
                                  <button
                                    type="submit"
                                    class="secondary small"
                                    aria-label="Remove ${key.name}"
                                  >
                                    Remove
                                  </button>
                                </form>
                              </li>`,
                          )}
                        </ul>`
                  }
                  ${passkeyForm({
                    kind: 'register',
                    action: '/portal/security/passkeys',
                    optionsUrl: '/portal/security/passkeys/options',
                    csrf,
                    label: 'Add a passkey',
                    secondary: true,
                    fields: html`<label for="passkey-name">Name for the new passkey</label>
                      <input id="passkey-name" name="name" placeholder="e.g. Laptop" maxlength="60" />`,
                  })}
                </section>`
              : ''
          }
          <section aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">Recovery codes</h2>
            <p>
              ${
                summary.recoveryCodes > 0
                  ? `${summary.recoveryCodes} unused recovery codes left.`
                  : 'No recovery codes yet. They let you in when your second factor is lost.'
              }
            </p>
            <form method="post" action="/portal/security/recovery-codes">
              <input type="hidden" name="csrf" value="${csrf}" />
              <button type="submit" class="secondary">
                ${summary.recoveryCodes > 0 ? 'Replace recovery codes' : 'Create recovery codes'}
              </button>
            </form>
          </section>`,
        { passkeys: factors.passkeys.enabled },
      ),
    );
  }

  app.get('/portal/security', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    const notices: Record<string, string> = {
      'totp-added': 'Your authenticator app is set up.',
      'totp-removed': 'Your authenticator app was removed.',
      'passkey-added': 'Your passkey was added.',
      'passkey-renamed': 'Your passkey was renamed.',
      'passkey-removed': 'Your passkey was removed.',
      'passkey-failed': 'The passkey could not be added. Try again.',
    };
    return renderSecurity(reply, current.user, current.csrf, done ? notices[done] : undefined);
  });

  async function renderTotpEnrolment(
    reply: FastifyReply,
    user: User,
    csrf: string,
    pending: { secret: string; uri: string; qrSvg: string },
    error?: string,
  ) {
    const sealed = sealer.seal(
      JSON.stringify({
        secret: pending.secret,
        uri: pending.uri,
        expires: Date.now() + PENDING_TOTP_SECONDS * 1000,
      }),
      `totp-enrolment:${user.id}`,
    );
    return reply
      .status(error ? 400 : 200)
      .type('text/html')
      .send(
        portalPage(
          config,
          'security',
          'Set up authenticator app',
          await viewerFor(user),
          html`<h1>Set up authenticator app</h1>
            <p>Scan this code with your authenticator app, then type the 6-digit code it shows.</p>
            <img
              class="qr"
              width="200"
              height="200"
              alt="QR code for your authenticator app"
              src="data:image/svg+xml;base64,${Buffer.from(pending.qrSvg).toString('base64')}"
            />
            <p>Cannot scan? Enter this key: <code data-testid="totp-secret">${pending.secret}</code></p>
            ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
            <form method="post" action="/portal/security/totp/confirm">
              <input type="hidden" name="csrf" value="${csrf}" />
              <input type="hidden" name="pending" value="${sealed}" />
              <label for="code">Code from the app</label>
              <input
                id="code"
                name="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                required
                autofocus
              />
              <button type="submit">Turn on</button>
            </form>`,
        ),
      );
  }

  app.post('/portal/security/totp/new', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const pending = await factors.totp.begin(current.user.email ?? current.user.username);
    return renderTotpEnrolment(reply, current.user, current.csrf, pending);
  });

  app.post('/portal/security/totp/confirm', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    let pending: { secret: string; uri: string; expires: number } | undefined;
    try {
      pending = JSON.parse(
        sealer.open(form.pending ?? '', `totp-enrolment:${current.user.id}`),
      ) as typeof pending;
    } catch {
      pending = undefined;
    }
    if (!pending || pending.expires < Date.now())
      return reply
        .status(400)
        .type('text/html')
        .send(errorPage(config, 'expired', 'This setup page has expired. Start again from Security.'));
    if (!(await factors.totp.confirm(current.user.id, pending.secret, form.code ?? ''))) {
      const qrSvg = await factors.totp.qrFor(pending.uri);
      return renderTotpEnrolment(
        reply,
        current.user,
        current.csrf,
        { ...pending, qrSvg },
        'That code does not match. Check the time on your phone and try the current code.',
      );
    }
    await store.events.append({
      type: 'factor.totp_added',
      actor: current.user.username,
      subject: current.user.id,
      clientIp: request.ip,
      details: {},
    });
    return reply.redirect('/portal/security?done=totp-added', 303);
  });

  app.post('/portal/security/totp/remove', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    if (await factors.totp.remove(current.user.id))
      await store.events.append({
        type: 'factor.totp_removed',
        actor: current.user.username,
        subject: current.user.id,
        clientIp: request.ip,
        details: {},
      });
    return reply.redirect('/portal/security?done=totp-removed', 303);
  });

  app.post('/portal/security/passkeys/options', { config: { csrf: 'check' } }, async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    return factors.passkeys.registrationOptions(current.user);
  });

  app.post('/portal/security/passkeys', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    let response: unknown;
    try {
      response = JSON.parse(form.response ?? '');
    } catch {
      response = undefined;
    }
    const added = response
      ? await factors.passkeys.register(current.user, form.name ?? '', response as never)
      : undefined;
    if (!added) return reply.redirect('/portal/security?done=passkey-failed', 303);
    await store.events.append({
      type: 'factor.passkey_added',
      actor: current.user.username,
      subject: current.user.id,
      clientIp: request.ip,
      details: { name: added.name, device_type: added.deviceType, backed_up: added.backedUp },
    });
    return reply.redirect('/portal/security?done=passkey-added', 303);
  });

  app.post('/portal/security/passkeys/:id/rename', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { id } = request.params as { id: string };
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    await factors.passkeys.rename(current.user.id, id, form.name ?? '');
    return reply.redirect('/portal/security?done=passkey-renamed', 303);
  });

  app.post('/portal/security/passkeys/:id/remove', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const { id } = request.params as { id: string };
    if (await factors.passkeys.remove(current.user.id, id))
      await store.events.append({
        type: 'factor.passkey_removed',
        actor: current.user.username,
        subject: current.user.id,
        clientIp: request.ip,
        details: { id },
      });
    return reply.redirect('/portal/security?done=passkey-removed', 303);
  });

  app.post('/portal/security/recovery-codes', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const codes = await factors.recovery.generate(current.user.id);
    await store.events.append({
      type: 'factor.recovery_codes_generated',
      actor: current.user.username,
      subject: current.user.id,
      clientIp: request.ip,
      details: { count: codes.length },
    });
    once.put(request, reply, current, 'recovery-codes', { codes });
    return reply.redirect('/portal/security/recovery-codes', 303);
  });

  app.get('/portal/security/recovery-codes', async (request, reply) => {
    const current = await requireUser(request, reply);
    if (!current) return reply;
    const codes = once.take(request, reply, current, 'recovery-codes')?.codes;
    if (!Array.isArray(codes)) return reply.redirect('/portal/security', 303);
    return reply.type('text/html').send(
      portalPage(
        config,
        'security',
        'Recovery codes',
        await viewerFor(current.user),
        html`<h1>Your recovery codes</h1>
          <p>Each code works once. Keep them somewhere safe: they are shown only now.</p>
          <ul class="codes" data-testid="recovery-codes">
            ${codes.map((code) => html`<li><code>${code}</code></li>`)}
          </ul>
          <p><a href="/portal/security">Back to Security</a></p>`,
      ),
    );
  });
  registerPortalAccount(app, context, { requireUser, viewerFor, sessions });
}
