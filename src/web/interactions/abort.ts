// Leaving a page that cannot be passed (no access, no second factor): the app hears access_denied.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SESAME_DENIED } from '../../oidc/interaction-policy.ts';
import { accessDeniedPage } from './abort.view.ts';
import { type Interaction, type InteractionKit, onSubmit, reasons, stepPath, stepRoute } from './kit.ts';

/** The client's policy does not let this user in. */
export async function renderAccessDenied(
  kit: InteractionKit,
  reply: FastifyReply,
  interaction: Interaction,
  accountId: string,
): Promise<FastifyReply> {
  const { name } = await kit.clientOf(interaction.params.client_id);
  const user = await kit.signIn.user(accountId);
  const page = accessDeniedPage(kit.config, {
    clientName: name,
    username: user?.username ?? '',
    abortAction: stepPath(interaction.uid, 'abort'),
    csrf: kit.csrfFor(interaction),
  });
  return reply.html(page, 403);
}

export function registerAbort(app: FastifyInstance, kit: InteractionKit): void {
  onSubmit(app, kit, stepRoute('abort'), async ({ request, reply, interaction }) =>
    kit.finish(request, reply, {
      error: 'access_denied',
      error_description: reasons(interaction).includes(SESAME_DENIED)
        ? 'the authorization policy of this client does not allow this user'
        : 'this client requires a second factor and the user has none',
    }),
  );
}
