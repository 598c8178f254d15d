// /api/v1/providers: every OAuth2/OpenID client (Authentik's "provider"). Clients from the
// configuration file are listed read-only; database clients can be changed and their secret renewed.
// Each route parses its input and calls one method of ProviderService.
import { z } from 'zod';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriView as redirectUri } from '../config/redirect-uris.ts';
import { clientIssuer, providerPatch, ProviderService } from '../services/providers.ts';
import { CLIENT_SETTINGS, clientSettingValues } from '../apps/client-settings.ts';
import type { SesameClient } from '../oidc/clients.ts';
import type { Store } from '../store/index.ts';
import { operations, type AnyRoute } from './routes.ts';

export const providerView = z.object({
  client_id: z.string(),
  name: z.string(),
  source: z
    .enum(['config', 'database'])
    .describe('`config` clients come from the configuration file: read-only'),
  read_only: z.boolean(),
  client_type: z.enum(['public', 'confidential']),
  application: z.string().optional(),
  redirect_uris: z.array(redirectUri),
  post_logout_redirect_uris: z.array(redirectUri),
  scopes: z.array(z.string()),
  grant_types: z.array(z.string()),
  consent_mode: z.string(),
  authorization_policy: z.string(),
  allowed_groups: z.array(z.string()),
  subject_mode: z.string(),
  require_pkce: z.boolean(),
  token_endpoint_auth_method: z.string(),
  id_token_signed_response_alg: z.string(),
  lifespans: z.record(z.string(), z.number()),
  issuer: z.string(),
  discovery_url: z.string(),
  // The YAML client's further settings, when set.
  ...Object.fromEntries(
    CLIENT_SETTINGS.map((setting) => [
      setting.key,
      (setting.kind === 'list'
        ? z.array(z.string())
        : setting.kind === 'json'
          ? z.array(z.record(z.string(), z.unknown()))
          : setting.kind === 'boolean'
            ? z.boolean()
            : z.string()
      ).optional(),
    ]),
  ),
});

/** A client as the API shows it, with the issuer its app uses. */
function viewOf(externalUrl: string, client: SesameClient): z.output<typeof providerView> {
  const { issuer, discovery } = clientIssuer(externalUrl, client);
  return {
    client_id: client.clientId,
    name: client.name,
    source: client.source,
    read_only: client.source === 'config',
    client_type: client.public ? 'public' : 'confidential',
    application: client.applicationSlug,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    scopes: client.scopes,
    grant_types: client.grantTypes,
    consent_mode: client.consentMode,
    authorization_policy: client.authorizationPolicy,
    allowed_groups: client.allowedGroups,
    subject_mode: client.subjectMode,
    require_pkce: client.requirePkce,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    lifespans: Object.fromEntries(
      Object.entries(client.lifespans).filter(([, value]) => value !== undefined),
    ),
    issuer,
    discovery_url: discovery,
    ...clientSettingValues(client),
  };
}

const params = z.object({ client_id: z.string().min(1).max(100) });
const providerOps = operations('providers');
type View = (client: SesameClient) => z.output<typeof providerView>;

const listRoute = (providers: ProviderService, view: View) =>
  providerOps.read({
    method: 'GET',
    path: '/providers',
    operationId: 'listProviders',
    summary: 'Every OAuth2/OpenID client: from the configuration file (read-only) and the database',
    response: z.object({ items: z.array(providerView) }),
    async handler() {
      return { items: (await providers.list()).map(view) };
    },
  });

const getRoute = (providers: ProviderService, view: View) =>
  providerOps.read({
    method: 'GET',
    path: '/providers/{client_id}',
    operationId: 'getProvider',
    summary: 'One client with its settings and issuer URLs',
    params,
    response: providerView,
    async handler({ params: { client_id: clientId } }) {
      return view(await providers.get(clientId));
    },
  });

const updateRoute = (providers: ProviderService, view: View) =>
  providerOps.write({
    method: 'PATCH',
    path: '/providers/{client_id}',
    operationId: 'updateProvider',
    summary: 'Change a database client; takes effect at the next request on every node',
    params,
    body: providerPatch,
    response: providerView.extend({
      client_secret: z.string().optional().describe('Only when the client was made confidential'),
    }),
    async handler({ params: { client_id: clientId }, body, actor }) {
      const { client, clientSecret } = await providers.update(clientId, body, actor);
      return { ...view(client), client_secret: clientSecret };
    },
  });

const secretRoute = (providers: ProviderService) =>
  providerOps.write({
    method: 'POST',
    path: '/providers/{client_id}/secret',
    operationId: 'regenerateProviderSecret',
    summary: 'Replace the client secret; the answer holds the new one, once',
    params,
    response: z.object({ client_id: z.string(), client_secret: z.string() }),
    async handler({ params: { client_id: clientId }, actor }) {
      return { client_id: clientId, client_secret: await providers.regenerateSecret(clientId, actor) };
    },
  });

export function providerRoutes(config: SesameConfig, store: Store): AnyRoute[] {
  const providers = new ProviderService(config, store);
  const view: View = (client) => viewOf(config.externalUrl, client);
  return [
    listRoute(providers, view),
    getRoute(providers, view),
    updateRoute(providers, view),
    secretRoute(providers),
  ];
}
