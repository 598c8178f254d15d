// The admin API under /api/v1: token authentication, the resources' routes and their OpenAPI document.
import type { AdminContext } from '../http/kit.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserService } from '../auth/users.ts';
import type { BrowserSessions } from '../http/sessions.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { accessRoutes } from './access.ts';
import { applicationRoutes } from './applications.ts';
import { invitationRoutes } from './invitations.ts';
import { providerRoutes } from './providers.ts';
import { sessionRoutes } from './sessions.ts';
import { systemRoutes } from './system.ts';
import { userRoutes } from './users.ts';
import {
  API_PREFIX,
  ApiForbiddenError,
  ApiUnauthorizedError,
  ApiValidationError,
  mountRoutes,
  openApiDocument,
  type AnyRoute,
  type Principal,
} from './routes.ts';
import { ApiTokenService } from '../services/tokens.ts';

export const API_VERSION = '1.0.0';

function adminApiRoutes({ config, store, factors, reloadKeys }: AdminContext): AnyRoute[] {
  return [
    ...applicationRoutes(config, store),
    ...providerRoutes(config, store),
    ...userRoutes(config, store, factors),
    ...invitationRoutes(config, store),
    ...sessionRoutes(store),
    ...systemRoutes(config, store, reloadKeys),
    ...accessRoutes(config, store),
  ];
}

type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<Principal>;

/** Who calls: an API token, or else the admin UI's administrator, by the login session's cookie. */
function apiAuthentication(
  { store }: AdminContext,
  sessions: BrowserSessions,
  users: UserService,
): Authenticate {
  const tokens = new ApiTokenService(store);
  return async (request, reply) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const token = match ? await tokens.authenticate(match[1]!) : undefined;
      if (!token) throw new ApiUnauthorizedError('the API token is unknown, revoked or expired');
      return { kind: 'token', id: token.id, name: token.name, scopes: token.scopes };
    }
    // A change also needs the session's CSRF token in a header, which another site's page cannot
    // read or send.
    const signedIn = await sessions.current(request, reply);
    if (!signedIn)
      throw new ApiUnauthorizedError('sign in as an administrator, or send Authorization: Bearer <token>');
    if (!(await users.isAdmin(signedIn.user)))
      throw new ApiForbiddenError('only administrators may use the admin API');
    if (
      request.method !== 'GET' &&
      !sessions.csrf.valid(signedIn.sessionUid, request.headers['x-csrf-token'])
    )
      throw new ApiForbiddenError("send the session's CSRF token in the X-CSRF-Token header");
    return { kind: 'user', id: signedIn.user.id, name: signedIn.user.username, scopes: ['*:write'] };
  };
}

/** Errors as `{ error, error_description, fields? }`, the shape the OpenAPI document names. */
function apiErrors(api: FastifyInstance): void {
  api.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiUnauthorizedError)
      void reply.header('www-authenticate', `Bearer realm="sesame", error="invalid_token"`);
    if (error instanceof ApiValidationError)
      return reply
        .status(400)
        .send({ error: error.code, error_description: error.message, fields: error.fields });
    // Domain validation (from the services) names its field too.
    if (error instanceof InvalidInputError && error.field)
      return reply.status(400).send({
        error: error.code,
        error_description: error.message,
        fields: [{ field: error.field, message: error.message }],
      });
    throw error;
  });
}

export function registerAdminApi(app: FastifyInstance, context: AdminContext): void {
  const { config, store } = context;
  const routes = adminApiRoutes(context);
  const { sessions } = context.http;
  const users = new UserService(
    store,
    config.authentication_backend.password_hashing,
    config.password_policy,
  );
  void app.register((api, _options, done) => {
    // Answers carry client secrets, API tokens and personal data: never kept by a cache or browser.
    api.addHook('onRequest', (_request, reply, next) => {
      void reply.header('cache-control', 'no-store');
      next();
    });
    apiErrors(api);
    mountRoutes(api, routes, apiAuthentication(context, sessions, users));
    // The admin UI learns who is signed in and the CSRF token for its calls here.
    api.get(`${API_PREFIX}/session`, async (request, reply) => {
      const signedIn = await sessions.current(request, reply);
      if (!signedIn) throw new ApiUnauthorizedError('not signed in');
      void reply.header('cache-control', 'no-store');
      const isAdmin = await users.isAdmin(signedIn.user);
      return { username: signedIn.user.username, is_admin: isAdmin, csrf_token: signedIn.csrf };
    });
    let document: Record<string, unknown> | undefined;
    api.get(`${API_PREFIX}/openapi.json`, () => {
      document ??= openApiDocument(routes, config.externalUrl.replace(/\/+$/, ''), API_VERSION);
      return document;
    });
    api.all(`${API_PREFIX}/*`, (_request, reply) =>
      reply.status(404).send({ error: 'not_found', error_description: 'no such admin API endpoint' }),
    );
    done();
  });
}
