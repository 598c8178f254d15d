// The notice a page shows after the redirect that follows its change (`?done=<what>`).
import type { FastifyRequest } from 'fastify';
import { queryOf } from '../../http/forms.ts';

/** The page's text for the request's `?done=`, if it is one the page knows. */
export function doneNotice(request: FastifyRequest, texts: Record<string, string>): string | undefined {
  const done = queryOf(request).done;
  return done !== undefined && Object.hasOwn(texts, done) ? texts[done] : undefined;
}
