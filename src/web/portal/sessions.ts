// The Sessions page: the user's sign-in sessions, one ended at a time or all the others at once.
import { queryOf } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import { doneNotice } from '../views/forms.ts';
import { actorOf, type PortalPage } from './kit.ts';
import { sessionsView } from './sessions.view.ts';

const NOTICES: Record<string, string> = {
  ended: 'The session was ended.',
  others: 'Your other sessions were ended.',
};

export const registerSessions: PortalPage = (scope, kit) => {
  scope.get('/portal/sessions', async (request, reply) => {
    const { user, csrf, sessionUid } = signedIn(request);
    const sessions = await kit.account.sessions(user);
    const done = doneNotice(NOTICES, queryOf(request).done);
    const body = sessionsView({ sessions, current: sessionUid, csrf, done });
    return kit.send(reply, user, { section: 'sessions', title: 'Sessions' }, body);
  });

  scope.post('/portal/sessions/:id/end', async (request, reply) => {
    const { id } = request.params as { id: string };
    const actor = actorOf(request);
    await kit.account.endSession(actor, id);
    // Ending this browser's own session signs it out.
    if (id === actor.sessionUid) return reply.redirect('/portal', 303);
    return reply.redirect('/portal/sessions?done=ended', 303);
  });

  scope.post('/portal/sessions/end-others', async (request, reply) => {
    await kit.account.endOtherSessions(actorOf(request));
    return reply.redirect('/portal/sessions?done=others', 303);
  });
};
