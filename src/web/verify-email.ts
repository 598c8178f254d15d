// `/verify-email?token=…`: the link mailed to a new address. GET shows the address and a button;
// the POST (its CSRF token bound to the link) verifies it, once.
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import type { CsrfTokens } from '../http/csrf.ts';
import { formOf, one, queryOf } from '../http/forms.ts';
import { VERIFY_EMAIL_PATH, type EmailVerification } from '../services/email-verification.ts';
import { forgedFormPage } from './pages.ts';
import { confirmEmailPage, emailVerifiedPage, verificationFailedPage } from './verify-email.view.ts';

export interface VerifyEmailContext {
  config: SesameConfig;
  verification: EmailVerification;
  csrf: CsrfTokens;
}

const binding = (linkId: string) => `verify-email:${linkId}`;

export function registerVerifyEmail(app: FastifyInstance, context: VerifyEmailContext): void {
  const { config, verification, csrf } = context;
  app.get(VERIFY_EMAIL_PATH, async (request, reply) => {
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const token = queryOf(request).token ?? '';
    const pending = token ? await verification.inspect(token) : undefined;
    if (!pending) return reply.html(verificationFailedPage(config), 400);
    const view = {
      email: pending.email,
      username: pending.username,
      token,
      csrf: csrf.issue(binding(pending.id)),
    };
    return reply.html(confirmEmailPage(config, view));
  });

  app.post(VERIFY_EMAIL_PATH, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const form = formOf(request);
    const token = one(form.token);
    const pending = token ? await verification.inspect(token) : undefined;
    if (!pending) return reply.html(verificationFailedPage(config), 400);
    if ((await csrf.claim(binding(pending.id), form.csrf)) !== 'ok')
      return reply.html(forgedFormPage(config), 403);
    const result = await verification.confirm(token, request.ip);
    if (result.outcome !== 'verified') return reply.html(verificationFailedPage(config), 400);
    return reply.html(emailVerifiedPage(config, result.email));
  });
}
