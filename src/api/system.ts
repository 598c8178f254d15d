// /api/v1/keys, /api/v1/events and /api/v1/tokens.
import { z } from 'zod';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { SigningKeyService } from '../oidc/keys.ts';
import type { Store } from '../store/index.ts';
import { route, type AnyRoute } from './routes.ts';
import { ApiTokenService, SCOPE_HELP } from '../services/tokens.ts';

const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  created_by: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string().optional(),
  last_used_at: z.string().optional(),
  revoked_at: z.string().optional(),
});

export function systemRoutes(
  config: SesameConfig,
  store: Store,
  onKeysRotated: () => Promise<unknown>,
): AnyRoute[] {
  const tokens = new ApiTokenService(store);
  const oidc = config.identity_providers.oidc;
  const overlap = Math.max(
    oidc.lifespans.id_token,
    oidc.lifespans.access_token,
    oidc.lifespans.refresh_token,
  );
  return [
    route({
      method: 'GET',
      path: '/keys',
      operationId: 'listSigningKeys',
      summary: 'Signing keys (public parts only)',
      tag: 'keys',
      resource: 'keys',
      access: 'read',
      response: z.object({
        source: z.enum(['database', 'configuration']),
        items: z.array(
          z.object({
            kid: z.string(),
            algorithm: z.string(),
            status: z.string(),
            created_at: z.string(),
            retired_at: z.string().optional(),
            public_jwk: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
      async handler() {
        const keys = await store.signingKeys.list();
        return {
          source: oidc.jwks.length > 0 ? ('configuration' as const) : ('database' as const),
          items: keys.map((key) => ({
            kid: key.kid,
            algorithm: key.algorithm,
            status: key.status,
            created_at: key.createdAt.toISOString(),
            retired_at: key.retiredAt?.toISOString(),
            public_jwk: JSON.parse(key.publicJwk) as Record<string, unknown>,
          })),
        };
      },
    }),
    route({
      method: 'POST',
      path: '/keys/rotate',
      operationId: 'rotateSigningKeys',
      summary: 'Generate new signing keys; the old ones keep verifying until their tokens expire',
      tag: 'keys',
      resource: 'keys',
      access: 'write',
      response: z.object({ added: z.array(z.string()), retired: z.array(z.string()) }),
      async handler({ actor }) {
        if (oidc.jwks.length > 0)
          throw new InvalidInputError(
            'keys come from identity_providers.oidc.jwks: rotate them in the configuration file',
          );
        const result = await new SigningKeyService(store, overlap).rotate(actor);
        await onKeysRotated();
        return result;
      },
    }),
    route({
      method: 'GET',
      path: '/events',
      operationId: 'listEvents',
      summary: 'The audit log, newest first; `before` is the last id of the previous page',
      tag: 'events',
      resource: 'events',
      access: 'read',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.coerce.number().int().min(1).optional(),
        type: z.string().max(100).optional(),
        subject: z.string().max(200).optional(),
      }),
      response: z.object({
        items: z.array(
          z.object({
            id: z.number(),
            occurred_at: z.string(),
            type: z.string(),
            actor: z.string().optional(),
            subject: z.string().optional(),
            client_ip: z.string().optional(),
            request_id: z.string().optional(),
            details: z.record(z.string(), z.unknown()),
          }),
        ),
        next_before: z.number().optional(),
      }),
      async handler({ query }) {
        const events = await store.events.list({ ...query, limit: query.limit + 1 });
        const items = events.slice(0, query.limit);
        return {
          items: items.map((event) => ({
            id: event.id,
            occurred_at: event.occurredAt.toISOString(),
            type: event.type,
            actor: event.actor,
            subject: event.subject,
            client_ip: event.clientIp,
            request_id: event.requestId,
            details: event.details,
          })),
          next_before: events.length > query.limit ? items[items.length - 1]!.id : undefined,
        };
      },
    }),
    route({
      method: 'GET',
      path: '/tokens',
      operationId: 'listApiTokens',
      summary: 'API tokens (never the tokens themselves)',
      tag: 'tokens',
      resource: 'tokens',
      access: 'read',
      response: z.object({ items: z.array(tokenView) }),
      async handler() {
        return {
          items: (await tokens.list()).map((token) => ({
            id: token.id,
            name: token.name,
            scopes: token.scopes,
            created_by: token.createdBy,
            created_at: token.createdAt.toISOString(),
            expires_at: token.expiresAt?.toISOString(),
            last_used_at: token.lastUsedAt?.toISOString(),
            revoked_at: token.revokedAt?.toISOString(),
          })),
        };
      },
    }),
    route({
      method: 'POST',
      path: '/tokens',
      operationId: 'createApiToken',
      summary: 'Create an API token; the answer holds it, once',
      tag: 'tokens',
      resource: 'tokens',
      access: 'write',
      body: z.strictObject({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(z.string()).min(1).describe(SCOPE_HELP),
        expires_at: z.iso.datetime().optional(),
      }),
      status: 201,
      response: z.object({ id: z.string(), token: z.string(), scopes: z.array(z.string()) }),
      async handler({ body, actor }) {
        const { token, record } = await tokens.create(
          {
            name: body.name,
            scopes: body.scopes,
            expiresAt: body.expires_at ? new Date(body.expires_at) : undefined,
          },
          actor,
        );
        return { id: record.id, token, scopes: record.scopes };
      },
    }),
    route({
      method: 'DELETE',
      path: '/tokens/{id}',
      operationId: 'revokeApiToken',
      summary: 'Revoke an API token at once',
      tag: 'tokens',
      resource: 'tokens',
      access: 'write',
      params: z.object({ id: z.string().min(1).max(100) }),
      async handler({ params, actor }) {
        await tokens.revoke(params.id, actor);
      },
    }),
  ];
}
