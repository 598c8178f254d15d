// Pages without a login session where people make their own account: an invitation's link
// (/invitation), and open registration (/sign-up, with registration.enabled). Each form's CSRF token
// is bound to the link it carries (or to the sign-up form), and claimed once.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { CsrfTokens } from '../../http/csrf.ts';
import { formOf, queryOf, toFieldErrors } from '../../http/forms.ts';
import type { Logger } from '../../lib/logger.ts';
import { INVITATION_PATH } from '../../services/invitations.ts';
import { mailerOf } from '../../services/notifier.ts';
import {
  LinkProblem,
  SIGN_UP_COMPLETE_PATH,
  SIGN_UP_PATH,
  SignUpService,
  UsernameTaken,
  type AccountChoice,
  type Created,
} from '../../services/sign-up.ts';
import type { Store } from '../../store/index.ts';
import { forgedFormPage } from '../pages.ts';
import { accountFormView, linkProblemView, signUpRequestView, type AccountFormData } from './account.view.ts';
import { WELCOME_COOKIE } from '../interactions/welcome.ts';

export interface SignUpContext {
  config: SesameConfig;
  store: Store;
  logger?: Logger;
  http: { sessions: { csrf: CsrfTokens } };
}

interface Kit {
  config: SesameConfig;
  signUp: SignUpService;
  csrf: CsrfTokens;
}

const FIELDS = ['username', 'display_name', 'password', 'password_repeat', 'form'];
const bindingOf = (token: string) => `link:${createHash('sha256').update(token).digest('base64url')}`;
const textOf = (value: unknown) => (typeof value === 'string' ? value : '');

/** The form for a link: who it is for comes from `describe`. */
type Describe = (token: string) => Promise<Omit<AccountFormData, 'action' | 'csrf' | 'token' | 'title'>>;
type Create = (token: string, choice: AccountChoice) => Promise<Created>;

function linkPages(
  app: FastifyInstance,
  kit: Kit,
  path: string,
  title: string,
  describe: Describe,
  create: Create,
) {
  const render = async (
    reply: FastifyReply,
    token: string,
    extra: Partial<AccountFormData> = {},
    status = 200,
  ) => {
    try {
      const described = await describe(token);
      const csrf = kit.csrf.issue(bindingOf(token));
      return reply.html(
        accountFormView(kit.config, { ...described, ...extra, action: path, csrf, token, title }),
        status,
      );
    } catch (error) {
      if (!(error instanceof LinkProblem)) throw error;
      return reply.html(linkProblemView(kit.config, error.state), error.state === 'invalid' ? 400 : 410);
    }
  };
  app.get(path, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    return render(reply, textOf(queryOf(request).token));
  });
  app.post(path, async (request, reply) => {
    const form = formOf(request);
    const token = textOf(form.token);
    if ((await kit.csrf.claim(bindingOf(token), form.csrf)) !== 'ok')
      return reply.html(forgedFormPage(kit.config), 403);
    const kept = { username: textOf(form.username), display_name: textOf(form.display_name) };
    if (textOf(form.password) !== textOf(form.password_repeat))
      return render(reply, token, { form: kept, errors: { password_repeat: 'The passwords differ.' } }, 400);
    try {
      const choice = {
        username: kept.username,
        displayName: kept.display_name,
        password: textOf(form.password),
      };
      return welcome(request, reply, await create(token, choice));
    } catch (error) {
      if (error instanceof UsernameTaken)
        return render(reply, error.token, { form: kept, errors: { username: error.message } }, 400);
      const errors = error instanceof LinkProblem ? undefined : toFieldErrors(error, FIELDS);
      if (!errors) return render(reply, token);
      return render(reply, token, { form: kept, errors }, 400);
    }
  });
}

/** The new account is signed in once, by the welcome cookie, on its way to the portal. */
function welcome(request: FastifyRequest, reply: FastifyReply, created: Created) {
  void reply.setCookie(WELCOME_COOKIE, created.welcome, {
    path: '/interaction',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: 120,
  });
  return reply.redirect('/portal/login', 303);
}

function registrationPages(app: FastifyInstance, kit: Kit): void {
  const closed = (reply: FastifyReply) => reply.callNotFound();
  const page = (
    reply: FastifyReply,
    data: Omit<Parameters<typeof signUpRequestView>[1], 'csrf' | 'domains'>,
    status = 200,
  ) =>
    reply.html(
      signUpRequestView(kit.config, {
        ...data,
        csrf: kit.csrf.issue('sign-up'),
        domains: kit.config.registration.allowed_email_domains,
      }),
      status,
    );
  app.get(SIGN_UP_PATH, async (_request, reply) =>
    kit.signUp.registrationEnabled ? page(reply, {}) : closed(reply),
  );
  app.post(SIGN_UP_PATH, async (request, reply) => {
    if (!kit.signUp.registrationEnabled) return closed(reply);
    const form = formOf(request);
    if (!kit.csrf.valid('sign-up', form.csrf)) return reply.html(forgedFormPage(kit.config), 403);
    try {
      kit.signUp.requestSignUp(textOf(form.email), request.ip);
    } catch (error) {
      const errors = toFieldErrors(error, ['email']);
      if (!errors) throw error;
      return page(reply, { email: textOf(form.email), errors }, 400);
    }
    return page(reply, { sent: true });
  });
}

export function registerSignUpPages(app: FastifyInstance, context: SignUpContext): void {
  const { config, store, logger } = context;
  const signUp = new SignUpService({ config, store, logger, mailer: mailerOf(config) });
  const kit: Kit = { config, signUp, csrf: context.http.sessions.csrf };
  linkPages(
    app,
    kit,
    INVITATION_PATH,
    'Accept your invitation',
    async (token) => {
      const invitation = await signUp.invitation(token);
      return { email: invitation.email, fixedUsername: invitation.username, groups: invitation.groups };
    },
    (token, choice) => signUp.acceptInvitation(token, choice),
  );
  registrationPages(app, kit);
  linkPages(
    app,
    kit,
    SIGN_UP_COMPLETE_PATH,
    'Create your account',
    async (token) => ({ email: await signUp.signUpAddress(token) }),
    (token, choice) => signUp.completeSignUp(token, choice),
  );
}
