// The pages oidc-provider sends the browser to (/interaction/<uid>): one module per step, each a
// few short handlers over the shared kit (kit.ts) and a pure view; what the steps do to the store is
// in services/sign-in.ts.
import type { HttpKit } from '../../http/kit.ts';
import type { FastifyInstance } from 'fastify';
import type { PasswordAuthenticator } from '../../auth/login.ts';
import type { SesameConfig } from '../../config/load.ts';
import type { Factors } from '../../factors/index.ts';
import type { Issuers } from '../../oidc/issuers.ts';
import { SESAME_DENIED, SESAME_SECOND_FACTOR } from '../../oidc/interaction-policy.ts';
import { KnownDevices } from '../../services/devices.ts';
import { AccountNotifications } from '../../services/notifications.ts';
import { mailerOf } from '../../services/notifier.ts';
import { SignInService } from '../../services/sign-in.ts';
import type { Logger } from '../../lib/logger.ts';
import { SignUpService } from '../../services/sign-up.ts';
import type { Store } from '../../store/index.ts';
import { registerAbort, renderAccessDenied } from './abort.ts';
import { registerConsent, renderConsent } from './consent.ts';
import { interactionKit, type InteractionKit, reasons, stepRoute } from './kit.ts';
import { registerLogin, renderLogin } from './login.ts';
import { registerPasskeys } from './passkey.ts';
import { registerSecondFactor, renderSecondFactor } from './second-factor.ts';
import { welcomeLogin } from './welcome.ts';

export interface InteractionContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  authenticator: PasswordAuthenticator;
  factors: Factors;
  http: HttpKit;
  logger?: Logger;
}

export function registerInteractions(app: FastifyInstance, context: InteractionContext): void {
  const { config, factors } = context;
  const kit = interactionKit({
    config,
    // Any instance can read and finish an interaction: they share storage and cookie keys, and the
    // interaction remembers which issuer to resume at.
    provider: context.issuers.global.provider,
    signIn: new SignInService(context),
    factors,
    // The pages' forms are bound to the interaction (there is no login session yet).
    csrf: context.http.sessions.csrf,
    devices: config.notifier?.new_device_sign_in
      ? new KnownDevices(context.store, new AccountNotifications(mailerOf(config), context.logger))
      : undefined,
  });
  // Only its one-time links are used here (no mail is sent).
  registerCurrentStep(app, kit, new SignUpService({ config, store: context.store }));
  registerLogin(app, kit);
  registerPasskeys(app, kit);
  registerSecondFactor(app, kit);
  registerConsent(app, kit);
  registerAbort(app, kit);
}

/** The page of the step the interaction is at. */
function registerCurrentStep(app: FastifyInstance, kit: InteractionKit, signUp: SignUpService): void {
  app.get(stepRoute(), async (request, reply) => {
    const interaction = await kit.details(request, reply);
    if (!interaction) return reply;
    void reply.header('cache-control', 'no-store');
    if (interaction.prompt.name === 'consent') return renderConsent(kit, reply, interaction);
    const accountId = interaction.session?.accountId;
    if (accountId && reasons(interaction).includes(SESAME_DENIED))
      return renderAccessDenied(kit, reply, interaction, accountId);
    if (accountId && reasons(interaction).includes(SESAME_SECOND_FACTOR))
      return renderSecondFactor(kit, reply, interaction);
    if (!accountId) {
      const welcomed = await welcomeLogin(kit, signUp, request, reply, interaction);
      if (welcomed) return welcomed;
    }
    return renderLogin(kit, reply, interaction);
  });
}
