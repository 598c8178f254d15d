// A user's login sessions as the admin pages and the portal show them (listed by their public uid,
// never by the cookie value).
import type { Store } from '../store/index.ts';

/** A login session as the pages show it. */
export interface SessionRow {
  id: string;
  storeId: string;
  loginAt?: Date;
  expiresAt?: Date;
  amr: string[];
  clients: string[];
}

export async function sessionsOf(store: Store, userId: string): Promise<SessionRow[]> {
  const sessions = await store.artifacts.listSessions({ accountId: userId, limit: 100 });
  return sessions.map((session) => {
    const payload = session.payload as {
      uid?: string;
      loginTs?: number;
      amr?: string[];
      authorizations?: Record<string, unknown>;
    };
    return {
      id: payload.uid ?? session.uid ?? '',
      storeId: session.id,
      loginAt: payload.loginTs ? new Date(payload.loginTs * 1000) : undefined,
      expiresAt: session.expiresAt,
      amr: payload.amr ?? [],
      clients: Object.keys(payload.authorizations ?? {}),
    };
  });
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
