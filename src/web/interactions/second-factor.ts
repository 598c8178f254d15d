// The second factor a client's policy (or a step-up) asks for after the password.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ENDPOINTS } from '../../config/urls.ts';
import { SESAME_SECOND_FACTOR } from '../../oidc/interaction-policy.ts';
import { errorPage } from '../pages.ts';
import { enrolRequiredPage } from './abort.view.ts';
import {
  type Interaction,
  type InteractionKit,
  onSubmit,
  parseJson,
  reasons,
  sourceOf,
  stepPath,
  stepRoute,
} from './kit.ts';
import { secondFactorPage } from './second-factor.view.ts';

export async function renderSecondFactor(
  kit: InteractionKit,
  reply: FastifyReply,
  interaction: Interaction,
  error?: string,
): Promise<FastifyReply> {
  const accountId = interaction.session!.accountId;
  const { name } = await kit.clientOf(interaction.params.client_id);
  const user = await kit.signIn.user(accountId);
  const summary = await kit.signIn.factorSummary(accountId);
  const csrf = kit.csrfFor(interaction);
  if (!summary.totp && summary.passkeys === 0 && summary.recoveryCodes === 0) {
    const abortAction = stepPath(interaction.uid, 'abort');
    return reply.html(
      enrolRequiredPage(kit.config, {
        clientName: name,
        securityUrl: `${ENDPOINTS.portal}/security`,
        abortAction,
        csrf,
      }),
    );
  }
  const page = secondFactorPage(kit.config, {
    action: stepPath(interaction.uid, 'second-factor'),
    csrf,
    clientName: name,
    username: user?.displayName ?? user?.username ?? '',
    totp: summary.totp,
    passkeys: summary.passkeys > 0 && kit.factors.passkeys.enabled,
    recoveryCodes: summary.recoveryCodes,
    error,
  });
  return reply.html(page, error ? 401 : 200);
}

export function registerSecondFactor(app: FastifyInstance, kit: InteractionKit): void {
  onSubmit(app, kit, stepRoute('second-factor'), async ({ request, reply, interaction, form }) => {
    const user = await kit.signIn.user(interaction.session?.accountId);
    if (!user || !reasons(interaction).includes(SESAME_SECOND_FACTOR))
      return reply.html(
        errorPage(kit.config, 'invalid_request', 'No second factor is being asked for here.'),
        400,
      );
    const method = form.method === 'recovery' || form.method === 'webauthn' ? form.method : 'totp';
    const answer = { method, code: form.code ?? '', response: parseJson(form.response) } as const;
    const amr = (interaction.session as { amr?: string[] }).amr;
    const login = await kit.signIn.secondFactor(user, amr, answer, sourceOf(request, interaction));
    if (!login) {
      const error =
        method === 'webauthn'
          ? 'That passkey or security key was not accepted.'
          : 'That code is not valid. Try the current one.';
      return renderSecondFactor(kit, reply, interaction, error);
    }
    return kit.finishLogin(request, reply, login);
  });
}
