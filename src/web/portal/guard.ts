// The check in front of every portal page: signed in, and a valid, unused CSRF token on every POST
// (see signedInGuard); a form sent twice gets the portal's "Already submitted" page.
import type { preHandlerAsyncHookHandler } from 'fastify';
import { UserService } from '../../auth/users.ts';
import type { SesameConfig } from '../../config/load.ts';
import { signedInGuard } from '../../http/guards.ts';
import type { BrowserSessions } from '../../http/sessions.ts';
import type { Store, User } from '../../store/index.ts';
import { html } from '../html.ts';
import { forgedFormPage, signInAgainPage } from '../pages.ts';
import { portalPage, type PortalViewer } from './layout.view.ts';

/** Who the portal's bar shows. */
export function viewerLookup(config: SesameConfig, store: Store): (user: User) => Promise<PortalViewer> {
  const users = new UserService(
    store,
    config.authentication_backend.password_hashing,
    config.password_policy,
  );
  return async (user) => ({
    username: user.username,
    displayName: user.displayName,
    isAdmin: await users.isAdmin(user),
  });
}

export function portalGuard(
  config: SesameConfig,
  sessions: BrowserSessions,
  viewerFor: (user: User) => Promise<PortalViewer>,
): preHandlerAsyncHookHandler {
  return signedInGuard({
    sessions,
    loginPath: '/portal/login',
    answers: {
      alreadySubmitted: async (signedIn) =>
        portalPage(
          config,
          { section: undefined, title: 'Already submitted' },
          await viewerFor(signedIn.user),
          html`<h1>Already submitted</h1>
            <p>This form was sent before and its change was made then; sending it again changed nothing.</p>
            <p><a href="/portal">Continue</a></p>`,
        ),
      forged: () => forgedFormPage(config),
      signedOut: () => signInAgainPage(config),
    },
  });
}
