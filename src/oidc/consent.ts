// Consent: whether an authorization request needs the consent page, by the client's consent mode,
// and remembered consent for `pre-configured` clients (kept per user and client, for the client's
// configured duration, independent of the login session).
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { Repositories, Store } from '../store/index.ts';
import { settingsOf } from './clients.ts';

const MODEL = 'RememberedConsent';

export async function rememberConsent(
  repositories: Repositories,
  accountId: string,
  clientId: string,
  scopes: string[],
  durationSeconds: number,
): Promise<void> {
  await repositories.artifacts.upsert({
    model: MODEL,
    id: `${accountId}:${clientId}`,
    payload: { scopes },
    expiresAt: new Date(Date.now() + durationSeconds * 1000),
  });
}

async function rememberedConsent(
  store: Store,
  accountId: string,
  clientId: string,
): Promise<{ scopes: string[] } | undefined> {
  const artifact = await store.artifacts.find(MODEL, `${accountId}:${clientId}`);
  return artifact ? { scopes: (artifact.payload.scopes as string[] | undefined) ?? [] } : undefined;
}

/** A user's remembered consents, by client id. */
export async function rememberedConsents(
  repositories: Repositories,
  accountId: string,
): Promise<{ clientId: string; scopes: string[]; expiresAt?: Date }[]> {
  const consents = await repositories.artifacts.listByIdPrefix(MODEL, `${accountId}:`);
  return consents.map((consent) => ({
    clientId: consent.id.slice(accountId.length + 1),
    scopes: (consent.payload.scopes as string[] | undefined) ?? [],
    expiresAt: consent.expiresAt,
  }));
}

/** Forgets a remembered consent; false when there was none. */
export async function forgetConsent(
  repositories: Repositories,
  accountId: string,
  clientId: string,
): Promise<boolean> {
  const id = `${accountId}:${clientId}`;
  if (!(await repositories.artifacts.find(MODEL, id))) return false;
  await repositories.artifacts.destroy(MODEL, id);
  return true;
}

function requestedScope(ctx: KoaContextWithOIDC): string {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope : '';
}

/** Grants these scopes and the claims the request asks for by name. */
function grantRequested(grant: Grant, scope: string, ctx: KoaContextWithOIDC): void {
  grant.addOIDCScope(scope);
  // RFC 8707: the requested resources (checked against the client's audiences) get the scopes they accept.
  for (const [resource, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
    const accepted = new Set((server.scope ?? '').split(' '));
    const granted = scope.split(' ').filter((item) => accepted.has(item));
    if (granted.length > 0) grant.addResourceScope(resource, granted.join(' '));
  }
  if (ctx.oidc.claims)
    grant.addOIDCClaims(Object.keys({ ...ctx.oidc.claims.id_token, ...ctx.oidc.claims.userinfo }));
}

/**
 * oidc-provider's loadExistingGrant: the grant that lets this request through without the consent
 * page, or undefined to show it.
 */
export function grantLoader(store: Store) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const client = ctx.oidc.client!;
    const mode = settingsOf(client).consentMode;
    const session = ctx.oidc.session!;
    const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    // `explicit` asks every time, unless the consent was just given in this very interaction.
    if (mode === 'explicit' && !ctx.oidc.result?.consent?.grantId) return undefined;
    if (existing) {
      // `implicit` never asks: what is requested now joins what was granted before.
      if (mode === 'implicit') {
        grantRequested(existing, requestedScope(ctx), ctx);
        await existing.save();
      }
      return existing;
    }
    return newGrant(store, ctx, mode);
  };
}

/** A grant made without asking: always for `implicit`, within a remembered consent for `pre-configured`. */
async function newGrant(
  store: Store,
  ctx: KoaContextWithOIDC,
  mode: string | undefined,
): Promise<Grant | undefined> {
  const clientId = ctx.oidc.client!.clientId;
  const accountId = ctx.oidc.session!.accountId!;
  const remembered =
    mode === 'pre-configured' ? await rememberedConsent(store, accountId, clientId) : undefined;
  if (mode !== 'implicit' && !remembered) return undefined;
  const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
  const requested = requestedScope(ctx);
  const scope = remembered
    ? requested
        .split(' ')
        .filter((item) => remembered.scopes.includes(item))
        .join(' ')
    : requested;
  grantRequested(grant, scope, ctx);
  await grant.save();
  return grant;
}
