// What the HTTP kit adds to the server once, for every page and the API: cookies (signed with a key
// derived from hmac_secret), the request's signed-in user, and a reply helper for pages.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type Provider from 'oidc-provider';
import type { SesameConfig } from '../config/load.ts';
import type { Factors } from '../factors/index.ts';
import type { Issuers } from '../oidc/issuers.ts';
import { deriveKey } from '../crypto/derive.ts';
import type { Store } from '../store/index.ts';
import { OneTimeNotes } from './once.ts';
import { BrowserSessions } from './sessions.ts';

/** Markup: a string, or an escaped template's result (SafeHtml). */
export type Markup = string | { readonly value: string };

declare module 'fastify' {
  interface FastifyReply {
    /** Sends a page: `text/html`, with `status` (200 unless said). */
    html(markup: Markup, status?: number): FastifyReply;
  }
}

/** The kit's parts every page area and the API share, made once per server. */
export interface HttpKit {
  /** Who is signed in, and the one CSRF mechanism (`sessions.csrf`). */
  sessions: BrowserSessions;
  /** What a form's success shows once (a secret) on the page its redirect opens. */
  once: OneTimeNotes;
}

/** `provider`: any of the engine's instances (they share the login session's storage and keys). */
export function createHttpKit(provider: Provider, store: Store, hmacSecret: string): HttpKit {
  return { sessions: new BrowserSessions(provider, store, hmacSecret), once: new OneTimeNotes(hmacSecret) };
}

/** What the server hands the admin UI and the admin API: the engine's parts and the kit's. */
export interface AdminContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  /** Makes this node sign with freshly rotated keys at once. */
  reloadKeys: () => Promise<unknown>;
  http: HttpKit;
}

export function registerHttpKit(app: FastifyInstance, hmacSecret: string): void {
  void app.register(cookie, {
    secret: deriveKey(hmacSecret, 'pageCookies').toString('base64url'),
    // After routing: the protocol endpoints, handed over raw before that, never pay for it.
    hook: 'preHandler',
  });
  app.decorateRequest('signedIn', undefined);
  app.decorateReply('html', function (this: FastifyReply, markup: Markup, status = 200) {
    return this.status(status)
      .type('text/html')
      .send(typeof markup === 'string' ? markup : markup.value);
  });
}
