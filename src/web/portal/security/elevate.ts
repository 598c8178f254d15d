// The elevated session: routes that change second factors declare `config: { elevation: <path> }`;
// the portal's hook answers them with "Confirm it is you" until the session is elevated, and the
// page sends the user back to <path> once it is. The proof itself is the elevation service's.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { formOf, one, queryOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { ElevationNeed, ProofOutcome } from '../../../services/elevation.ts';
import { elevationSessionOf, typed, type PortalKit, type PortalPage } from '../kit.ts';
import { html } from '../../html.ts';
import { formProblem } from '../../views/forms.ts';
import { elevateView, type ElevateView } from './elevate.view.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes second factors: it needs an elevated session, and this is where to return. */
    elevation?: string;
  }
}

const FRAME = { section: 'security', title: 'Confirm it is you' } as const;
const PAGE = '/portal/security/elevate';

/** Only a portal path: the page never sends anyone elsewhere. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/portal(\/[A-Za-z0-9/_.~-]*)?$/.test(value)
    ? value
    : '/portal/security';
}

/** Where the page is for a return to `next`. */
export function elevatePath(next: string, sent = false): string {
  return `${PAGE}?${new URLSearchParams({ next, ...(sent ? { sent: '1' } : {}) }).toString()}`;
}

const ANSWERS: Record<Exclude<ProofOutcome, 'elevated' | 'not-needed'>, [string, number]> = {
  wrong: ['That is not the code we sent, or it has expired. Try again, or send a new code.', 400],
  used: ['This code was already used.', 409],
  banned: ['Too many wrong attempts. Try again later.', 429],
};
const WRONG_PASSWORD = 'This is not your current password.';

async function show(
  kit: PortalKit,
  request: FastifyRequest,
  reply: FastifyReply,
  view: Omit<ElevateView, 'csrf' | 'need'> & { need: ElevationNeed },
  status = 200,
) {
  const { user, csrf } = signedIn(request);
  const { need } = view;
  if (need.kind === 'elevated') return reply.redirect(view.next, 303);
  return kit.send(reply, user, FRAME, elevateView({ ...view, need, csrf }), status);
}

/** The portal's hook: a route that declares `elevation` is answered with the page until elevated. */
export function elevationHook(kit: PortalKit): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const next = request.routeOptions.config.elevation;
    if (next === undefined || reply.sent || !request.signedIn) return;
    const need = await kit.elevation.need(elevationSessionOf(request));
    if (need.kind === 'elevated') return;
    if (request.headers.accept?.includes('application/json') && !request.headers.accept.includes('html'))
      return reply.code(403).send({ error: 'elevation_required', location: elevatePath(next) });
    return show(kit, request, reply, { need, next }, 403);
  };
}

export const registerElevate: PortalPage = (scope, kit) => {
  scope.get(PAGE, async (request, reply) => {
    const query = queryOf(request);
    const need = await kit.elevation.need(elevationSessionOf(request));
    return show(kit, request, reply, { need, next: safeNext(query.next), sent: query.sent === '1' });
  });

  scope.post(`${PAGE}/send`, async (request, reply) => {
    const next = safeNext(formOf(request).next);
    const session = elevationSessionOf(request);
    const outcome = await kit.elevation.sendCode(session);
    if (outcome === 'sent') return reply.redirect(elevatePath(next, true), 303);
    if (outcome === 'not-needed') return reply.redirect(elevatePath(next), 303);
    const error = 'Codes were sent a moment ago: use the latest one from your mail, or wait a few minutes.';
    return show(
      kit,
      request,
      reply,
      { need: await kit.elevation.need(session), next, sent: true, error },
      429,
    );
  });

  scope.post(PAGE, async (request, reply) => {
    const form = formOf(request);
    const next = safeNext(form.next);
    const session = elevationSessionOf(request);
    const byCode = form.code !== undefined;
    const outcome = byCode
      ? await kit.elevation.enterCode(session, one(form.code))
      : await kit.elevation.enterPassword(session, typed(form.password));
    if (outcome === 'elevated') return reply.redirect(next, 303);
    if (outcome === 'not-needed') return reply.redirect(elevatePath(next), 303);
    const [message, status] = ANSWERS[outcome];
    const error = outcome === 'wrong' && !byCode ? WRONG_PASSWORD : message;
    const need = await kit.elevation.need(session);
    // A used code of a session that is elevated by now: the page would only move on, so say it here.
    if (need.kind === 'elevated')
      return kit.send(
        reply,
        session.user,
        FRAME,
        html`<h1>Confirm it is you</h1>
          ${formProblem({ form: error })}
          <p><a href="${next}">Continue</a></p>`,
        status,
      );
    return show(kit, request, reply, { need, next, sent: byCode, error }, status);
  });
};
