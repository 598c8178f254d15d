// The login and consent pages oidc-provider sends the browser to (/interaction/<uid>).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { PasswordAuthenticator } from '../auth/login.ts';
import { acrFor } from '../auth/policy.ts';
import type { Factors } from '../factors/index.ts';
import { formatDuration } from '../config/duration.ts';
import type { SesameConfig } from '../config/load.ts';
import { CsrfTokens } from '../http/csrf.ts';
import { SCOPE_DESCRIPTIONS } from '../oidc/claims.ts';
import { rememberConsent } from '../oidc/consent.ts';
import type { Issuers } from '../oidc/issuers.ts';
import { SESAME_DENIED, SESAME_SECOND_FACTOR } from '../oidc/provider.ts';
import type { Store } from '../store/index.ts';
import {
  accessDeniedPage,
  consentPage,
  enrolRequiredPage,
  errorPage,
  loginPage,
  secondFactorPage,
} from './pages.ts';
import { allowFormTarget } from '../http/security-headers.ts';

export interface InteractionContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  authenticator: PasswordAuthenticator;
  factors: Factors;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

interface ClientSettings {
  consentMode?: string;
  consentDurationSeconds?: number;
}

type Form = Record<string, string | undefined>;

function scopeText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function registerInteractions(app: FastifyInstance, context: InteractionContext): void {
  const { config, store, issuers, authenticator, factors } = context;
  const { regulator } = factors;
  // Any instance can read and finish an interaction: they share storage and cookie keys, and the
  // interaction remembers which issuer to resume at.
  const provider = issuers.global.provider;
  // The pages' forms are bound to the interaction (there is no login session yet).
  const csrf = new CsrfTokens(config.identity_providers.oidc.hmac_secret, store);
  const csrfFor = (interaction: Interaction) =>
    csrf.issue(interaction.uid, { expiresAt: interaction.exp, stable: true });

  async function details(request: FastifyRequest, reply: FastifyReply) {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      // The page's forms (and the redirects after them) end at the client's checked redirect URI.
      allowFormTarget(reply.raw, interaction.params.redirect_uri);
      return interaction;
    } catch {
      await reply
        .status(400)
        .type('text/html')
        .send(
          errorPage(
            config,
            'expired',
            'This sign-in page has expired. Go back to the application and start again.',
          ),
        );
      return undefined;
    }
  }

  async function clientOf(clientId: unknown) {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    return {
      name: client?.clientName ?? (typeof clientId === 'string' ? clientId : 'the application'),
      settings: (client as { sesame?: ClientSettings } | undefined)?.sesame ?? {},
    };
  }

  /** A posted form for a live interaction, with a valid CSRF token; otherwise the error is sent. */
  async function submission(request: FastifyRequest, reply: FastifyReply) {
    const interaction = await details(request, reply);
    if (!interaction) return undefined;
    const form = (request.body ?? {}) as Form;
    if (!csrf.valid(interaction.uid, form.csrf)) {
      await reply
        .status(403)
        .type('text/html')
        .send(errorPage(config, 'forbidden', 'The form was not sent from this page.'));
      return undefined;
    }
    return { interaction, form };
  }

  async function renderConsent(reply: FastifyReply, interaction: Interaction) {
    const { name, settings } = await clientOf(interaction.params.client_id);
    const user = await store.users.get(interaction.session!.accountId);
    const missing = (interaction.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const requested = scopeText(interaction.params.scope).split(' ').filter(Boolean);
    const scopes = (missing.length > 0 ? missing : requested).map((scope) => ({
      name: scope,
      description: SCOPE_DESCRIPTIONS[scope] ?? `Use the “${scope}” permission`,
    }));
    return reply.type('text/html').send(
      consentPage(config, {
        action: `/interaction/${interaction.uid}/consent`,
        csrf: csrfFor(interaction),
        clientName: name,
        username: user?.displayName ?? user?.username ?? '',
        scopes,
        remember:
          settings.consentMode === 'pre-configured' && settings.consentDurationSeconds
            ? formatDuration(settings.consentDurationSeconds)
            : undefined,
      }),
    );
  }

  const reasons = (interaction: Interaction) => (interaction.prompt.reasons as string[] | undefined) ?? [];

  async function renderLogin(
    reply: FastifyReply,
    interaction: Interaction,
    error?: string,
    username?: string,
  ) {
    const { name } = await clientOf(interaction.params.client_id);
    const hint =
      typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
    return reply
      .status(error ? 401 : 200)
      .type('text/html')
      .send(
        loginPage(config, {
          action: `/interaction/${interaction.uid}/login`,
          csrf: csrfFor(interaction),
          clientName: name,
          username: username ?? hint,
          error,
          passkeyOptionsUrl: factors.passkeys.passwordlessEnabled
            ? `/interaction/${interaction.uid}/passkey/options`
            : undefined,
          passkeyAction: `/interaction/${interaction.uid}/passkey`,
        }),
      );
  }

  async function renderSecondFactor(reply: FastifyReply, interaction: Interaction, error?: string) {
    const { name } = await clientOf(interaction.params.client_id);
    const user = await store.users.get(interaction.session!.accountId);
    const summary = await factors.summary(interaction.session!.accountId);
    if (!summary.totp && summary.passkeys === 0 && summary.recoveryCodes === 0)
      return reply.type('text/html').send(
        enrolRequiredPage(config, {
          clientName: name,
          securityUrl: '/portal/security',
          abortAction: `/interaction/${interaction.uid}/abort`,
          csrf: csrfFor(interaction),
        }),
      );
    return reply
      .status(error ? 401 : 200)
      .type('text/html')
      .send(
        secondFactorPage(config, {
          action: `/interaction/${interaction.uid}/second-factor`,
          csrf: csrfFor(interaction),
          clientName: name,
          username: user?.displayName ?? user?.username ?? '',
          totp: summary.totp,
          passkeys: summary.passkeys > 0 && factors.passkeys.enabled,
          recoveryCodes: summary.recoveryCodes,
          error,
        }),
      );
  }

  app.get('/interaction/:uid', async (request, reply) => {
    const interaction = await details(request, reply);
    if (!interaction) return reply;
    void reply.header('cache-control', 'no-store');
    if (interaction.prompt.name === 'consent') return renderConsent(reply, interaction);
    const accountId = interaction.session?.accountId;
    if (accountId && reasons(interaction).includes(SESAME_DENIED)) {
      const { name } = await clientOf(interaction.params.client_id);
      const user = await store.users.get(accountId);
      return reply
        .status(403)
        .type('text/html')
        .send(
          accessDeniedPage(config, {
            clientName: name,
            username: user?.username ?? '',
            abortAction: `/interaction/${interaction.uid}/abort`,
            csrf: csrfFor(interaction),
          }),
        );
    }
    if (accountId && reasons(interaction).includes(SESAME_SECOND_FACTOR))
      return renderSecondFactor(reply, interaction);
    return renderLogin(reply, interaction);
  });

  // Leaving a page that cannot be passed (no access, no second factor): the app hears access_denied.
  app.post('/interaction/:uid/abort', async (request, reply) => {
    const submitted = await submission(request, reply);
    if (!submitted) return reply;
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      {
        error: 'access_denied',
        error_description: reasons(submitted.interaction).includes(SESAME_DENIED)
          ? 'the authorization policy of this client does not allow this user'
          : 'this client requires a second factor and the user has none',
      },
      { mergeWithLastSubmission: false },
    );
    return reply;
  });

  app.post('/interaction/:uid/login', async (request, reply) => {
    const submitted = await submission(request, reply);
    if (!submitted) return reply;
    const { interaction, form } = submitted;
    const identifier = (form.username ?? '').trim();
    // Counted per account, whichever of its names was typed (see PasswordAuthenticator.identify).
    const identity = await authenticator.identify(identifier);
    const attempt = { username: identity.account, clientIp: request.ip };
    // While banned the password is not checked against the account, but hashed against the decoy
    // all the same: the same answer as a wrong password after the same work, since a faster answer
    // would tell which names share an account's ban.
    const ban = identifier ? await regulator.banned(attempt) : undefined;
    const user = await authenticator.verifyPassword(
      ban ? { ...identity, user: undefined } : identity,
      form.password ?? '',
    );
    if (!ban && identifier) await regulator.record(attempt, 'password', user !== undefined);
    if (!user) {
      await store.events.append({
        type: ban ? 'login.banned' : 'login.failed',
        subject: identifier.slice(0, 100),
        clientIp: request.ip,
        requestId: request.id,
        details: { client_id: interaction.params.client_id, factor: 'password' },
      });
      return renderLogin(reply, interaction, 'The username or password is incorrect.', identifier);
    }
    await store.events.append({
      type: 'login.succeeded',
      actor: user.username,
      subject: user.username,
      clientIp: request.ip,
      requestId: request.id,
      details: { client_id: interaction.params.client_id, amr: ['pwd'] },
    });
    // If the client needs a second factor, oidc-provider's policy asks for it next (see provider.ts).
    const amr = ['pwd'];
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: user.id, amr, acr: acrFor(amr), remember: true } },
      { mergeWithLastSubmission: false },
    );
    return reply;
  });

  app.post('/interaction/:uid/second-factor', async (request, reply) => {
    const submitted = await submission(request, reply);
    if (!submitted) return reply;
    const { interaction, form } = submitted;
    const accountId = interaction.session?.accountId;
    const user = accountId ? await store.users.get(accountId) : undefined;
    if (!user || !reasons(interaction).includes(SESAME_SECOND_FACTOR))
      return reply
        .status(400)
        .type('text/html')
        .send(errorPage(config, 'invalid_request', 'No second factor is being asked for here.'));
    const method = form.method === 'recovery' || form.method === 'webauthn' ? form.method : 'totp';
    const code = form.code ?? '';
    const attempt = { username: user.username, clientIp: request.ip };
    const ban = await regulator.banned(attempt);
    const verify = async () => {
      if (method === 'totp') return factors.totp.verify(user.id, code);
      if (method === 'recovery') return factors.recovery.use(user.id, code);
      const response = parseJson(form.response);
      return (
        response !== undefined &&
        (await factors.passkeys.authenticate(response as never, user.id)) !== undefined
      );
    };
    const ok = !ban && (await verify());
    if (!ban) await regulator.record(attempt, method, ok);
    const details = { client_id: interaction.params.client_id, factor: method };
    if (!ok) {
      await store.events.append({
        type: ban ? 'login.banned' : 'second_factor.failed',
        actor: user.username,
        subject: user.username,
        clientIp: request.ip,
        requestId: request.id,
        details,
      });
      return renderSecondFactor(
        reply,
        interaction,
        method === 'webauthn'
          ? 'That passkey or security key was not accepted.'
          : 'That code is not valid. Try the current one.',
      );
    }
    const used = method === 'webauthn' ? ['hwk'] : ['otp'];
    const amr = [
      ...new Set([...((interaction.session as { amr?: string[] }).amr ?? ['pwd']), ...used, 'mfa']),
    ];
    await store.events.append({
      type: 'second_factor.succeeded',
      actor: user.username,
      subject: user.username,
      clientIp: request.ip,
      requestId: request.id,
      details: { ...details, amr },
    });
    if (method === 'recovery')
      await store.events.append({
        type: 'factor.recovery_code_used',
        actor: user.username,
        subject: user.id,
        clientIp: request.ip,
        details: { remaining: await factors.recovery.remaining(user.id) },
      });
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: user.id, amr, acr: acrFor(amr), remember: true } },
      { mergeWithLastSubmission: false },
    );
    return reply;
  });

  // WebAuthn options for this interaction: the user's own keys when a second factor is being asked
  // for, any discoverable passkey for a passwordless login.
  for (const path of ['/interaction/:uid/second-factor/options', '/interaction/:uid/passkey/options'])
    app.post(path, async (request, reply) => {
      const submitted = await submission(request, reply);
      if (!submitted) return reply;
      const { interaction } = submitted;
      const secondFactor = path.includes('second-factor');
      const accountId = interaction.session?.accountId;
      if (!factors.passkeys.enabled || (secondFactor ? !accountId : !factors.passkeys.passwordlessEnabled))
        return reply
          .status(400)
          .send({ error: 'invalid_request', error_description: 'passkeys are not available here' });
      void reply.header('cache-control', 'no-store');
      return factors.passkeys.authenticationOptions(secondFactor ? accountId : undefined);
    });

  // A passkey as the only factor: possession of the key plus the authenticator's user verification.
  app.post('/interaction/:uid/passkey', async (request, reply) => {
    const submitted = await submission(request, reply);
    if (!submitted) return reply;
    const { interaction, form } = submitted;
    const response = parseJson(form.response);
    const login =
      factors.passkeys.passwordlessEnabled && response !== undefined
        ? await factors.passkeys.authenticate(response as never)
        : undefined;
    const user = login ? await store.users.get(login.credential.userId) : undefined;
    if (!login || !user || user.disabled) {
      await store.events.append({
        type: 'login.failed',
        subject: user?.username,
        clientIp: request.ip,
        requestId: request.id,
        details: { client_id: interaction.params.client_id, factor: 'passkey' },
      });
      return renderLogin(reply, interaction, 'That passkey was not accepted. Sign in with your password.');
    }
    const amr = ['hwk', 'user', 'mfa'];
    await store.events.append({
      type: 'login.succeeded',
      actor: user.username,
      subject: user.username,
      clientIp: request.ip,
      requestId: request.id,
      details: { client_id: interaction.params.client_id, amr, passkey: login.credential.name },
    });
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: user.id, amr, acr: acrFor(amr), remember: true } },
      { mergeWithLastSubmission: false },
    );
    return reply;
  });

  app.post('/interaction/:uid/consent', async (request, reply) => {
    const submitted = await submission(request, reply);
    if (!submitted) return reply;
    const { interaction, form } = submitted;
    const clientId = String(interaction.params.client_id);
    const accountId = interaction.session?.accountId;
    // Consent is the step after the login: a form sent before it (or replayed) has nothing to grant.
    if (interaction.prompt.name !== 'consent' || !accountId)
      return reply
        .status(400)
        .type('text/html')
        .send(errorPage(config, 'invalid_request', 'No consent is being asked for here. Sign in first.'));
    if (form.decision !== 'allow') {
      reply.hijack();
      await provider.interactionFinished(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The user denied the request.' },
        { mergeWithLastSubmission: false },
      );
      return reply;
    }
    const promptDetails = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    const grant = interaction.grantId
      ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
    if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
    const grantId = await grant.save();
    const { settings } = await clientOf(clientId);
    if (settings.consentMode === 'pre-configured' && settings.consentDurationSeconds) {
      const scopes = scopeText(interaction.params.scope).split(' ').filter(Boolean);
      await rememberConsent(store, accountId, clientId, scopes, settings.consentDurationSeconds);
    }
    await store.events.append({
      type: 'consent.granted',
      subject: accountId,
      clientIp: request.ip,
      requestId: request.id,
      details: { client_id: clientId, scope: interaction.params.scope },
    });
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    return reply;
  });
}

function parseJson(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
