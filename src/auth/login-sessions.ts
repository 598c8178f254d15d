// A user's login sessions as the admin pages and the portal show them (listed by their public uid,
// never by the cookie value).
import type { Artifact, Store } from '../store/index.ts';

/** A login session as lists show it: by its public uid, never by the cookie's value. */
export interface LoginSession {
  /** The session's public uid: what lists show and revocations name. */
  id: string;
  /** The stored artifact's id (the cookie's value): never shown. */
  storeId: string;
  userId: string;
  username?: string;
  loginAt?: Date;
  amr: string[];
  acr?: string;
  expiresAt?: Date;
  /** Clients this session signed in to. */
  clients: string[];
}

/** What oidc-provider keeps in a Session artifact, as far as Sesame reads it. */
export interface SessionPayload {
  accountId?: string;
  uid?: string;
  loginTs?: number;
  amr?: string[];
  acr?: string;
  authorizations?: Record<string, unknown>;
}

export function loginSession(session: Artifact, username?: string): LoginSession {
  const payload = session.payload as SessionPayload;
  return {
    id: payload.uid ?? session.uid ?? '',
    storeId: session.id,
    userId: payload.accountId ?? '',
    username,
    loginAt: payload.loginTs ? new Date(payload.loginTs * 1000) : undefined,
    amr: payload.amr ?? [],
    acr: payload.acr,
    expiresAt: session.expiresAt,
    clients: Object.keys(payload.authorizations ?? {}),
  };
}

/** A user's live sessions, newest first. */
export async function sessionsOf(
  store: Store,
  user: { id: string; username?: string },
  limit = 100,
): Promise<LoginSession[]> {
  const sessions = await store.artifacts.listSessions({ accountId: user.id, limit });
  return sessions.map((session) => loginSession(session, user.username));
}

/** The sign-in methods of a session (its `amr`) in words. */
export function methodsLabel(amr: string[]): string {
  const names: Record<string, string> = {
    pwd: 'password',
    otp: 'authenticator code',
    hwk: 'passkey',
    swk: 'passkey',
    user: 'user verification',
    mfa: 'two factors',
  };
  return amr.map((method) => names[method] ?? method).join(', ') || 'unknown';
}
