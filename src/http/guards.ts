// Who may reach a page, as a Fastify hook: the pages of a scope (the admin UI, the portal) are
// registered behind one guard, which signs the visitor in or turns them away, checks the CSRF token
// of every POST, and leaves the signed-in user on the request for the handlers.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { User } from '../store/index.ts';
import { formOf } from './forms.ts';
import type { BrowserSessions, SignedIn } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a guard for the routes behind it; read it with signedIn(request). */
    signedIn?: SignedIn;
  }
  interface FastifyContextConfig {
    /**
     * What a POST's CSRF token must be: `claim` (the default) accepts it once, so a repeated submit
     * changes nothing; `check` only verifies it, for a step that prepares the real submit.
     */
    csrf?: 'claim' | 'check';
  }
}

/** The pages a guard answers with when it turns a request away. */
export interface GuardAnswers {
  /** Signed in, but not allowed here (403). */
  notAllowed?: (signedIn: SignedIn) => string;
  /** The form was sent before and its change made then (409). */
  alreadySubmitted: (signedIn: SignedIn, request: FastifyRequest) => string | Promise<string>;
  /** A POST whose CSRF token is missing, forged or expired (403). */
  forged: () => string;
  /** A POST without a session (401); a GET is sent to sign in instead. */
  signedOut: () => string;
}

export interface GuardOptions {
  sessions: BrowserSessions;
  /** Where a visitor who is not signed in is sent, with `?return=<path>`. */
  loginPath: string;
  /** Who may pass once signed in; everyone when absent. */
  allowed?: (user: User) => Promise<boolean>;
  answers: GuardAnswers;
}

export function signedInGuard(options: GuardOptions): preHandlerAsyncHookHandler {
  const { sessions, answers } = options;
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const current = await sessions.current(request, reply);
    if (!current) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply.html(answers.signedOut(), 401);
      const path = request.url.split('?')[0]!;
      return reply.redirect(`${options.loginPath}?return=${encodeURIComponent(path)}`);
    }
    void reply.header('cache-control', 'no-store');
    if (options.allowed && !(await options.allowed(current.user)))
      return reply.html(answers.notAllowed!(current), 403);
    if (request.method === 'POST') {
      const binding = current.sessionUid;
      const token = formOf(request).csrf;
      const check =
        request.routeOptions.config.csrf === 'check'
          ? sessions.csrf.valid(binding, token)
            ? 'ok'
            : 'invalid'
          : await sessions.csrf.claim(binding, token);
      if (check === 'invalid') return reply.html(answers.forged(), 403);
      if (check === 'used') return reply.html(await answers.alreadySubmitted(current, request), 409);
    }
    request.signedIn = current;
  };
}

/** The user the scope's guard let in. */
export function signedIn(request: FastifyRequest): SignedIn {
  if (!request.signedIn) throw new Error(`${request.url} is served outside a signed-in scope`);
  return request.signedIn;
}
