// The two URL worlds on one server:
//   global issuer (Authelia style)  https://sso.example.com            /.well-known/…, /api/oidc/…, /jwks.json
//   per-application (Authentik)     https://sso.example.com/application/o/<slug>/
//       discovery and keys under /application/o/<slug>/, shared endpoints /application/o/{authorize,token,…}
// Each issuer is its own oidc-provider instance, created on first use and forgotten when its
// application is deleted. A shared endpoint is routed by the client the request is for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type Provider from 'oidc-provider';
import { RequestTooLargeError } from '../lib/errors.ts';
import {
  applicationUrls,
  ENDPOINTS,
  globalIssuer,
  isFrontChannelPath,
  type SharedRoute,
} from '../config/urls.ts';
import { applicationLayout, createProvider, GLOBAL_LAYOUT, type ProviderContext } from './provider.ts';

const APPLICATION_PREFIX = ENDPOINTS.applicationPrefix;
const DISCOVERY_PATHS = new Set<string>(ENDPOINTS.discovery);

/** Authentik's shared endpoints (by their path segment) and where each lives on the global issuer. */
const SHARED_ENDPOINTS: Record<string, string> = Object.fromEntries(
  Object.entries(ENDPOINTS.shared).map(([route, path]) => [
    path.slice(1),
    ENDPOINTS.global[route as SharedRoute],
  ]),
);

/** What oidc-provider itself reads of a body; the HTTP layer refuses a larger Content-Length. */
export const PROTOCOL_BODY_LIMIT = 56 * 1024;

/** The GET a posted request becomes must stay well under Node's 16 KiB request-header limit. */
const FRONT_CHANNEL_QUERY_LIMIT = 8 * 1024;

interface Instance {
  provider: Provider;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

function instance(provider: Provider): Instance {
  const callback = provider.callback();
  return {
    provider,
    handle: (req, res) => {
      void callback(req, res);
    },
  };
}

/** The body, up to the limit; past it, stops reading (the rest stays unread) and throws. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > PROTOCOL_BODY_LIMIT) throw new RequestTooLargeError(PROTOCOL_BODY_LIMIT);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A view of `req` whose body can be read again (we peeked at it to find the client). */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  return Object.create(req, {
    readable: { value: true, writable: true },
    readableEncoding: { value: null },
    iterator: { value: () => Readable.from([body]).iterator({ destroyOnReturn: false }) },
  }) as IncomingMessage;
}

function basicClientId(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: the id is form-urlencoded before base64.
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function assertionSubject(assertion: string | null): string | undefined {
  const payload = assertion?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

export class Issuers {
  global: Instance;
  readonly globalIssuer: string;
  private context: ProviderContext;
  private readonly applications = new Map<string, Instance & { applicationId: string }>();

  constructor(context: ProviderContext) {
    this.context = {
      ...context,
      issuerFor: async (slug) =>
        slug === undefined ? this.global.provider : (await this.forApplication(slug))?.provider,
    };
    this.globalIssuer = globalIssuer(context.config.externalUrl);
    this.global = instance(createProvider(this.globalIssuer, GLOBAL_LAYOUT, this.context));
  }

  /** Starts signing with a new key set (after a rotation): every issuer is rebuilt with it. */
  useKeys(keys: ProviderContext['keys']): void {
    this.context = { ...this.context, keys };
    this.global = instance(createProvider(this.globalIssuer, GLOBAL_LAYOUT, this.context));
    this.applications.clear();
  }

  /** The application's issuer, or undefined when no such application exists (any more). */
  async forApplication(slug: string): Promise<Instance | undefined> {
    const application = await this.context.clients.application(slug);
    const cached = this.applications.get(slug);
    if (!application) {
      this.applications.delete(slug);
      return undefined;
    }
    if (cached?.applicationId === application.id) return cached;
    const issuer = applicationUrls(this.context.config.externalUrl, slug).issuer;
    const created = {
      ...instance(createProvider(issuer, applicationLayout(slug), this.context)),
      applicationId: application.id,
    };
    this.applications.set(slug, created);
    return created;
  }

  /** Serves a protocol request; answers 404 for an unknown application. */
  async dispatch(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    // A body of unannounced length (chunked) is read here, so one over the limit is refused as
    // soon as it passes it (a Content-Length over the limit never gets this far).
    const req =
      incoming.headers['transfer-encoding'] !== undefined
        ? replay(incoming, await readBody(incoming))
        : incoming;
    const url = new URL(req.url ?? '/', 'http://sesame.invalid');
    const path = url.pathname;
    if (req.method === 'POST' && isFrontChannelPath(path)) return postedAsGet(req, res, url);
    if (!path.startsWith(`${APPLICATION_PREFIX}/`))
      return this.run(this.global, req, res, '', req.url ?? '/');

    const rest = path.slice(APPLICATION_PREFIX.length);
    const [, first = '', ...more] = rest.split('/');
    if (first in SHARED_ENDPOINTS) return this.dispatchShared(first, more, req, res, url);

    const target = await this.forApplication(first);
    if (!target) return notFound(res, `there is no application with slug '${first}'`);
    const inner = `/${more.join('/')}`;
    // Discovery sits at the issuer (…/application/o/<slug>/); the other routes keep the slug.
    const innerPath = DISCOVERY_PATHS.has(inner.replace(/\/$/, '')) ? inner.replace(/\/$/, '') : rest;
    return this.run(target, req, res, APPLICATION_PREFIX, innerPath + url.search);
  }

  private async dispatchShared(
    endpoint: string,
    more: string[],
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    let request = req;
    let clientId: string | undefined;
    const uid = endpoint === 'authorize' ? more.find(Boolean) : undefined;
    if (uid) {
      // Returning from the login page: the interaction remembers the client.
      const interaction = await this.context.store.artifacts.find('Interaction', uid);
      clientId = (interaction?.payload.params as { client_id?: string } | undefined)?.client_id;
    } else {
      clientId = basicClientId(req.headers.authorization) ?? url.searchParams.get('client_id') ?? undefined;
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      let form: URLSearchParams | undefined;
      if (
        !clientId &&
        req.method === 'POST' &&
        /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')
      ) {
        const body = await readBody(req);
        request = replay(req, body);
        form = new URLSearchParams(body.toString('utf8'));
        clientId = form.get('client_id') ?? assertionSubject(form.get('client_assertion'));
      }
      const accessToken = bearer ?? form?.get('access_token') ?? undefined;
      if (!clientId && endpoint === 'userinfo' && accessToken) {
        const token = await this.context.store.artifacts.find('AccessToken', accessToken);
        clientId = (token?.payload as { clientId?: string } | undefined)?.clientId;
      }
    }
    const client = clientId ? await this.context.clients.find(clientId) : undefined;
    const tail = more
      .filter(Boolean)
      .map((segment) => `/${segment}`)
      .join('');
    if (client?.applicationSlug) {
      const target = await this.forApplication(client.applicationSlug);
      if (target)
        return this.run(target, request, res, APPLICATION_PREFIX, `/${endpoint}${tail}${url.search}`);
    }
    // A client without an application speaks to the global issuer, whichever path it used.
    return this.run(this.global, request, res, '', `${SHARED_ENDPOINTS[endpoint]}${tail}${url.search}`);
  }

  private run(
    target: Instance,
    req: IncomingMessage,
    res: ServerResponse,
    mount: string,
    innerUrl: string,
  ): void {
    // oidc-provider derives its mount point from originalUrl minus url: that is how endpoint URLs
    // in discovery come out as /application/o/… for every per-application issuer.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = mount + innerUrl;
    req.url = innerUrl;
    target.handle(req, res);
  }
}

/**
 * A posted authorization or logout request is sent back to the same endpoint as a GET (303) with
 * the same parameters. oidc-provider serves POST itself only with SameSite=None session cookies;
 * the GET that follows a 303 is a top-level navigation, so the browser brings the SameSite=Lax
 * session along and single sign-on keeps working when the POST came from another site.
 */
async function postedAsGet(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
    return invalidRequest(
      res,
      'a POST to this endpoint must be form-encoded (application/x-www-form-urlencoded)',
    );
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return invalidRequest(res, 'the request body is too large');
  }
  const parameters = new URLSearchParams(url.search);
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) parameters.append(name, value);
  const query = parameters.toString();
  if (query.length > FRONT_CHANNEL_QUERY_LIMIT)
    return invalidRequest(
      res,
      `the parameters are longer than ${FRONT_CHANNEL_QUERY_LIMIT} bytes; push them first (pushed authorization requests, RFC 9126)`,
    );
  res.statusCode = 303;
  res.setHeader('location', `${url.pathname}?${query}`);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

function invalidRequest(res: ServerResponse, description: string): void {
  res.statusCode = 400;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: 'invalid_request', error_description: description }));
}

function notFound(res: ServerResponse, description: string): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: 'not_found', error_description: description }));
}
