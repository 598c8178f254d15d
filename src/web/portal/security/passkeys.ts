// Adding, renaming and removing passkeys. The options step only checks the page's CSRF token: the
// form's real submit, which claims it, follows.
import { ProhibitedAuthenticatorError } from '../../../factors/passkeys.ts';
import { formOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { actorOf, typed, type PortalPage } from '../kit.ts';

/** These change the second factors: an elevated session only, back to Security after the proof. */
const ELEVATED = { elevation: '/portal/security' };

export const registerPasskeys: PortalPage = (scope, kit) => {
  scope.post(
    '/portal/security/passkeys/options',
    { config: { csrf: 'check', ...ELEVATED } },
    async (request) => kit.account.passkeyOptions(signedIn(request).user),
  );

  scope.post('/portal/security/passkeys', { config: ELEVATED }, async (request, reply) => {
    const form = formOf(request);
    const done = await kit.account.addPasskey(actorOf(request), typed(form.name), typed(form.response)).then(
      (added) => (added ? 'passkey-added' : 'passkey-failed'),
      (error: unknown) => {
        // webauthn.filtering refused this authenticator: say why.
        if (error instanceof ProhibitedAuthenticatorError) return `passkey-prohibited-${error.reason}`;
        throw error;
      },
    );
    return reply.redirect(`/portal/security?done=${done}`, 303);
  });

  scope.post('/portal/security/passkeys/:id/rename', async (request, reply) => {
    const { id } = request.params as { id: string };
    await kit.account.renamePasskey(signedIn(request).user, id, typed(formOf(request).name));
    return reply.redirect('/portal/security?done=passkey-renamed', 303);
  });

  scope.post('/portal/security/passkeys/:id/remove', { config: ELEVATED }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await kit.account.removePasskey(actorOf(request), id);
    return reply.redirect('/portal/security?done=passkey-removed', 303);
  });
};
