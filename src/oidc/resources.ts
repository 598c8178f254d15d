// Resource indicators (RFC 8707) and JWT access tokens (RFC 9068). A client's `audience` lists the
// resources it may ask for; `requested_audience_mode: implicit` grants all of them to a request that
// names none. A token for a resource is a JWT when the client sets access_token_signed_response_alg,
// signed with the issuer's keys; a token without a resource stays opaque (the only kind
// oidc-provider's userinfo endpoint accepts).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { errors, type Configuration, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { settingsOf } from './clients.ts';

/** What oidc-provider itself reads of a body (as issuers.ts's limit). */
const PROTOCOL_BODY_LIMIT = 56 * 1024;

type Features = NonNullable<Configuration['features']>;
/** An AccessToken or ClientCredentials model, as far as storing its record needs. */
type TokenLike = {
  jti?: string;
  adapter: { upsert: (id: string, payload: object, ttl: number) => Promise<void> };
} & Record<string, unknown>;

/** The audiences an implicit grant put in a request's token (oidc-provider's resource is one string). */
const implicitAudiences = new WeakMap<object, string[]>();

function isJwtClient(client: object | undefined): boolean {
  const alg = settingsOf(client).accessTokenSignedResponseAlg;
  return alg !== undefined && alg !== 'none';
}

/** Authelia's implicit mode: a request naming no resource is granted every allowed audience. */
function defaultResource(
  ctx: KoaContextWithOIDC,
  client: object,
  oneOf?: string | string[],
): string | string[] | undefined {
  const settings = settingsOf(client);
  // Several resources granted, none named at the token endpoint: one token for all of them.
  if (Array.isArray(oneOf) && oneOf.length > 0) {
    implicitAudiences.set(ctx, oneOf);
    return oneOf[0];
  }
  const audiences = settings.audience ?? [];
  if (settings.requestedAudienceMode !== 'implicit' || audiences.length === 0) return undefined;
  const front = ctx.oidc.route === 'authorization' || ctx.oidc.route === 'pushed_authorization_request';
  if (front) return audiences;
  implicitAudiences.set(ctx, audiences);
  return audiences[0];
}

async function getResourceServerInfo(ctx: KoaContextWithOIDC, resource: string, client: object) {
  const settings = settingsOf(client);
  if (!(settings.audience ?? []).includes(resource))
    throw new errors.InvalidTarget(`resource ${resource} is not among this client's audiences`);
  const scope = (client as { scope?: string }).scope ?? '';
  const alg = settings.accessTokenSignedResponseAlg;
  return Promise.resolve(
    isJwtClient(client)
      ? { scope, audience: resource, accessTokenFormat: 'jwt' as const, jwt: { sign: { alg: alg! } } }
      : { scope, audience: resource, accessTokenFormat: 'opaque' as const },
  );
}

/**
 * A JWT access token is not stored by oidc-provider; Sesame stores its record under its jti (as an
 * opaque token's) so that introspection answers for it and revocation (of it or its grant) is seen.
 */
async function rememberJwt(
  token: TokenLike,
  claims: { iat?: number; exp?: number; aud?: string | string[] },
): Promise<void> {
  const keys = (token.constructor as unknown as { IN_PAYLOAD: string[] }).IN_PAYLOAD;
  const record: Record<string, unknown> = { iat: claims.iat, exp: claims.exp };
  for (const key of keys) if (token[key] !== undefined && key !== 'format') record[key] = token[key];
  // Introspection tells the audiences the JWT names (all of them in implicit mode).
  record.aud = claims.aud;
  const ttl = Math.max(1, (claims.exp ?? 0) - Math.floor(Date.now() / 1000));
  await token.adapter.upsert(token.jti!, record, ttl);
}

export function resourceSection(): Configuration {
  const resourceIndicators: Features['resourceIndicators'] = {
    enabled: true,
    defaultResource: defaultResource as never,
    getResourceServerInfo: getResourceServerInfo as never,
    // A code granted for resources gives a token for them, also when the token request names none.
    useGrantedResource: (ctx) => Promise.resolve(isJwtClient(ctx.oidc.client)),
  };
  return {
    features: { resourceIndicators },
    formats: {
      customizers: {
        jwt: async (ctx, token, jwt) => {
          const widened = implicitAudiences.get(ctx);
          if (widened && widened.length > 1) jwt.payload.aud = widened;
          await rememberJwt(token as unknown as TokenLike, jwt.payload);
        },
      },
    },
  };
}

/** The jti of a JWT this issuer signed, by its unverified claims (it only names the stored record). */
export function jwtTokenId(value: string, issuer: string): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    return claims.iss === issuer && typeof claims.jti === 'string' ? claims.jti : undefined;
  } catch {
    return undefined;
  }
}

/** A view of `req` with another body (and its length). */
function withBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return Object.create(req, {
    headers: { value: { ...headers, 'content-length': String(body.length) } },
    readable: { value: true, writable: true },
    readableEncoding: { value: null },
    iterator: { value: () => Readable.from([body]).iterator({ destroyOnReturn: false }) },
  }) as IncomingMessage;
}

/**
 * oidc-provider refuses every JWT at introspection and revocation. A JWT access token of this issuer
 * is stored under its jti (rememberJwt): hand the engine that id instead, so it answers from the
 * stored record (active until it expires or it or its grant is revoked).
 */
export function acceptJwtAccessTokens(provider: Provider, paths: string[]): void {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && paths.includes(ctx.path) && ctx.is('application/x-www-form-urlencoded')) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > PROTOCOL_BODY_LIMIT) throw new errors.InvalidRequest('the request body is too large');
        chunks.push(chunk);
      }
      let body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const jti = jwtTokenId(form.get('token') ?? '', provider.issuer);
      if (jti) {
        form.set('token', jti);
        body = Buffer.from(form.toString());
      }
      ctx.req = ctx.request.req = withBody(ctx.req, body);
    }
    await next();
  });
}
