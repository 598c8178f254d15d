// Passkeys in a sign-in: the WebAuthn options (for a second factor or a passwordless login) and the
// passwordless login itself.
import type { FastifyInstance } from 'fastify';
import { type InteractionKit, onSubmit, parseJson, sourceOf, stepRoute } from './kit.ts';
import { renderLogin } from './login.ts';

export function registerPasskeys(app: FastifyInstance, kit: InteractionKit): void {
  const { passkeys } = kit.factors;
  // WebAuthn options for this interaction: the user's own keys when a second factor is being asked
  // for, any discoverable passkey for a passwordless login.
  for (const path of [stepRoute('second-factor/options'), stepRoute('passkey/options')])
    onSubmit(app, kit, path, async ({ reply, interaction }) => {
      const secondFactor = path.includes('second-factor');
      const accountId = interaction.session?.accountId;
      if (!passkeys.enabled || (secondFactor ? !accountId : !passkeys.passwordlessEnabled))
        return reply
          .status(400)
          .send({ error: 'invalid_request', error_description: 'passkeys are not available here' });
      void reply.header('cache-control', 'no-store');
      return passkeys.authenticationOptions(secondFactor ? accountId : undefined);
    });

  // A passkey as the only factor: possession of the key plus the authenticator's user verification.
  onSubmit(app, kit, stepRoute('passkey'), async ({ request, reply, interaction, form }) => {
    const login = await kit.signIn.passkey(parseJson(form.response), sourceOf(request, interaction));
    if (!login)
      return renderLogin(
        kit,
        reply,
        interaction,
        'That passkey was not accepted. Sign in with your password.',
      );
    // The passkey form has no "Remember me": where the box is offered, a passkey login is not remembered.
    return kit.finishLogin(request, reply, { ...login, remember: !kit.rememberOffered });
  });
}
