// /api/v1/keys, /api/v1/events and /api/v1/tokens.
import { z } from 'zod';
import type { SesameConfig } from '../config/load.ts';
import { EventService } from '../services/events.ts';
import { KeyService } from '../services/keys.ts';
import { ApiTokenService, SCOPE_HELP } from '../services/tokens.ts';
import type { AuditEvent, Store } from '../store/index.ts';
import { isoTime, operations, pageLimit, type AnyRoute } from './routes.ts';

const keyView = z.object({
  kid: z.string(),
  algorithm: z.string(),
  status: z.string(),
  created_at: z.string(),
  retired_at: z.string().optional(),
  public_jwk: z.record(z.string(), z.unknown()),
});

function keyRoutes(keys: KeyService, onKeysRotated: () => Promise<unknown>): AnyRoute[] {
  const { read, write } = operations('keys');
  return [
    read({
      method: 'GET',
      path: '/keys',
      operationId: 'listSigningKeys',
      summary: 'Signing keys (public parts only)',
      response: z.object({ source: z.enum(['database', 'configuration']), items: z.array(keyView) }),
      async handler() {
        return {
          source: keys.fromConfiguration ? ('configuration' as const) : ('database' as const),
          items: (await keys.list()).map((key) => ({
            kid: key.kid,
            algorithm: key.algorithm,
            status: key.status,
            created_at: key.createdAt.toISOString(),
            retired_at: isoTime(key.retiredAt),
            public_jwk: JSON.parse(key.publicJwk) as Record<string, unknown>,
          })),
        };
      },
    }),
    write({
      method: 'POST',
      path: '/keys/rotate',
      operationId: 'rotateSigningKeys',
      summary: 'Generate new signing keys; the old ones keep verifying until their tokens expire',
      response: z.object({ added: z.array(z.string()), retired: z.array(z.string()) }),
      async handler({ actor }) {
        const result = await keys.rotate(actor);
        await onKeysRotated();
        return result;
      },
    }),
  ];
}

const eventView = z.object({
  id: z.number(),
  occurred_at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  subject: z.string().optional(),
  client_ip: z.string().optional(),
  request_id: z.string().optional(),
  details: z.record(z.string(), z.unknown()),
});

function eventOut(event: AuditEvent): z.output<typeof eventView> {
  return {
    id: event.id,
    occurred_at: event.occurredAt.toISOString(),
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    client_ip: event.clientIp,
    request_id: event.requestId,
    details: event.details,
  };
}

function eventRoutes(events: EventService): AnyRoute[] {
  return [
    operations('events').read({
      method: 'GET',
      path: '/events',
      operationId: 'listEvents',
      summary: 'The audit log, newest first; `before` is the last id of the previous page',
      query: z.object({
        limit: pageLimit,
        before: z.coerce.number().int().min(1).optional(),
        type: z.string().max(100).optional(),
        subject: z.string().max(200).optional(),
      }),
      response: z.object({ items: z.array(eventView), next_before: z.number().optional() }),
      async handler({ query }) {
        const { items, nextBefore } = await events.list(query);
        return { items: items.map(eventOut), next_before: nextBefore };
      },
    }),
  ];
}

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

function tokenRoutes(tokens: ApiTokenService): AnyRoute[] {
  const { read, write } = operations('tokens');
  return [
    read({
      method: 'GET',
      path: '/tokens',
      operationId: 'listApiTokens',
      summary: 'API tokens (never the tokens themselves)',
      response: z.object({ items: z.array(tokenView) }),
      async handler() {
        const items = (await tokens.list()).map((token) => ({
          id: token.id,
          name: token.name,
          scopes: token.scopes,
          created_by: token.createdBy,
          created_at: token.createdAt.toISOString(),
          expires_at: isoTime(token.expiresAt),
          last_used_at: isoTime(token.lastUsedAt),
          revoked_at: isoTime(token.revokedAt),
        }));
        return { items };
      },
    }),
    write({
      method: 'POST',
      path: '/tokens',
      operationId: 'createApiToken',
      summary: 'Create an API token; the answer holds it, once',
      body: z.strictObject({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(z.string()).min(1).describe(SCOPE_HELP),
        expires_at: z.iso.datetime().optional(),
      }),
      status: 201,
      response: z.object({ id: z.string(), token: z.string(), scopes: z.array(z.string()) }),
      async handler({ body, actor }) {
        const expiresAt = body.expires_at ? new Date(body.expires_at) : undefined;
        const { token, record } = await tokens.create(
          { name: body.name, scopes: body.scopes, expiresAt },
          actor,
        );
        return { id: record.id, token, scopes: record.scopes };
      },
    }),
    write({
      method: 'DELETE',
      path: '/tokens/{id}',
      operationId: 'revokeApiToken',
      summary: 'Revoke an API token at once',
      params: z.object({ id: z.string().min(1).max(100) }),
      async handler({ params, actor }) {
        await tokens.revoke(params.id, actor);
      },
    }),
  ];
}

export function systemRoutes(
  config: SesameConfig,
  store: Store,
  onKeysRotated: () => Promise<unknown>,
): AnyRoute[] {
  return [
    ...keyRoutes(new KeyService(store, config), onKeysRotated),
    ...eventRoutes(new EventService(store)),
    ...tokenRoutes(new ApiTokenService(store)),
  ];
}
