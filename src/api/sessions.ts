// /api/v1/sessions and /api/v1/consents: login sessions (listed by their public uid, never by the
// cookie value) and remembered consents.
import { z } from 'zod';
import { ConsentService } from '../services/consents.ts';
import { SessionService, type LoginSession } from '../services/sessions.ts';
import type { Store } from '../store/index.ts';
import { isoTime, operations, pageLimit, type AnyRoute } from './routes.ts';

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

export function sessionView(session: LoginSession): z.output<typeof sessionViewSchema> {
  return {
    id: session.id,
    user_id: session.userId,
    username: session.username,
    login_at: isoTime(session.loginAt),
    amr: session.amr,
    acr: session.acr,
    expires_at: isoTime(session.expiresAt),
    clients: session.clients,
  };
}

function loginSessionRoutes(sessions: SessionService): AnyRoute[] {
  const { read, write } = operations('sessions');
  return [
    read({
      method: 'GET',
      path: '/sessions',
      operationId: 'listSessions',
      summary: 'Live login sessions, newest first',
      query: z.object({ limit: pageLimit, offset: z.coerce.number().int().min(0).default(0) }),
      response: z.object({ items: z.array(sessionViewSchema), next_offset: z.number().optional() }),
      async handler({ query }) {
        const { items, nextOffset } = await sessions.list(query);
        return { items: items.map(sessionView), next_offset: nextOffset };
      },
    }),
    write({
      method: 'DELETE',
      path: '/sessions/{id}',
      operationId: 'revokeSession',
      summary: 'End a login session: the next authorization asks for a login again',
      params: z.object({ id: z.string().min(1).max(200) }),
      async handler({ params, actor }) {
        await sessions.revoke(params.id, actor);
      },
    }),
  ];
}

const consentView = z.object({
  client_id: z.string(),
  scopes: z.array(z.string()),
  expires_at: z.string().optional(),
});

function consentRoutes(consents: ConsentService): AnyRoute[] {
  const { read, write } = operations('consents');
  const username = z.string().min(1).max(100);
  return [
    read({
      method: 'GET',
      path: '/users/{username}/consents',
      operationId: 'listUserConsents',
      summary: 'Consents remembered for a user (clients with consent_mode pre-configured)',
      params: z.object({ username }),
      response: z.object({ items: z.array(consentView) }),
      async handler({ params }) {
        const items = (await consents.list(params.username)).map((consent) => ({
          client_id: consent.clientId,
          scopes: consent.scopes,
          expires_at: isoTime(consent.expiresAt),
        }));
        return { items };
      },
    }),
    write({
      method: 'DELETE',
      path: '/users/{username}/consents/{client_id}',
      operationId: 'revokeUserConsent',
      summary: 'Forget a remembered consent: the user is asked again',
      params: z.object({ username, client_id: z.string().min(1).max(100) }),
      async handler({ params, actor }) {
        await consents.revoke(params.username, params.client_id, actor);
      },
    }),
  ];
}

export function sessionRoutes(store: Store): AnyRoute[] {
  return [...loginSessionRoutes(new SessionService(store)), ...consentRoutes(new ConsentService(store))];
}
