// The first step: a password (or, in passkey.ts, a passkey) for the client that asked.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { UnavailableError } from '../../lib/errors.ts';
import { type Interaction, type InteractionKit, onSubmit, sourceOf, stepPath, stepRoute } from './kit.ts';
import { forgotPasswordLink } from '../../services/password-reset.ts';
import { loginPage } from './login.view.ts';
import { SIGN_UP_PATH } from '../../services/sign-up.ts';

export async function renderLogin(
  kit: InteractionKit,
  reply: FastifyReply,
  interaction: Interaction,
  error?: string,
  username?: string,
  status = error ? 401 : 200,
): Promise<FastifyReply> {
  const { name } = await kit.clientOf(interaction.params.client_id);
  const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
  const page = loginPage(kit.config, {
    action: stepPath(interaction.uid, 'login'),
    csrf: kit.csrfFor(interaction),
    clientName: name,
    username: username ?? hint,
    error,
    passkeyOptionsUrl: kit.factors.passkeys.passwordlessEnabled
      ? stepPath(interaction.uid, 'passkey/options')
      : undefined,
    passkeyAction: stepPath(interaction.uid, 'passkey'),
    rememberMe: kit.rememberOffered,
    resetUrl: forgotPasswordLink(kit.config),
    signUpUrl: kit.config.registration.enabled && kit.config.notifier ? SIGN_UP_PATH : undefined,
  });
  return reply.html(page, status);
}

export function registerLogin(app: FastifyInstance, kit: InteractionKit): void {
  onSubmit(app, kit, stepRoute('login'), async ({ request, reply, interaction, form }) => {
    const identifier = (form.username ?? '').trim();
    let login;
    try {
      login = await kit.signIn.password(identifier, form.password ?? '', sourceOf(request, interaction));
    } catch (error) {
      // The user directory is down (logged where it failed): say so, never "wrong password".
      if (!(error instanceof UnavailableError)) throw error;
      return renderLogin(
        kit,
        reply,
        interaction,
        `Sign-in is unavailable: ${error.message}.`,
        identifier,
        503,
      );
    }
    if (!login)
      return renderLogin(kit, reply, interaction, 'The username or password is incorrect.', identifier);
    // Without the box (no cookie domain remembers sessions), a login session lasts as it always has.
    const remember = kit.rememberOffered ? form.remember === 'on' : true;
    return kit.finishLogin(request, reply, { ...login, remember });
  });
}
