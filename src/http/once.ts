// Values shown only once after a form (a new client secret, a generated password, an API token,
// recovery codes) must survive the redirect that follows the POST. They travel in a short-lived
// cookie sealed with a key of this server and bound to the login session; the page after the
// redirect shows them and clears the cookie, so a reload or the back button no longer shows them,
// and nothing secret is written to the database or to a URL.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveKey } from '../crypto/derive.ts';
import { createSealer, type Sealer } from '../crypto/encryption.ts';
import type { SignedIn } from './sessions.ts';

const COOKIE = 'sesame_once';
/** Long enough for the redirect, short enough not to linger in a browser. */
const MAX_AGE_SECONDS = 120;

export type OnceNote = Record<string, string | string[]>;

export class OneTimeNotes {
  private readonly sealer: Sealer;
  constructor(hmacSecret: string) {
    this.sealer = createSealer(deriveKey(hmacSecret, 'oneTimeNotes').toString('base64url'));
  }

  private setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number): void {
    void reply.setCookie(COOKIE, value, {
      path: '/',
      maxAge,
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
  }

  /** Keeps `note` for the page `key` names (e.g. `provider:<client id>`), opened next in this session. */
  put(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn, key: string, note: OnceNote): void {
    const sealed = this.sealer.seal(JSON.stringify({ key, note }), `${COOKIE}:${signedIn.sessionUid}`);
    this.setCookie(request, reply, sealed, MAX_AGE_SECONDS);
  }

  /** The note left for this session and page, if any; it is gone after this. */
  take(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn, key: string): OnceNote | undefined {
    const value = request.cookies[COOKIE];
    if (!value) return undefined;
    let kept: { key: string; note: OnceNote } | undefined;
    try {
      kept = JSON.parse(this.sealer.open(value, `${COOKIE}:${signedIn.sessionUid}`)) as typeof kept;
    } catch {
      kept = undefined;
    }
    if (kept && kept.key !== key) return undefined;
    this.setCookie(request, reply, '', 0);
    return kept?.note;
  }
}
