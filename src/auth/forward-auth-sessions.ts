// The forward-auth cookie of a cookie domain (session.cookies[]): its own random token naming the
// one login session (oidc-provider's, the one the OpenID Connect apps use). The store keeps only the
// token's digest, linked to the login session's uid: when the login session ends (sign-out, expiry,
// an administrator ending it) every forward-auth cookie of it stops working at once, on every node.
import { createHash } from 'node:crypto';
import type { SessionCookie } from '../config/session-schema.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store, User } from '../store/index.ts';
import type { SessionPayload } from './login-sessions.ts';

const SESSION = 'ForwardAuthSession';
const HOP = 'ForwardAuthHop';
/** When a login session was last used through forward-auth (keyed by the login session's uid). */
const ACTIVITY = 'ForwardAuthActivity';
/** How long the one-time token that carries a sign-in to another host is good for. */
const HOP_SECONDS = 60;
/** Activity is written at most this often (a check is a read; a write per check would cost more). */
const TOUCH_MS = 5000;

interface StoredSession {
  sessionUid: string;
  domain: string;
  remember: boolean;
  lastActivity: number;
}

export interface HopPayload {
  sessionUid: string;
  domain: string;
  target: string;
  remember: boolean;
}

/** Who a forward-auth cookie names, read fresh from the login session and the user record. */
export interface ForwardAuthIdentity {
  user: User;
  /** The login session's methods: `mfa` means two factors. */
  amr: string[];
  sessionUid: string;
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Every forward-auth record of a login session carries this, so they go together. */
function groupOf(sessionUid: string): string {
  return `login-session:${sessionUid}`;
}

export class ForwardAuthSessions {
  private readonly store: Store;
  private readonly now: () => number;
  constructor(store: Store, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  /** A new cookie value for `cookie`'s domain naming the login session; seconds it lives. */
  async open(
    sessionUid: string,
    cookie: SessionCookie,
    remember = false,
  ): Promise<{ token: string; maxAge?: number }> {
    const token = randomToken(32);
    const remembered = remember && cookie.remember_me > 0;
    const lifetime = remembered ? cookie.remember_me : cookie.expiration;
    await this.save(
      digestOf(token),
      { sessionUid, domain: cookie.domain, remember: remembered, lastActivity: this.now() },
      lifetime,
    );
    await this.markActive(sessionUid);
    // Without "remember me" the cookie lasts as long as the browser (Authelia's behaviour).
    return { token, maxAge: remembered ? lifetime : undefined };
  }

  /** The identity a cookie value names on `cookie`'s domain, or undefined (ended, idle, moved). */
  async resolve(token: string, cookie: SessionCookie): Promise<ForwardAuthIdentity | undefined> {
    const id = digestOf(token);
    const record = await this.store.artifacts.find(SESSION, id, new Date(this.now()));
    const stored = record?.payload as StoredSession | undefined;
    // A cookie carried to another domain is refused, as Authelia does.
    if (!stored || stored.domain !== cookie.domain) return undefined;
    const idle = this.now() - stored.lastActivity;
    if (!stored.remember && cookie.inactivity > 0 && idle > cookie.inactivity * 1000) {
      await this.store.artifacts.destroy(SESSION, id);
      return undefined;
    }
    const identity = await this.identityOf(stored.sessionUid);
    if (!identity) return undefined;
    if (!stored.remember && idle >= TOUCH_MS) {
      await this.save(id, { ...stored, lastActivity: this.now() }, cookie.expiration);
      await this.markActive(stored.sessionUid);
    }
    return identity;
  }

  /**
   * Whether a login session may get a domain cookie without signing in again: it signed in, or was
   * used through forward-auth, within the domain's `inactivity`. Otherwise an idle forward-auth
   * session would come back at once through the (longer) login session, and `inactivity` would
   * mean nothing.
   */
  async recentlyActive(sessionUid: string, cookie: SessionCookie): Promise<boolean> {
    if (cookie.inactivity <= 0) return true;
    const now = new Date(this.now());
    const login = await this.store.artifacts.findByUid('Session', sessionUid, now);
    const payload = login?.payload as (SessionPayload & { transient?: boolean }) | undefined;
    const loginAt = (payload?.loginTs ?? 0) * 1000;
    // "Remember me": no inactivity, for remember_me from the sign-in.
    if (payload && !payload.transient && cookie.remember_me > 0)
      return this.now() - loginAt < cookie.remember_me * 1000;
    const activity = await this.store.artifacts.find(ACTIVITY, sessionUid, now);
    const usedAt = Number((activity?.payload as { at?: number } | undefined)?.at ?? 0);
    return this.now() - Math.max(loginAt, usedAt) < cookie.inactivity * 1000;
  }

  private async markActive(sessionUid: string): Promise<void> {
    const login = await this.store.artifacts.findByUid('Session', sessionUid, new Date(this.now()));
    await this.store.artifacts.upsert({
      model: ACTIVITY,
      id: sessionUid,
      payload: { at: this.now() },
      grantId: groupOf(sessionUid),
      expiresAt: login?.expiresAt ?? new Date(this.now() + 24 * 3600 * 1000),
    });
  }

  /** Whether the login session was signed in with "Remember me" (oidc-provider's non-transient). */
  async remembered(sessionUid: string): Promise<boolean> {
    const login = await this.store.artifacts.findByUid('Session', sessionUid, new Date(this.now()));
    return login !== undefined && !(login.payload as { transient?: boolean }).transient;
  }

  /** The login session's user and methods, when the session and the account are still there. */
  async identityOf(sessionUid: string): Promise<ForwardAuthIdentity | undefined> {
    const login = await this.store.artifacts.findByUid('Session', sessionUid, new Date(this.now()));
    const payload = login?.payload as SessionPayload | undefined;
    if (!payload?.accountId) return undefined;
    const user = await this.store.users.get(payload.accountId);
    if (!user || user.disabled) return undefined;
    return { user, amr: payload.amr ?? [], sessionUid };
  }

  /** A one-time token that lets the cookie be set on another host (the domain's authelia_url). */
  async issueHop(hop: HopPayload): Promise<string> {
    const token = randomToken(32);
    await this.store.artifacts.upsert({
      model: HOP,
      id: digestOf(token),
      payload: { ...hop },
      grantId: groupOf(hop.sessionUid),
      expiresAt: new Date(this.now() + HOP_SECONDS * 1000),
    });
    return token;
  }

  /** What a hop token carries, once: of parallel redemptions exactly one succeeds. */
  async redeemHop(token: string): Promise<HopPayload | undefined> {
    const id = digestOf(token);
    const record = await this.store.artifacts.find(HOP, id, new Date(this.now()));
    if (!record || record.consumedAt) return undefined;
    if (!(await this.store.artifacts.consume(HOP, id, new Date(this.now())))) return undefined;
    return record.payload as unknown as HopPayload;
  }

  /** Ends every forward-auth cookie of a login session (they stop anyway once it is gone). */
  async endAll(sessionUid: string): Promise<void> {
    await this.store.artifacts.revokeByGrantId(groupOf(sessionUid));
  }

  /** Ends the one session a cookie value names. */
  async close(token: string): Promise<void> {
    await this.store.artifacts.destroy(SESSION, digestOf(token));
  }

  private async save(id: string, stored: StoredSession, lifetimeSeconds: number): Promise<void> {
    // Never outlives the login session it names.
    const login = await this.store.artifacts.findByUid('Session', stored.sessionUid, new Date(this.now()));
    const own = this.now() + lifetimeSeconds * 1000;
    const end = login?.expiresAt ? Math.min(own, login.expiresAt.getTime()) : own;
    await this.store.artifacts.upsert({
      model: SESSION,
      id,
      payload: { ...stored },
      grantId: groupOf(stored.sessionUid),
      expiresAt: new Date(end),
    });
  }
}
