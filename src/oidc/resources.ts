// Resource indicators (RFC 8707) and JWT access tokens (RFC 9068). A client's `audience` lists the
// resources it may ask for; `requested_audience_mode: implicit` grants all of them to a request that
// names none. A token for a resource is a JWT when the client sets access_token_signed_response_alg,
// signed with the issuer's keys; a token without a resource stays opaque (the only kind
// oidc-provider's userinfo endpoint accepts).
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { settingsOf } from './clients.ts';

type Features = NonNullable<Configuration['features']>;
type TokenLike = { jti?: string; exp?: number; iat?: number; format?: string } & Record<string, unknown>;

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
async function rememberJwt(token: TokenLike & { adapter: { upsert: Function } }): Promise<void> {
  const keys = (token.constructor as unknown as { IN_PAYLOAD: string[] }).IN_PAYLOAD;
  const record: Record<string, unknown> = { iat: token.iat, exp: token.exp };
  for (const key of keys) if (token[key] !== undefined && key !== 'format') record[key] = token[key];
  const ttl = Math.max(1, (token.exp ?? 0) - Math.floor(Date.now() / 1000));
  await (token.adapter.upsert as (id: string, payload: object, ttl: number) => Promise<void>)(
    token.jti!,
    record,
    ttl,
  );
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
          await rememberJwt(token as unknown as TokenLike & { adapter: { upsert: Function } });
        },
      },
    },
  };
}

/** The jti of a JWT (unverified: it only names the stored record, whose claims are what count). */
export function jwtTokenId(value: string): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { jti?: unknown };
    return typeof payload.jti === 'string' ? payload.jti : undefined;
  } catch {
    return undefined;
  }
}
