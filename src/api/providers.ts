// /api/v1/providers: every OAuth2/OpenID client (Authentik's "provider"). Clients from the
// configuration file are listed read-only; database clients can be changed and their secret renewed.
import { z } from 'zod';
import { ApplicationService } from '../apps/applications.ts';
import type { PasswordHashing } from '../auth/passwords.ts';
import { globalIssuer, applicationUrls } from '../apps/urls.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriProblem, SIGNING_ALGORITHMS } from '../config/schema.ts';
import { InvalidInputError, NotFoundError, ReadOnlyError } from '../errors.ts';
import { fromConfig, fromDatabase, type SesameClient } from '../oidc/clients.ts';
import type { OAuthClient, Store } from '../store/index.ts';
import { definedOnly, route, type AnyRoute } from './routes.ts';

const redirectUri = z.object({ url: z.string(), matching_mode: z.enum(['strict', 'regex']) });
const redirectUriInput = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  z.strictObject({ url: z.string(), matching_mode: z.enum(['strict', 'regex']).default('strict') }),
);

const providerView = z.object({
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
});

const patchBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  redirect_uris: z.array(redirectUriInput).min(1).optional(),
  post_logout_redirect_uris: z.array(redirectUriInput).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  consent_mode: z.enum(['explicit', 'implicit', 'pre-configured']).optional(),
  pre_configured_consent_duration: z.number().int().min(1).optional(),
  authorization_policy: z.string().min(1).optional(),
  allowed_groups: z.array(z.string()).optional(),
  subject_mode: z.enum(['user_id', 'hashed_user_id', 'username', 'email', 'pairwise']).optional(),
  require_pkce: z.boolean().optional(),
  id_token_signed_response_alg: z.enum(SIGNING_ALGORITHMS).optional(),
  lifespans: z
    .strictObject({
      access_token: z.number().int().min(60).optional(),
      authorize_code: z.number().int().min(10).optional(),
      id_token: z.number().int().min(60).optional(),
      refresh_token: z.number().int().min(60).optional(),
    })
    .optional()
    .describe('Seconds'),
});

export function providerRoutes(config: SesameConfig, store: Store, hashing: PasswordHashing): AnyRoute[] {
  const oidc = config.identity_providers.oidc;
  const applications = new ApplicationService(store, hashing, config.externalUrl);
  const policies = ['one_factor', 'two_factor', 'deny', ...Object.keys(oidc.authorization_policies)];
  const fromFile = new Map(
    oidc.clients.map((client) => [client.client_id, fromConfig(client, oidc.lifespans.custom)]),
  );

  const view = (client: SesameClient): z.output<typeof providerView> => {
    const urls = client.applicationSlug
      ? applicationUrls(config.externalUrl, client.applicationSlug)
      : undefined;
    const issuer = urls?.issuer ?? globalIssuer(config.externalUrl);
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
      discovery_url: urls?.discovery ?? `${issuer}/.well-known/openid-configuration`,
    };
  };
  const stored = async (clientId: string): Promise<{ client: OAuthClient; slug?: string }> => {
    if (fromFile.has(clientId))
      throw new ReadOnlyError(
        `'${clientId}' is defined in the configuration file; change it there and restart`,
      );
    const client = await store.clients.findByClientId(clientId);
    if (!client) throw new NotFoundError(`there is no client '${clientId}'`);
    return { client, slug: (await store.applications.findByClientRef(client.id))?.slug };
  };
  const params = z.object({ client_id: z.string().min(1).max(100) });

  return [
    route({
      method: 'GET',
      path: '/providers',
      operationId: 'listProviders',
      summary: 'Every OAuth2/OpenID client: from the configuration file (read-only) and the database',
      tag: 'providers',
      resource: 'providers',
      access: 'read',
      response: z.object({ items: z.array(providerView) }),
      async handler() {
        const items = [...fromFile.values()].map(view);
        for (const client of await store.clients.list({ limit: 10_000 })) {
          const slug = (await store.applications.findByClientRef(client.id))?.slug;
          items.push(view(fromDatabase(client, slug)));
        }
        return { items };
      },
    }),
    route({
      method: 'GET',
      path: '/providers/{client_id}',
      operationId: 'getProvider',
      summary: 'One client with its settings and issuer URLs',
      tag: 'providers',
      resource: 'providers',
      access: 'read',
      params,
      response: providerView,
      async handler({ params: { client_id: clientId } }) {
        const configured = fromFile.get(clientId);
        if (configured) return view(configured);
        const { client, slug } = await stored(clientId);
        return view(fromDatabase(client, slug));
      },
    }),
    route({
      method: 'PATCH',
      path: '/providers/{client_id}',
      operationId: 'updateProvider',
      summary: 'Change a database client; takes effect at the next request on every node',
      tag: 'providers',
      resource: 'providers',
      access: 'write',
      params,
      body: patchBody,
      response: providerView,
      async handler({ params: { client_id: clientId }, body, actor }) {
        const { client, slug } = await stored(clientId);
        for (const entry of [...(body.redirect_uris ?? []), ...(body.post_logout_redirect_uris ?? [])]) {
          const problem = redirectUriProblem(entry);
          if (problem) throw new InvalidInputError(problem, 'redirect_uris');
        }
        if (body.authorization_policy && !policies.includes(body.authorization_policy))
          throw new InvalidInputError(
            `'${body.authorization_policy}' is not a policy (allowed: ${policies.join(', ')})`,
            'authorization_policy',
          );
        const consentMode = body.consent_mode ?? client.consentMode;
        const duration = body.pre_configured_consent_duration ?? client.preConfiguredConsentDuration;
        if (consentMode === 'pre-configured' && duration === undefined)
          throw new InvalidInputError(
            'pre-configured consent needs pre_configured_consent_duration',
            'pre_configured_consent_duration',
          );
        const updated = await store.clients.update(
          client.id,
          definedOnly({
            name: body.name,
            redirectUris: body.redirect_uris,
            postLogoutRedirectUris: body.post_logout_redirect_uris,
            scopes: body.scopes,
            consentMode: body.consent_mode,
            preConfiguredConsentDuration: body.pre_configured_consent_duration,
            authorizationPolicy: body.authorization_policy,
            allowedGroups: body.allowed_groups,
            subjectMode: body.subject_mode,
            requirePkce: body.require_pkce,
            idTokenSignedResponseAlg: body.id_token_signed_response_alg,
            lifespans: body.lifespans ? { ...client.lifespans, ...body.lifespans } : undefined,
          }),
        );
        await store.events.append({
          type: 'provider.updated',
          actor,
          subject: clientId,
          details: { fields: Object.keys(body) },
        });
        return view(fromDatabase(updated!, slug));
      },
    }),
    route({
      method: 'POST',
      path: '/providers/{client_id}/secret',
      operationId: 'regenerateProviderSecret',
      summary: 'Replace the client secret; the answer holds the new one, once',
      tag: 'providers',
      resource: 'providers',
      access: 'write',
      params,
      response: z.object({ client_id: z.string(), client_secret: z.string() }),
      async handler({ params: { client_id: clientId }, actor }) {
        await stored(clientId);
        return { client_id: clientId, client_secret: await applications.regenerateSecret(clientId, actor) };
      },
    }),
  ];
}
