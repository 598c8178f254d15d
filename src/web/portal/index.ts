// The user portal: sign-in, then every page registered in one scope behind the portal guard, so a
// handler starts with the signed-in user on the request (signedIn(request)) and its POSTs' CSRF
// tokens already claimed. A page is a function (scope, kit) => void listed in PAGES.
import type { Logger } from '../../lib/logger.ts';
import { AccountNotifications } from '../../services/notifications.ts';
import { emailVerificationOf } from '../../services/email-verification.ts';
import { mailerOf } from '../../services/notifier.ts';
import type { HttpKit } from '../../http/kit.ts';
import type { FastifyInstance } from 'fastify';
import type { PasswordAuthenticator } from '../../auth/login.ts';
import type { AuthorizationPolicies } from '../../auth/policy.ts';
import type { SesameConfig } from '../../config/load.ts';
import type { Factors } from '../../factors/index.ts';
import type { Issuers } from '../../oidc/issuers.ts';
import { AccountService } from '../../services/account.ts';
import { ElevationService } from '../../services/elevation.ts';
import type { Mailer } from '../../notify/mailer.ts';
import { applicationService } from '../../services/applications.ts';
import type { Store } from '../../store/index.ts';
import { registerApps } from './apps.ts';
import { portalGuard, viewerLookup } from './guard.ts';
import type { PortalKit, PortalPage } from './kit.ts';
import { portalPage } from './layout.view.ts';
import { registerPassword } from './password.ts';
import { registerProfile } from './profile.ts';
import { elevationHook, registerElevate } from './security/elevate.ts';
import { registerPasskeys } from './security/passkeys.ts';
import { registerRecoveryCodes } from './security/recovery-codes.ts';
import { registerSecurity } from './security/overview.ts';
import { registerTotp } from './security/totp.ts';
import { registerSessions } from './sessions.ts';
import { registerPortalSignIn } from './sign-in.ts';

export interface PortalContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  policies: AuthorizationPolicies;
  authenticator: PasswordAuthenticator;
  http: HttpKit;
  logger?: Logger;
}

const PAGES: PortalPage[] = [
  registerApps,
  registerProfile,
  registerPassword,
  registerSessions,
  registerSecurity,
  registerTotp,
  registerPasskeys,
  registerRecoveryCodes,
  registerElevate,
];

function accountService(context: PortalContext, mailer: Mailer | undefined): AccountService {
  const { config, store } = context;
  const hashing = config.authentication_backend.password_hashing;
  return new AccountService({
    ...context,
    hashing,
    passwordPolicy: config.password_policy,
    applications: applicationService(config, store),
    encryptionKey: config.storage.encryption_key,
    notifications: new AccountNotifications(mailer, context.logger),
    verification: emailVerificationOf(config, store, context.logger),
  });
}

function elevationService(context: PortalContext, mailer: Mailer | undefined): ElevationService {
  const { config } = context;
  return new ElevationService({
    ...context,
    settings: config.identity_validation.elevated_session,
    hmacSecret: config.identity_providers.oidc.hmac_secret,
    mailer,
  });
}

export function registerPortalPages(app: FastifyInstance, context: PortalContext): void {
  const { config, store } = context;
  const { sessions, once } = context.http;
  const viewerFor = viewerLookup(config, store);
  const send: PortalKit['send'] = async (reply, user, frame, body, status = 200) =>
    reply.html(portalPage(config, frame, await viewerFor(user), body), status);
  const mailer = mailerOf(config);
  const kit: PortalKit = {
    config,
    account: accountService(context, mailer),
    elevation: elevationService(context, mailer),
    once,
    send,
    sendForm: (reply, frame, view, render) =>
      send(reply, view.user, frame, render(view), Object.keys(view.errors ?? {}).length ? 400 : 200),
  };
  registerPortalSignIn(app, config);
  void app.register((scope, _options, done) => {
    scope.addHook('preHandler', portalGuard(config, sessions, viewerFor));
    scope.addHook('preHandler', elevationHook(kit));
    for (const page of PAGES) page(scope, kit);
    done();
  });
}
