// Errors that teach, in the audit log: a refused protocol request becomes an event whose message
// says what was sent and what is registered, so the admin UI's event log explains the mismatch.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { isClientAbort } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/index.ts';
import { describeRegistered } from '../config/redirect-uris.ts';

type ProtocolError = Error & { error?: string; error_description?: string; error_detail?: string };

interface ClientLike {
  clientId?: string;
  clientName?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  sesame?: { redirectPatterns?: string[]; postLogoutPatterns?: string[] };
}

export function describeProtocolError(
  event: string,
  issuer: string,
  ctx: KoaContextWithOIDC | undefined,
  error: ProtocolError,
): { subject?: string; details: Record<string, unknown> } {
  const client = ctx?.oidc?.client as ClientLike | undefined;
  const params = (ctx?.oidc?.params ?? {}) as Record<string, unknown>;
  const clientId = client?.clientId ?? (typeof params.client_id === 'string' ? params.client_id : undefined);
  const code = error.error ?? error.name;
  const description = error.error_description ?? error.message;
  const named = clientId
    ? `client ${clientId}${client?.clientName ? ` (${client.clientName})` : ''}`
    : 'no client';
  const sent = (name: string) => (typeof params[name] === 'string' ? params[name] : undefined);
  let message: string;
  let list: string[] | undefined;
  if (code === 'invalid_redirect_uri' && client && event !== 'end_session.error') {
    list = describeRegistered(client.redirectUris, client.sesame?.redirectPatterns);
    message = sent('redirect_uri')
      ? `redirect_uri ${sent('redirect_uri')} is not registered for ${named}; registered: ${list.join(', ') || 'none'}`
      : `the request has no redirect_uri and ${named} has several; registered: ${list.join(', ')}`;
  } else if (
    sent('post_logout_redirect_uri') &&
    code === 'invalid_request' &&
    client &&
    event === 'end_session.error'
  ) {
    list = describeRegistered(client.postLogoutRedirectUris, client.sesame?.postLogoutPatterns);
    message = `post_logout_redirect_uri ${sent('post_logout_redirect_uri')} is not registered for ${named}; registered: ${list.join(', ') || 'none'}`;
  } else if (code === 'invalid_client' && !client && clientId) {
    message = `client_id ${clientId} is not registered at ${issuer}`;
  } else {
    message = `${code}: ${description}${error.error_detail ? ` (${error.error_detail})` : ''} — ${named}`;
  }
  return {
    subject: clientId,
    details: {
      message,
      endpoint: event.replace(/\.error$/, ''),
      error: code,
      description,
      detail: error.error_detail,
      client_id: clientId,
      issuer,
      redirect_uri: sent('redirect_uri'),
      registered: list,
    },
  };
}

/** Appends the event; never lets a storage problem break the protocol's own error answer. */
async function recordProtocolError(
  store: Store,
  event: string,
  issuer: string,
  ctx: KoaContextWithOIDC | undefined,
  error: ProtocolError,
): Promise<void> {
  const { subject, details } = describeProtocolError(event, issuer, ctx, error);
  await store.events
    .append({ type: 'protocol.error', subject, clientIp: ctx?.ip, details })
    .catch(() => undefined);
}

const ERROR_EVENTS = [
  'authorization.error',
  'backchannel.error',
  'discovery.error',
  'end_session.error',
  'grant.error',
  'introspection.error',
  'jwks.error',
  'pushed_authorization_request.error',
  'revocation.error',
  'userinfo.error',
  'server_error',
] as const;

/** Errors that teach: the operator's log says what was sent and why it was refused (never a secret). */
export function listenForErrors(provider: Provider, issuer: string, store: Store, logger: Logger): void {
  for (const event of ERROR_EVENTS) {
    provider.on(event as 'grant.error', (ctx: KoaContextWithOIDC, error: ProtocolError) => {
      // A client that went away mid-request is no refusal (nor anything the admin must read about).
      if (ctx?.req && isClientAbort(error, ctx.req)) {
        logger.debug({ event, issuer, err: error }, 'client went away');
        return;
      }
      const details = {
        event,
        issuer,
        client_id: ctx.oidc?.client?.clientId ?? ctx.oidc?.params?.client_id,
        error: error.error ?? error.name,
        description: error.error_description ?? error.message,
        detail: error.error_detail,
        redirect_uri: event === 'authorization.error' ? ctx.oidc?.params?.redirect_uri : undefined,
      };
      if (event === 'server_error') logger.error({ ...details, err: error }, 'protocol error');
      else logger.warn(details, 'protocol request refused');
      void recordProtocolError(store, event, issuer, ctx, error);
    });
  }
  // Koa's last-resort errors (a response that could not be finished, mostly because the client
  // left): into the log like the rest, instead of printed to standard error.
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: Error, ctx?: KoaContextWithOIDC) => {
    if (ctx?.req && isClientAbort(error, ctx.req)) logger.debug({ issuer, err: error }, 'client went away');
    else logger.error({ issuer, err: error }, 'protocol request failed');
  });
}
