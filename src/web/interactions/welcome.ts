// Right after someone made their account (web/sign-up/), their browser carries a one-time welcome
// token in a cookie to the portal's sign-in: the login page is skipped once, for the portal only.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { acrFor } from '../../auth/policy.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/portal-client.ts';
import type { SignUpService } from '../../services/sign-up.ts';
import type { Interaction, InteractionKit } from './kit.ts';

export const WELCOME_COOKIE = 'sesame_welcome';

/** Finishes the login with the new account when the cookie's token is good; undefined otherwise. */
export async function welcomeLogin(
  kit: InteractionKit,
  signUp: SignUpService,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
): Promise<FastifyReply | undefined> {
  const token = request.cookies[WELCOME_COOKIE];
  if (!token || interaction.params.client_id !== PORTAL_CLIENT_ID) return undefined;
  // (The engine writes the response itself: the clearing cookie goes straight onto it.)
  reply.raw.appendHeader(
    'set-cookie',
    request.server.serializeCookie(WELCOME_COOKIE, '', { path: '/interaction', maxAge: 0, httpOnly: true }),
  );
  const user = await signUp.welcome(token, request.ip);
  if (!user) return undefined;
  const amr = ['pwd'];
  return kit.finishLogin(request, reply, { accountId: user.id, amr, acr: acrFor(amr) });
}
