// The consent step: the signed-in user allows (or denies) what the client asks for.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatDuration } from '../../config/duration.ts';
import { SCOPE_DESCRIPTIONS } from '../../oidc/claims.ts';
import { errorPage } from '../pages.ts';
import { consentPage } from './consent.view.ts';
import {
  type ClientSettings,
  type Interaction,
  type InteractionKit,
  onSubmit,
  sourceOf,
  stepPath,
  stepRoute,
} from './kit.ts';

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** How long a `pre-configured` client's consent is remembered (not at all for other modes). */
function rememberSeconds(settings: ClientSettings): number | undefined {
  return settings.consentMode === 'pre-configured' && settings.consentDurationSeconds
    ? settings.consentDurationSeconds
    : undefined;
}

export async function renderConsent(
  kit: InteractionKit,
  reply: FastifyReply,
  interaction: Interaction,
): Promise<FastifyReply> {
  const { name, settings } = await kit.clientOf(interaction.params.client_id);
  const user = await kit.signIn.user(interaction.session!.accountId);
  const missing = (interaction.prompt.details as PromptDetails).missingOIDCScope ?? [];
  const scope = interaction.params.scope;
  const requested = (typeof scope === 'string' ? scope : '').split(' ').filter(Boolean);
  const scopes = (missing.length > 0 ? missing : requested).map((scope) => ({
    name: scope,
    description: SCOPE_DESCRIPTIONS[scope] ?? `Use the “${scope}” permission`,
  }));
  const remember = rememberSeconds(settings);
  const page = consentPage(kit.config, {
    action: stepPath(interaction.uid, 'consent'),
    csrf: kit.csrfFor(interaction),
    clientName: name,
    username: user?.displayName ?? user?.username ?? '',
    scopes,
    remember: remember ? formatDuration(remember) : undefined,
  });
  return reply.html(page);
}

/** The client's grant for the user (the one this interaction extends, or a new one) with what was asked. */
async function grantAsked(
  kit: InteractionKit,
  interaction: Interaction,
  accountId: string,
  clientId: string,
) {
  const { Grant } = kit.provider;
  const grant = interaction.grantId
    ? ((await Grant.find(interaction.grantId)) ?? new Grant({ accountId, clientId }))
    : new Grant({ accountId, clientId });
  const details = interaction.prompt.details as PromptDetails;
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {}))
    grant.addResourceScope(resource, scopes.join(' '));
  return grant.save();
}

export function registerConsent(app: FastifyInstance, kit: InteractionKit): void {
  onSubmit(app, kit, stepRoute('consent'), async ({ request, reply, interaction, form }) => {
    const clientId = String(interaction.params.client_id);
    const accountId = interaction.session?.accountId;
    // Consent is the step after the login: a form sent before it (or replayed) has nothing to grant.
    if (interaction.prompt.name !== 'consent' || !accountId)
      return reply.html(
        errorPage(kit.config, 'invalid_request', 'No consent is being asked for here. Sign in first.'),
        400,
      );
    if (form.decision !== 'allow')
      return kit.finish(request, reply, {
        error: 'access_denied',
        error_description: 'The user denied the request.',
      });
    const grantId = await grantAsked(kit, interaction, accountId, clientId);
    const { settings } = await kit.clientOf(clientId);
    await kit.signIn.consentGranted(accountId, interaction.params.scope, rememberSeconds(settings), {
      ...sourceOf(request, interaction),
      clientId,
    });
    return kit.finish(request, reply, { consent: { grantId } }, true);
  });
}
