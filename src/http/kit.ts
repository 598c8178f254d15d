// What the HTTP kit adds to the server once, for every page and the API: cookies (signed with a key
// derived from hmac_secret), the request's signed-in user, and a reply helper for pages.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { deriveKey } from '../crypto/derive.ts';

/** Markup: a string, or an escaped template's result (SafeHtml). */
export type Markup = string | { readonly value: string };

declare module 'fastify' {
  interface FastifyReply {
    /** Sends a page: `text/html`, with `status` (200 unless said). */
    html(markup: Markup, status?: number): FastifyReply;
  }
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
