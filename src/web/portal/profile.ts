// The Profile page and its form.
import type { FastifyReply } from 'fastify';
import { formOf, one, queryOf, type FieldErrors } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import type { ProfileInput } from '../../services/account.ts';
import { actorOf, type PortalPage } from './kit.ts';
import { profileValues, profileView, type ProfileView } from './profile.view.ts';

const FRAME = { section: 'profile', title: 'Profile' } as const;

export const registerProfile: PortalPage = (scope, kit) => {
  const show = (reply: FastifyReply, view: ProfileView) =>
    kit.send(reply, view.user, FRAME, profileView(view), Object.keys(view.errors ?? {}).length ? 400 : 200);

  scope.get('/portal/profile', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const done = queryOf(request).done === 'saved' ? 'Your profile was saved.' : undefined;
    return show(reply, { user, csrf, values: profileValues(user), done });
  });

  scope.post('/portal/profile', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    // The users file's accounts are changed there: the page shows it as it is.
    if (user.source === 'file') return show(reply, { user, csrf, values: profileValues(user) });
    const values = readProfile(formOf(request));
    const errors: FieldErrors | undefined = await kit.account.updateProfile(actorOf(request), values);
    if (errors) return show(reply, { user, csrf, values, errors });
    return reply.redirect('/portal/profile?done=saved', 303);
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
