// The HTTP server: what every request goes through first (body limits, cached discovery, security
// headers, the request log), then the protocol engine, the pages, the admin API and the health checks.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type RawServerDefault,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import formbody from '@fastify/formbody';
import { registerAdminApi } from '../api/index.ts';
import type { PasswordAuthenticator } from '../auth/login.ts';
import type { AuthorizationPolicies } from '../auth/policy.ts';
import type { Factors } from '../factors/index.ts';
import type { SesameConfig } from '../config/load.ts';
import { isClientAbort, RequestTooLargeError, SesameError } from '../lib/errors.ts';
import { isProtocolPath, PROTOCOL_ROUTES } from '../config/urls.ts';
import { PROTOCOL_BODY_LIMIT, type Issuers } from '../oidc/issuers.ts';
import type { Store } from '../store/index.ts';
import { registerInteractions } from '../web/interactions/index.ts';
import { registerAdminPages } from '../web/admin/index.ts';
import { registerAssets } from '../web/assets.ts';
import { errorPage } from '../web/pages.ts';
import { registerPortalPages } from '../web/portal/index.ts';
import { registerPasswordReset } from '../web/reset-password/index.ts';
import { registerSignUpPages } from '../web/sign-up/index.ts';
import { registerForwardAuth } from '../web/forward-auth.ts';
import { registerVerifyEmail } from '../web/verify-email.ts';
import { emailVerificationOf } from '../services/email-verification.ts';
import { ForwardAuthSessions } from '../auth/forward-auth-sessions.ts';
import { ForwardAuthPortal, ForwardAuthService, type AccessDecider } from '../services/forward-auth.ts';
import { SignInService } from '../services/sign-in.ts';
import { isClosing } from './connections.ts';
import { createListener, listenerSettings } from './listener.ts';
import { fieldProblem } from '../http/forms.ts';
import { createHttpKit, registerHttpKit } from '../http/kit.ts';
import { setSecurityHeaders } from '../http/security-headers.ts';
import { redactUrl, type Logger } from '../lib/logger.ts';
import { ResponseCache } from './response-cache.ts';
import { recordAnswer } from './request-metrics.ts';

export interface ServerContext {
  config: SesameConfig;
  store: Store;
  logger: Logger;
  issuers: Issuers;
  authenticator: PasswordAuthenticator;
  factors: Factors;
  policies: AuthorizationPolicies;
  /** Starts signing with rotated keys at once (otherwise within a minute). */
  reloadKeys: () => Promise<boolean>;
  /** The access_control rules the authorization endpoints decide by. */
  accessControl: AccessDecider;
  /** Cached discovery and JWKS answers; the runtime clears it when keys change. */
  responses?: ResponseCache;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The largest body Sesame reads: the admin API's JSON (forms are held to less by their parser). */
const BODY_LIMIT = 1024 * 1024;
const FORM_BODY_LIMIT = 64 * 1024;

/**
 * Answers 413 at once, before any of the body is read, and closes the connection: reading the rest
 * (to keep the connection alive) would let a client make the server swallow any amount of data.
 */
function refuseTooLarge(res: ServerResponse, limit: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error = new RequestTooLargeError(limit);
  const body = JSON.stringify({ error: error.code, error_description: error.message });
  res.writeHead(413, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/** The request's id: the one a proxy sent, when it looks like one, or a new one. */
function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The one log line of a request answered without Fastify (the same as the onResponse hook's). */
function logEarly(logger: Logger, req: IncomingMessage, res: ServerResponse, id: string, started: number) {
  recordAnswer(req, res.statusCode, undefined, (performance.now() - started) / 1000);
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      request_id: id,
      method: req.method,
      url: redactUrl(req.url ?? '/'),
      status: res.statusCode,
      ip: req.socket.remoteAddress, // the peer (a proxy, if there is one)
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
}

/**
 * Answers what needs no routing: a body announced over the limit (refused before any of it is
 * read) and cached discovery documents and key sets. True when the response was sent.
 */
function earlyAnswer(logger: Logger, responses: ResponseCache) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const limit = isProtocolPath(path) ? PROTOCOL_BODY_LIMIT : BODY_LIMIT;
    const tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    const key = tooLarge ? undefined : ResponseCache.keyOf(req);
    if (!tooLarge && key === undefined) return false;
    const id = requestIdOf(req);
    if (tooLarge) {
      res.setHeader('x-request-id', id);
      refuseTooLarge(res, limit);
    } else if (!responses.serve(key!, req, res, { 'x-request-id': id })) return false;
    logEarly(logger, req, res, id, started);
    return true;
  };
}

function createFastify(
  config: SesameConfig,
  logger: Logger,
  answerEarly: (req: IncomingMessage, res: ServerResponse) => boolean,
): FastifyInstance {
  const trusted = config.server.trusted_proxies;
  const csp = config.server.headers.csp_template;
  return Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    // Cached discovery documents and key sets are answered before any routing: they are most of
    // the traffic an identity provider sees, and a map lookup is all they need. Every answer,
    // whoever writes it (Fastify, oidc-provider, the cache), starts with the security headers.
    // A response sent before its request's body was read closes the connection (see ClosingResponse).
    serverFactory: (handler) =>
      createListener(listenerSettings(config), (req, res) => {
        if (isClosing(req)) return void req.resume();
        setSecurityHeaders(res, csp);
        if (!answerEarly(req, res)) handler(req, res);
      }) as RawServerDefault,
    bodyLimit: BODY_LIMIT,
    loggerInstance: logger,
    // Behind a TLS-terminating proxy, X-Forwarded-* is believed only from the listed addresses.
    trustProxy: trusted.length > 0 ? trusted : false,
    requestIdHeader: false,
    genReqId: requestIdOf,
    forceCloseConnections: 'idle',
    // Our onResponse hook writes one line per request with the URL's credentials masked.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
  });
}

/** The request id on every answer, and one line per request, after the response, credentials masked. */
function addRequestLogging(app: FastifyInstance, logger: Logger): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request: FastifyRequest, reply, done) => {
    recordAnswer(request.raw, reply.statusCode, request.routeOptions.url, reply.elapsedTime / 1000);
    if (!logger.isLevelEnabled('info')) return done();
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ip: request.ip,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof SesameError) {
    return reply.status(error.status).send({ error: error.code, error_description: error.message });
  }
  const status = (error as { statusCode?: number }).statusCode ?? 500;
  // A body over the limit (counted as it arrives, when no Content-Length announced it).
  if (status === 413)
    return refuseTooLarge(
      reply.hijack().raw,
      request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? FORM_BODY_LIMIT
        : BODY_LIMIT,
    );
  if (isClientAbort(error, request.raw)) {
    request.log.debug({ err: error }, 'client went away');
    reply.hijack().raw.destroy();
    return;
  }
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.status(status).send({
    error: status >= 500 ? 'server_error' : 'invalid_request',
    error_description: status >= 500 ? 'internal error' : (error as Error).message,
  });
}

/**
 * A page's body is a form of text fields, one value each: anything else (a field sent twice, which
 * the parsers turn into a list; a JSON body's numbers, objects or booleans; a body that is not a
 * set of fields) is refused here, once, rather than reaching a handler that expects text. The admin
 * forms' bodies may hold lists (URI rows, scopes, groups), read through one()/many(). (The admin
 * API validates its own input; the protocol routes never get this far.)
 */
function refuseNonTextFields(app: FastifyInstance, config: SesameConfig): void {
  app.addHook('preValidation', (request, reply, done) => {
    if (request.url.startsWith('/api/')) return done();
    const problem =
      fieldProblem('query', request.query, false) ??
      (request.body === undefined
        ? undefined
        : fieldProblem('form', request.body, request.url.startsWith('/admin/')));
    if (problem === undefined) return done();
    void reply
      .status(400)
      .header('cache-control', 'no-store')
      .type('text/html')
      .send(errorPage(config, 'invalid_request', problem));
  });
}

/** Hands a protocol request to the issuers, answering what they throw. */
function dispatchProtocol(issuers: Issuers, request: FastifyRequest, reply: FastifyReply): void {
  issuers.dispatch(request.raw, reply.raw).catch((error: unknown) => {
    if (error instanceof RequestTooLargeError) return refuseTooLarge(reply.raw, PROTOCOL_BODY_LIMIT);
    if (isClientAbort(error, request.raw)) {
      request.log.debug({ err: error }, 'client went away');
      reply.raw.destroy();
      return;
    }
    request.log.error({ err: error }, 'protocol request failed');
    if (!reply.raw.headersSent) {
      reply.raw.statusCode = 500;
      reply.raw.setHeader('content-type', 'application/json');
      reply.raw.end(JSON.stringify({ error: 'server_error', error_description: 'internal error' }));
    }
  });
}

/**
 * The protocol endpoints belong to oidc-provider: hand over the raw request before Fastify reads
 * its body.
 */
function mountProtocol(app: FastifyInstance, issuers: Issuers, responses: ResponseCache): void {
  for (const url of PROTOCOL_ROUTES) {
    app.route({
      method: ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'PUT'],
      url,
      onRequest: (request, reply, done) => {
        if (!isProtocolPath(request.url.split('?')[0]!)) return done();
        reply.hijack();
        // (Before the forwarded headers are rewritten: the key is made of the raw request.)
        const cacheKey = ResponseCache.keyOf(request.raw);
        // oidc-provider (Koa) trusts X-Forwarded-*; give it the values Fastify derived under
        // server.trusted_proxies, so a client cannot spoof the scheme or host of endpoint URLs.
        request.raw.headers['x-forwarded-proto'] = request.protocol;
        request.raw.headers['x-forwarded-host'] = request.host;
        request.raw.headers['x-forwarded-for'] = request.ip;
        // (The onResponse hook logs hijacked requests too.)
        reply.raw.setHeader('x-request-id', request.id);
        if (cacheKey !== undefined) responses.record(cacheKey, reply.raw);
        dispatchProtocol(issuers, request, reply);
      },
      handler: () => undefined,
    });
  }
}

/** The front door, and the health endpoints a load balancer or orchestrator asks. */
function registerHealth(app: FastifyInstance, store: Store): void {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await withTimeout(store.ping(), 2000);
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'storage is not reachable');
      return reply.status(503).send({ status: 'unavailable', reason: 'storage is not reachable' });
    }
  });
}

/** The authorization endpoints' service and the sign-in side of forward-auth, over one session store. */
function forwardAuthServices(context: ServerContext) {
  const { config, store } = context;
  const deps = {
    cookies: config.session?.cookies ?? [],
    accessControl: context.accessControl,
    sessions: new ForwardAuthSessions(store),
    signIn: new SignInService(context),
    users: store.users,
  };
  const service = new ForwardAuthService(deps);
  return { service, portal: new ForwardAuthPortal(service, deps) };
}

export function buildServer(context: ServerContext): FastifyInstance {
  const { config, store, logger, issuers } = context;
  const responses = context.responses ?? new ResponseCache();
  // Discovery documents name what exists: drop them whenever clients or applications change,
  // wherever the change was made (the store's change feed).
  store.changes.on('clients', () => responses.clear());
  const app = createFastify(config, logger, earlyAnswer(logger, responses));
  addRequestLogging(app, logger);
  app.setErrorHandler(handleError);

  void app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  registerHttpKit(app, config.identity_providers.oidc.hmac_secret);
  refuseNonTextFields(app, config);

  mountProtocol(app, issuers, responses);
  // The kit's sessions, CSRF tokens and one-time notes, shared by every page area and the API.
  const http = createHttpKit(issuers.global.provider, store, config.identity_providers.oidc.hmac_secret);
  const pages = { ...context, http };
  registerInteractions(app, pages);
  registerAssets(app);
  registerPortalPages(app, pages);
  registerPasswordReset(app, pages);
  registerSignUpPages(app, pages);
  registerAdminPages(app, pages);
  registerAdminApi(app, pages);
  registerVerifyEmail(app, {
    config,
    verification: emailVerificationOf(config, store, logger),
    csrf: http.sessions.csrf,
  });
  // The front door (`/`: the portal, or forward-auth's sign-in entry with `rd`) and the authz endpoints.
  registerForwardAuth(app, { config, ...forwardAuthServices(context), sessions: http.sessions });
  registerHealth(app, store);
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
