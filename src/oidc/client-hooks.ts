// Where Sesame changes how oidc-provider's Client behaves: hashed secrets (compared and regulated
// here), back-channel logout from the issuer the client signed in with, and regex redirect URIs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { errors, type default as Provider } from 'oidc-provider';
import { redirectUriAllowed } from '../config/redirect-uris.ts';
import { constantTimeEqual } from '../crypto/compare.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/index.ts';
import type { ClientSecretVerifier, SecretCheck } from './client-secrets.ts';
import { settingsOf } from './clients.ts';

export interface ClientHookContext {
  store: Store;
  secrets: ClientSecretVerifier;
  logger: Logger;
  /** The instance a client belongs to: its application's issuer, or the global one. */
  issuerFor?: (applicationSlug: string | undefined) => Promise<Provider | undefined>;
}

type ClientPrototype = Provider['Client']['prototype'];

/** oidc-provider's own implementation of a Client method, to call from an override. */
function originalMethod<Args extends unknown[] = [string], Result = boolean>(
  prototype: object,
  name: string,
): (this: unknown, ...args: Args) => Result {
  return Object.getOwnPropertyDescriptor(prototype, name)?.value as (this: unknown, ...args: Args) => Result;
}

/** Installs every client override on this instance. */
export function installClientHooks(
  provider: Provider,
  applicationSlug: string | undefined,
  context: ClientHookContext,
): void {
  compareHashedSecrets(provider, context);
  backchannelLogoutFromOwner(provider.Client.prototype, applicationSlug, context);
  matchRedirectPatterns(provider.Client.prototype);
}

/**
 * Hashed secrets: oidc-provider holds the digest as the "secret"; Sesame compares (and regulates
 * wrong ones, see client-secrets.ts). Plain secrets cost nothing to compare and are not regulated.
 */
function compareHashedSecrets(provider: Provider, context: ClientHookContext): void {
  // Client authentication compares secrets with no request at hand; regulation needs its address.
  const requestIp = new AsyncLocalStorage<string | undefined>();
  provider.use((ctx, next) => requestIp.run(ctx.ip, next));
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(
    this: { clientId: string; clientSecret?: string; sesame?: unknown },
    actual: string,
  ) {
    const expected = this.clientSecret;
    if (!expected) return false;
    const clientIp = requestIp.getStore();
    const hashed = settingsOf(this).secretIsDigest;
    const check = hashed
      ? await context.secrets.verify(actual, expected, { clientId: this.clientId, clientIp })
      : { ok: constantTimeEqual(actual, expected) };
    if (check.ok) return true;
    // Plain secrets are not regulated: their refusal is the protocol error event alone, so a stream
    // of them writes one row a request, not two.
    if (hashed) await auditClientSecret(context, this.clientId, clientIp, check);
    // The client hears what a wrong secret gets; the detail is for the operator's log and events.
    if (check.refused)
      throw new errors.InvalidClientAuth(
        `secret not checked: client authentication is banned by ${check.refused.by} until ${check.refused.until.toISOString()} after repeated failures`,
      );
    return false;
  };
}

/**
 * A checked wrong secret is an event, and so is the ban it may begin; refusals during a ban are not
 * (the protocol error event records each with the ban's detail). Never the secret itself.
 */
async function auditClientSecret(
  context: ClientHookContext,
  clientId: string,
  clientIp: string | undefined,
  check: SecretCheck,
): Promise<void> {
  if (check.refused) return;
  const events = [{ type: 'client.auth_failed', subject: clientId, clientIp, details: {} }];
  if (check.banned) {
    const { by, until } = check.banned;
    events.push({
      type: 'client.banned',
      subject: clientId,
      clientIp,
      details: { by, until: until.toISOString() },
    });
    context.logger.warn(
      { client_id: clientId, by, ip: clientIp, until },
      'client authentication banned after repeated wrong secrets',
    );
  }
  // A storage problem must not turn the client's invalid_client into a server error.
  for (const event of events)
    await context.store.events
      .append(event)
      .catch((error: unknown) =>
        context.logger.warn({ err: error }, 'recording a client authentication event failed'),
      );
}

/**
 * A logout token must come from the issuer the client signed in with, whichever issuer's
 * end-session endpoint the user used.
 */
function backchannelLogoutFromOwner(
  prototype: ClientPrototype,
  applicationSlug: string | undefined,
  context: ClientHookContext,
): void {
  const own = originalMethod<[string, string], Promise<unknown>>(prototype, 'backchannelLogout');
  prototype.backchannelLogout = async function backchannelLogout(
    this: { clientId: string; sesame?: unknown },
    sub: string,
    sid: string,
  ) {
    const slug = settingsOf(this).applicationSlug;
    const owner = slug === applicationSlug ? undefined : await context.issuerFor?.(slug);
    const ownersClient = owner ? await owner.Client.find(this.clientId) : undefined;
    if (ownersClient)
      return (
        ownersClient as unknown as { backchannelLogout(sub: string, sid: string): Promise<unknown> }
      ).backchannelLogout(sub, sid);
    return own.call(this, sub, sid);
  };
}

/**
 * Regex redirect URIs (Authentik's "Regex" mode), fully anchored RE2, beside the exact ones.
 * Over-long values are refused before any matching (invalid_redirect_uri).
 */
function matchRedirectPatterns(prototype: ClientPrototype): void {
  const exactRedirect = originalMethod(prototype, 'redirectUriAllowed');
  prototype.redirectUriAllowed = function allowed(this: { sesame?: unknown }, value: string) {
    const exact = (uri: string) => exactRedirect.call(this, uri);
    return redirectUriAllowed(value, exact, settingsOf(this).redirectPatterns ?? []);
  };
  const exactLogout = originalMethod(prototype, 'postLogoutRedirectUriAllowed');
  prototype.postLogoutRedirectUriAllowed = function allowed(this: { sesame?: unknown }, value: string) {
    const exact = (uri: string) => exactLogout.call(this, uri);
    return redirectUriAllowed(value, exact, settingsOf(this).postLogoutPatterns ?? []);
  };
}
