// One declaration per admin API operation: its zod schemas validate the request and, converted to
// JSON Schema, make the OpenAPI document, so the two cannot drift apart.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SesameError } from '../lib/errors.ts';
import { scopeAllows, type ApiAccess, type ApiResource } from '../services/tokens.ts';

/** Who is calling: an API token, or an administrator's browser session (the admin UI). */
export interface Principal {
  kind: 'token' | 'user';
  id: string;
  name: string;
  scopes: string[];
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** How audit events name the caller. */
  actor: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

/** What an operation declares beyond its resource (see `operations`). */
export interface ApiOperation<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** OpenAPI style, relative to /api/v1: `/applications/{slug}`. */
  path: string;
  operationId: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status and schema of the successful answer; `undefined` schema means no body (204). */
  status?: number;
  response?: Schema;
  handler(input: RouteInput<Out<P>, Out<Q>, Out<B>>): Promise<unknown>;
}

export interface ApiRoute<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
> extends ApiOperation<P, Q, B> {
  tag: string;
  resource: ApiResource;
  access: ApiAccess;
}

export type AnyRoute = ApiRoute<Schema | undefined, Schema | undefined, Schema | undefined>;

function route<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  definition: ApiRoute<P, Q, B>,
): AnyRoute {
  return definition;
}

/** The operations of one resource: each gets the resource's tag and scope, read or write. */
export function operations(resource: ApiResource): { read: Operation; write: Operation } {
  const at =
    (access: ApiAccess): Operation =>
    (definition) =>
      route({ ...definition, tag: resource, resource, access });
  return { read: at('read'), write: at('write') };
}

type Operation = <P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  definition: ApiOperation<P, Q, B>,
) => AnyRoute;

/** Page sizes of the list operations. */
export const pageLimit = z.coerce.number().int().min(1).max(500).default(100);

/** An optional date as the API writes it. */
export function isoTime(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

export const API_PREFIX = '/api/v1';

/** The most problems one answer lists: a body of thousands of unknown keys gets a short answer. */
const MAX_REPORTED_FIELDS = 20;

export class ApiValidationError extends SesameError {
  readonly fields: { field: string; message: string }[];
  constructor(where: string, issues: z.core.$ZodIssue[]) {
    const all = issues.flatMap((issue) => {
      const path = issue.path.map(String);
      const field = (name: string[]) => (name.length > 0 ? name.join('.') : where);
      // An unknown key is reported against its parent; name the key itself, as a config error does
      // (zod's message lists every unknown key: repeated per key, it grows with their square).
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((key) => ({ field: field([...path, key]), message: 'Unrecognized key' }));
      return [{ field: field(path), message: issue.message }];
    });
    const fields = all.slice(0, MAX_REPORTED_FIELDS);
    const more = all.length - fields.length;
    const description = fields.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
    super('invalid_request', more > 0 ? `${description}; and ${more} more` : description, 400);
    this.fields = fields;
  }
}

function parse<S extends Schema | undefined>(schema: S, value: unknown, where: string): Out<S> {
  if (!schema) return undefined as Out<S>;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw new ApiValidationError(where, result.error.issues);
  return result.data as Out<S>;
}

export class ApiUnauthorizedError extends SesameError {
  constructor(description: string) {
    super('invalid_token', description, 401);
  }
}

export class ApiForbiddenError extends SesameError {
  constructor(description: string) {
    super('insufficient_scope', description, 403);
  }
}

export function mountRoutes(
  app: FastifyInstance,
  routes: AnyRoute[],
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<Principal>,
): void {
  for (const definition of routes) {
    app.route({
      method: definition.method,
      url: API_PREFIX + definition.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1'),
      handler: async (request, reply) => {
        const principal = await authenticate(request, reply);
        if (!scopeAllows(principal.scopes, definition.resource, definition.access))
          throw new ApiForbiddenError(
            `this operation needs the scope ${definition.resource}:${definition.access} (or *:${definition.access})`,
          );
        const input = {
          params: parse(definition.params, request.params, 'path'),
          query: parse(definition.query, request.query, 'query'),
          body: parse(definition.body, request.body, 'body'),
          principal,
          actor: `${principal.kind}:${principal.name}`,
          request,
          reply,
        };
        const result = await definition.handler(input);
        if (definition.response === undefined) return reply.status(definition.status ?? 204).send();
        return reply.status(definition.status ?? 200).send(result);
      },
    });
  }
}

function jsonSchema(schema: Schema, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
    fields: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The operation's path and query parameters, from its schemas. */
function parametersOf(definition: AnyRoute): Record<string, unknown>[] {
  const parameters: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', definition.params],
    ['query', definition.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(object.properties ?? {}))
      parameters.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
  }
  return parameters;
}

function operationOf(definition: AnyRoute): Record<string, unknown> {
  const parameters = parametersOf(definition);
  const status = String(definition.status ?? (definition.response ? 200 : 204));
  return {
    operationId: definition.operationId,
    summary: definition.summary,
    tags: [definition.tag],
    security: [{ bearer: [`${definition.resource}:${definition.access}`] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(definition.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(definition.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [status]: definition.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: jsonSchema(definition.response, 'output') } },
          }
        : { description: 'Done' },
      '400': errorResponse('The request is not valid; `fields` names each problem'),
      '401': errorResponse('No valid API token'),
      '403': errorResponse('The token lacks the scope this operation needs'),
      '404': errorResponse('Not found'),
    },
  };
}

/** OpenAPI 3.1: the routes' own schemas, so what is documented is what is enforced. */
export function openApiDocument(
  routes: AnyRoute[],
  serverUrl: string,
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const definition of routes) {
    paths[definition.path] ??= {};
    paths[definition.path]![definition.method.toLowerCase()] = operationOf(definition);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sesame admin API', version },
    servers: [{ url: serverUrl + API_PREFIX }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token from `sesame tokens create` (shown once); scopes are <resource>:<read|write>.',
        },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
