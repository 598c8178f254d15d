// The admin API under /api/v1: token authentication, the resources' routes and their OpenAPI document.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { applicationRoutes } from './applications.ts';
import {
  API_PREFIX,
  ApiUnauthorizedError,
  ApiValidationError,
  mountRoutes,
  openApiDocument,
  type Principal,
} from './routes.ts';
import { ApiTokenService } from './tokens.ts';

export const API_VERSION = '1.0.0';

export function registerAdminApi(
  app: FastifyInstance,
  context: { config: SesameConfig; store: Store },
): void {
  const { config, store } = context;
  const tokens = new ApiTokenService(store);
  const routes = [...applicationRoutes(config, store)];

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const match = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiUnauthorizedError('send an API token: Authorization: Bearer <token>');
    const token = await tokens.authenticate(match[1]!);
    if (!token) throw new ApiUnauthorizedError('the API token is unknown, revoked or expired');
    return { kind: 'token', id: token.id, name: token.name, scopes: token.scopes };
  }

  void app.register((api, _options, done) => {
    api.setErrorHandler((error, request, reply) => {
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
    // Fastify's own body parsing errors (bad JSON, wrong content type) keep the same shape.
    mountRoutes(api, routes, authenticate);
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
