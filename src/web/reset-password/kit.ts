// What the reset pages share: the service, and CSRF tokens for visitors who are not signed in. With
// no login session to bind a token to, it is bound to a random value in a cookie of these pages
// (a forged form from elsewhere has neither), set on the page that shows the form.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import { randomToken } from '../../crypto/random.ts';
import type { CsrfTokens } from '../../http/csrf.ts';
import { RESET_PASSWORD_PATH, type PasswordResetService } from '../../services/password-reset.ts';

const COOKIE = 'sesame_reset';
/** How long a reset page's form stays usable. */
const FORM_SECONDS = 60 * 60;

export interface ResetKit {
  config: SesameConfig;
  reset: PasswordResetService;
  /** A token for the form this reply shows (setting the cookie it is bound to when there is none). */
  csrfFor(request: FastifyRequest, reply: FastifyReply): string;
  /** Whether a posted token belongs to this browser's cookie and has not expired. */
  csrfValid(request: FastifyRequest, presented: unknown): boolean;
}

const bindingOf = (value: string) => `reset-password:${value}`;

export function resetKit(config: SesameConfig, reset: PasswordResetService, csrf: CsrfTokens): ResetKit {
  return {
    config,
    reset,
    csrfFor(request, reply) {
      let value = request.cookies[COOKIE];
      if (!value || !/^[A-Za-z0-9_-]{16,64}$/.test(value)) {
        value = randomToken(24);
        void reply.setCookie(COOKIE, value, {
          path: RESET_PASSWORD_PATH,
          httpOnly: true,
          sameSite: 'strict',
          secure: request.protocol === 'https',
          maxAge: FORM_SECONDS,
        });
      }
      return csrf.issue(bindingOf(value), { expiresAt: Math.floor(Date.now() / 1000) + FORM_SECONDS });
    },
    csrfValid(request, presented) {
      const value = request.cookies[COOKIE];
      return !!value && csrf.valid(bindingOf(value), presented);
    },
  };
}

/** Where the pages send a user to sign in: the portal (which starts an ordinary sign-in). */
export const SIGN_IN_PATH = '/portal/login';
