// GET/POST /reset-password: "Forgot password?". Every request is answered with the same page, whatever
// the account; the mail (if any) is sent after the answer.
import type { FastifyInstance } from 'fastify';
import { formOf, one } from '../../http/forms.ts';
import { RESET_PASSWORD_PATH, resetOfferOf } from '../../services/password-reset.ts';
import { forgedFormPage } from '../pages.ts';
import { type ResetKit, SIGN_IN_PATH } from './kit.ts';
import { requestPage, requestSentPage, resetUnavailablePage, tooManyRequestsPage } from './request.view.ts';

export function registerResetRequest(app: FastifyInstance, kit: ResetKit): void {
  const { config } = kit;
  const minutes = Math.max(1, Math.round(config.identity_validation.reset_password.jwt_lifespan / 60));

  app.get(RESET_PASSWORD_PATH, async (request, reply) => {
    const offer = resetOfferOf(config);
    // Passwords are managed elsewhere: that is where "Forgot password?" leads.
    if (offer.kind === 'external') return reply.redirect(offer.url, 303);
    if (!kit.reset.available) return reply.html(resetUnavailablePage(config), 404);
    void reply.header('cache-control', 'no-store');
    const csrf = kit.csrfFor(request, reply);
    return reply.html(requestPage(config, { action: RESET_PASSWORD_PATH, csrf, signIn: SIGN_IN_PATH }));
  });

  app.post(RESET_PASSWORD_PATH, async (request, reply) => {
    if (!kit.reset.available) return reply.html(resetUnavailablePage(config), 404);
    const form = formOf(request);
    if (!kit.csrfValid(request, form.csrf)) return reply.html(forgedFormPage(config), 403);
    const answer = await kit.reset.request(one(form.username), request.ip);
    if (answer === 'too-many') return reply.html(tooManyRequestsPage(config), 429);
    void reply.header('cache-control', 'no-store');
    return reply.html(requestSentPage(config, { minutes, signIn: SIGN_IN_PATH }));
  });
}
