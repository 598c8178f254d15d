// Errors that teach, in the audit log: a refused protocol request becomes an event whose message
// says what was sent and what is registered, so the admin UI's event log explains the mismatch.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store/index.ts';
import { PATTERN_ONLY_PLACEHOLDER } from './clients.ts';

type ProtocolError = Error & { error?: string; error_description?: string; error_detail?: string };

interface ClientLike {
  clientId?: string;
  clientName?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  sesame?: { redirectPatterns?: string[]; postLogoutPatterns?: string[] };
}

/** The URIs a client accepts, regular expressions written anchored as they are matched. */
function registered(exact: string[] | undefined, patterns: string[] | undefined): string[] {
  return [
    ...(exact ?? []).filter((uri) => uri !== PATTERN_ONLY_PLACEHOLDER),
    ...(patterns ?? []).map((pattern) => `^${pattern}$`),
  ];
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
    list = registered(client.redirectUris, client.sesame?.redirectPatterns);
    message = sent('redirect_uri')
      ? `redirect_uri ${sent('redirect_uri')} is not registered for ${named}; registered: ${list.join(', ') || 'none'}`
      : `the request has no redirect_uri and ${named} has several; registered: ${list.join(', ')}`;
  } else if (
    sent('post_logout_redirect_uri') &&
    code === 'invalid_request' &&
    client &&
    event === 'end_session.error'
  ) {
    list = registered(client.postLogoutRedirectUris, client.sesame?.postLogoutPatterns);
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
export async function recordProtocolError(
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
