// Transitional: the admin pages that still open each route with `admin(request, reply)`. New pages
// register behind the guard hook (./admin/guard.ts) and use the kit directly; this module goes when
// the last page has moved.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserService } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { OneTimeNotes } from '../http/once.ts';
import { BrowserSessions, type SignedIn } from '../http/sessions.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { Store } from '../store/index.ts';
import { adminGuard as adminGuardHook } from './admin/guard.ts';
import { adminPage, notFoundPage, type Section } from './admin/layout.view.ts';
import type { SafeHtml } from './html.ts';
import { confirmAction as confirm } from './views/forms.ts';

export type { Form, FieldErrors } from '../http/forms.ts';
export { one, many, toFieldErrors } from '../http/forms.ts';
export {
  csrfField,
  copyField,
  fieldError,
  formProblem,
  formatTime,
  invalid,
  notice,
  selectField,
} from './views/forms.ts';
export { SECTIONS, type Section } from './admin/layout.view.ts';
export const page = adminPage;

export function confirmAction(
  input: Omit<Parameters<typeof confirm>[0], 'csrf'> & { signedIn: SignedIn },
): SafeHtml {
  return confirm({ ...input, csrf: input.signedIn.csrf });
}

export interface AdminGuardContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
}

export interface AdminGuard {
  sessions: BrowserSessions;
  users: UserService;
  once: OneTimeNotes;
  admin: (request: FastifyRequest, reply: FastifyReply) => Promise<SignedIn | undefined>;
  notFound: (reply: FastifyReply, signedIn: SignedIn, section: Section, what: string) => FastifyReply;
}

export function adminGuard(context: AdminGuardContext): AdminGuard {
  const { config, store } = context;
  const sessions = new BrowserSessions(
    context.issuers.global.provider,
    store,
    config.identity_providers.oidc.hmac_secret,
  );
  const hook = adminGuardHook(config, store, sessions);
  return {
    sessions,
    users: new UserService(store, config.authentication_backend.password_hashing),
    once: new OneTimeNotes(config.identity_providers.oidc.hmac_secret),
    admin: async (request, reply) => {
      await hook.call(request.server, request, reply);
      return reply.sent ? undefined : request.signedIn;
    },
    notFound: (reply, signedIn, section, what) =>
      reply.html(notFoundPage(config, signedIn, section, what), 404),
  };
}
