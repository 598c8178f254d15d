// The Profile page and its form.
import { formOf, one, queryOf } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import type { ProfileInput } from '../../services/account.ts';
import { actorOf, elevationSessionOf, type PortalPage } from './kit.ts';
import { profileValues, profileView } from './profile.view.ts';

const FRAME = { section: 'profile', title: 'Profile' } as const;

const DONE: Record<string, string> = {
  saved: 'Your profile was saved.',
  verification: 'Your profile was saved. A link verifying your address is on its way to it.',
};

export const registerProfile: PortalPage = (scope, kit) => {
  scope.get('/portal/profile', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const done = DONE[queryOf(request).done ?? ''];
    const verifiable = kit.account.verification?.available ?? false;
    const elevated = await kit.elevation.isElevated(elevationSessionOf(request));
    const view = { user, csrf, values: profileValues(user), done, verifiable, elevated };
    return kit.sendForm(reply, FRAME, view, profileView);
  });

  scope.post('/portal/profile/verify', async (request, reply) => {
    kit.account.resendVerification(actorOf(request));
    return reply.redirect('/portal/profile?done=verification', 303);
  });

  scope.post('/portal/profile', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    // The users file's accounts are changed there: the page shows it as it is.
    if (user.source !== 'local')
      return kit.sendForm(reply, FRAME, { user, csrf, values: profileValues(user) }, profileView);
    const values = readProfile(formOf(request));
    // A new address (or a first one) could take the account over by mail: an elevated session only.
    if (
      values.email !== (user.email ?? '') &&
      !(await kit.elevation.isElevated(elevationSessionOf(request)))
    ) {
      const errors = { email: 'To change your e-mail address, first confirm it is you.' };
      const view = { user, csrf, values, errors, elevated: false };
      return kit.sendForm(reply, FRAME, view, profileView);
    }
    const errors = await kit.account.updateProfile(actorOf(request), values);
    if (errors) return kit.sendForm(reply, FRAME, { user, csrf, values, errors }, profileView);
    const changed = values.email.toLowerCase() !== (user.email ?? '').toLowerCase();
    const verifying = changed && values.email !== '' && (kit.account.verification?.available ?? false);
    return reply.redirect(`/portal/profile?done=${verifying ? 'verification' : 'saved'}`, 303);
  });
};

function readProfile(form: Record<string, unknown>): ProfileInput {
  return {
    display_name: one(form.display_name),
    given_name: one(form.given_name),
    family_name: one(form.family_name),
    email: one(form.email),
    picture: one(form.picture),
  };
}
