// /api/v1/sessions and /api/v1/consents: login sessions (listed by their public uid, never by the
// cookie value) and remembered consents.
import { z } from 'zod';
import { NotFoundError } from '../lib/errors.ts';
import type { Artifact, Store, User } from '../store/index.ts';
import { route, type AnyRoute } from './routes.ts';

export const sessionViewSchema = z.object({
  id: z.string().describe("The session's public id (not its cookie)"),
  user_id: z.string(),
  username: z.string().optional(),
  login_at: z.string().optional(),
  amr: z.array(z.string()),
  acr: z.string().optional(),
  expires_at: z.string().optional(),
  clients: z.array(z.string()).describe('Clients this session signed in to'),
});

export function sessionView(session: Artifact, user?: User): z.output<typeof sessionViewSchema> {
  const payload = session.payload as {
    accountId?: string;
    uid?: string;
    loginTs?: number;
    amr?: string[];
    acr?: string;
    authorizations?: Record<string, unknown>;
  };
  return {
    id: payload.uid ?? '',
    user_id: payload.accountId ?? '',
    username: user?.username,
    login_at: payload.loginTs ? new Date(payload.loginTs * 1000).toISOString() : undefined,
    amr: payload.amr ?? [],
    acr: payload.acr,
    expires_at: session.expiresAt?.toISOString(),
    clients: Object.keys(payload.authorizations ?? {}),
  };
}

const CONSENT_MODEL = 'RememberedConsent';

export function sessionRoutes(store: Store): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/sessions',
      operationId: 'listSessions',
      summary: 'Live login sessions, newest first',
      tag: 'sessions',
      resource: 'sessions',
      access: 'read',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({ items: z.array(sessionViewSchema), next_offset: z.number().optional() }),
      async handler({ query }) {
        const sessions = await store.artifacts.listSessions({ limit: query.limit + 1, offset: query.offset });
        const users = new Map<string, User | undefined>();
        const items = [];
        for (const session of sessions.slice(0, query.limit)) {
          const accountId = (session.payload as { accountId?: string }).accountId ?? '';
          if (!users.has(accountId)) users.set(accountId, await store.users.get(accountId));
          items.push(sessionView(session, users.get(accountId)));
        }
        return { items, next_offset: sessions.length > query.limit ? query.offset + query.limit : undefined };
      },
    }),
    route({
      method: 'DELETE',
      path: '/sessions/{id}',
      operationId: 'revokeSession',
      summary: 'End a login session: the next authorization asks for a login again',
      tag: 'sessions',
      resource: 'sessions',
      access: 'write',
      params: z.object({ id: z.string().min(1).max(200) }),
      async handler({ params, actor }) {
        const session = await store.artifacts.findByUid('Session', params.id);
        if (!session) throw new NotFoundError(`there is no live session '${params.id}'`);
        await store.artifacts.destroy('Session', session.id);
        await store.events.append({
          type: 'session.revoked',
          actor,
          subject: (session.payload as { accountId?: string }).accountId,
          details: { session: params.id },
        });
      },
    }),
    route({
      method: 'GET',
      path: '/users/{username}/consents',
      operationId: 'listUserConsents',
      summary: 'Consents remembered for a user (clients with consent_mode pre-configured)',
      tag: 'consents',
      resource: 'consents',
      access: 'read',
      params: z.object({ username: z.string().min(1).max(100) }),
      response: z.object({
        items: z.array(
          z.object({ client_id: z.string(), scopes: z.array(z.string()), expires_at: z.string().optional() }),
        ),
      }),
      async handler({ params }) {
        const user = await store.users.findByUsername(params.username);
        if (!user) throw new NotFoundError(`there is no user named '${params.username}'`);
        const consents = await store.artifacts.listByIdPrefix(CONSENT_MODEL, `${user.id}:`);
        return {
          items: consents.map((consent) => ({
            client_id: consent.id.slice(user.id.length + 1),
            scopes: (consent.payload.scopes as string[] | undefined) ?? [],
            expires_at: consent.expiresAt?.toISOString(),
          })),
        };
      },
    }),
    route({
      method: 'DELETE',
      path: '/users/{username}/consents/{client_id}',
      operationId: 'revokeUserConsent',
      summary: 'Forget a remembered consent: the user is asked again',
      tag: 'consents',
      resource: 'consents',
      access: 'write',
      params: z.object({ username: z.string().min(1).max(100), client_id: z.string().min(1).max(100) }),
      async handler({ params, actor }) {
        const user = await store.users.findByUsername(params.username);
        if (!user) throw new NotFoundError(`there is no user named '${params.username}'`);
        const id = `${user.id}:${params.client_id}`;
        if (!(await store.artifacts.find(CONSENT_MODEL, id)))
          throw new NotFoundError(`${params.username} has no remembered consent for '${params.client_id}'`);
        await store.artifacts.destroy(CONSENT_MODEL, id);
        await store.events.append({
          type: 'consent.revoked',
          actor,
          subject: user.username,
          details: { client_id: params.client_id },
        });
      },
    }),
  ];
}
