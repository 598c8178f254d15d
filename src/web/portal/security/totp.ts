// Setting up and removing the authenticator app. The setup in progress travels sealed in its form:
// the secret is stored only once a code from the app confirms it.
import type { TotpChoice } from '../../../factors/totp.ts';
import { formOf, one, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { errorPage } from '../../pages.ts';
import { actorOf, type PortalPage } from '../kit.ts';
import { totpEnrolmentView, type TotpEnrolmentView } from './totp.view.ts';

const FRAME = { section: 'security', title: 'Set up authenticator app' } as const;
/** These change the second factors: an elevated session only, back to Security after the proof. */
const ELEVATED = { config: { elevation: '/portal/security' } };

/** The parameters the setup form asks for; absent ones are the defaults. */
function choiceOf(form: Form): TotpChoice {
  const algorithm = one(form.algorithm).toLowerCase();
  const digits = one(form.digits);
  const period = one(form.period);
  return {
    algorithm: algorithm ? (algorithm as TotpChoice['algorithm']) : undefined,
    digits: digits ? (Number(digits) as TotpChoice['digits']) : undefined,
    period: period ? Number(period) : undefined,
  };
}

export const registerTotp: PortalPage = (scope, kit) => {
  const choices = kit.account.totpChoices;
  const begin = { config: { elevation: '/portal/security/totp/new' } };
  // A GET too: where the user comes back to once their session is elevated.
  scope.get('/portal/security/totp/new', begin, async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const pending = await kit.account.beginTotp(user);
    return kit.send(reply, user, FRAME, totpEnrolmentView({ csrf, pending, choices }));
  });

  scope.post('/portal/security/totp/new', begin, async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const pending = await kit.account.beginTotp(user, choiceOf(formOf(request)));
    return kit.send(reply, user, FRAME, totpEnrolmentView({ csrf, pending, choices }));
  });

  scope.post('/portal/security/totp/confirm', ELEVATED, async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const form = formOf(request);
    const result = await kit.account.confirmTotp(actorOf(request), one(form.pending), one(form.code));
    if (result.outcome === 'expired')
      return reply.html(
        errorPage(kit.config, 'expired', 'This setup page has expired. Start again from Security.'),
        400,
      );
    if (result.outcome === 'added') return reply.redirect('/portal/security?done=totp-added', 303);
    const view: TotpEnrolmentView = {
      csrf,
      pending: result.pending,
      choices,
      error: 'That code does not match. Check the time on your phone and try the current code.',
    };
    return kit.send(reply, user, FRAME, totpEnrolmentView(view), 400);
  });

  scope.post('/portal/security/totp/remove', ELEVATED, async (request, reply) => {
    await kit.account.removeTotp(actorOf(request));
    return reply.redirect('/portal/security?done=totp-removed', 303);
  });
};
