// What the system pages share until the HTTP kit's guarded scope and `adminPage` take over: the
// administrator guard around a handler, and a page sent in the admin skeleton.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { SignedIn } from '../../http/sessions.ts';
import type { Store } from '../../store/index.ts';
import { page, type AdminGuard, type Section } from '../admin-kit.ts';
import type { SafeHtml } from '../html.ts';

export interface SystemPagesContext {
  config: SesameConfig;
  store: Store;
  /** Makes this node sign with freshly rotated keys at once. */
  reloadKeys: () => Promise<unknown>;
}

type AdminHandler = (request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn) => Promise<unknown>;

/** Runs `handler` for a signed-in administrator (with a valid CSRF token on POST); else the guard answers. */
export function asAdmin(guard: AdminGuard, handler: AdminHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const signedIn = await guard.admin(request, reply);
    if (!signedIn) return reply;
    return handler(request, reply, signedIn);
  };
}

/** A page of the admin UI: `body` in the shared skeleton with `section` marked current. */
export function sendPage(
  reply: FastifyReply,
  config: SesameConfig,
  view: { section: Section; title: string; body: SafeHtml },
  signedIn: SignedIn,
): FastifyReply {
  return reply.type('text/html').send(page(config, view.section, view.title, view.body, signedIn));
}

/** The `?done=` notice a redirect after a change asks for, from the page's own texts. */
export function doneNotice(request: FastifyRequest, texts: Record<string, string>): string | undefined {
  const done = (request.query as Record<string, string | undefined>).done;
  return done !== undefined && Object.hasOwn(texts, done) ? texts[done] : undefined;
}
