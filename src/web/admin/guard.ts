// The administrator check in front of every admin page: signed in, in an administrators group, and
// a valid, unused CSRF token on every POST (see signedInGuard).
import type { preHandlerAsyncHookHandler } from 'fastify';
import { UserService } from '../../auth/users.ts';
import type { SesameConfig } from '../../config/load.ts';
import { signedInGuard } from '../../http/guards.ts';
import type { BrowserSessions } from '../../http/sessions.ts';
import type { Store } from '../../store/index.ts';
import { html } from '../html.ts';
import { forgedFormPage, layout, signInAgainPage } from '../pages.ts';
import { alreadySubmittedPage } from './layout.view.ts';

export function adminGuard(
  config: SesameConfig,
  store: Store,
  sessions: BrowserSessions,
): preHandlerAsyncHookHandler {
  const users = new UserService(
    store,
    config.authentication_backend.password_hashing,
    config.password_policy,
  );
  return signedInGuard({
    sessions,
    loginPath: '/portal/login',
    allowed: (user) => users.isAdmin(user),
    answers: {
      notAllowed: (signedIn) =>
        layout(
          config,
          'Forbidden',
          html`<h1>Administrators only</h1>
            <p>${signedIn.user.username} is not in an administrators group.</p>
            <p><a href="/portal">Go to your applications</a></p>`,
        ),
      alreadySubmitted: (signedIn, request) => alreadySubmittedPage(config, signedIn, request.url),
      forged: () => forgedFormPage(config),
      signedOut: () => signInAgainPage(config),
    },
  });
}
