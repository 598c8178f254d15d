// What the users and groups pages share: their services, the administrator check around each
// handler, the page answer, and domain errors turned into the form's field errors.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { SignedIn } from '../../http/sessions.ts';
import { ConflictError, SesameError } from '../../lib/errors.ts';
import type { GroupAdminService } from '../../services/groups.ts';
import type { UserAdminService } from '../../services/users.ts';
import { page, toFieldErrors, type AdminGuard, type FieldErrors, type Section } from '../admin-kit.ts';
import type { SafeHtml } from '../html.ts';

export interface PeopleContext {
  config: SesameConfig;
  users: UserAdminService;
  groups: GroupAdminService;
  guard: AdminGuard;
}

type AdminHandler = (request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn) => Promise<unknown>;

/** Runs the handler for an administrator (with a valid CSRF token on POST); the guard answers anyone else. */
export function asAdmin(context: PeopleContext, handler: AdminHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const signedIn = await context.guard.admin(request, reply);
    if (!signedIn) return reply;
    return handler(request, reply, signedIn);
  };
}

/** How audit events name an administrator acting in the admin UI. */
export const actorOf = (signedIn: SignedIn): string => `user:${signedIn.user.username}`;

export interface PageAnswer {
  section: Section;
  title: string;
  body: SafeHtml;
  status?: number;
}

export function sendPage(
  reply: FastifyReply,
  context: PeopleContext,
  signedIn: SignedIn,
  answer: PageAnswer,
): FastifyReply {
  return reply
    .status(answer.status ?? 200)
    .type('text/html')
    .send(page(context.config, answer.section, answer.title, answer.body, signedIn));
}

/** 400 when a form comes back with errors. */
export const statusOf = (errors: FieldErrors): number => (Object.keys(errors).length ? 400 : 200);

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; errors: FieldErrors };

/**
 * Runs a service call. A domain error comes back as field errors (those of `fields` next to their
 * field, the others above the form) with its status; anything else is thrown. A conflict (the
 * name is taken) shows next to `conflictField` when given.
 */
export async function attempt<T>(
  action: () => Promise<T>,
  fields: readonly string[] = [],
  conflictField?: string,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    const errors =
      conflictField && error instanceof ConflictError
        ? { [conflictField]: error.message }
        : toFieldErrors(error, fields);
    if (!errors || !(error instanceof SesameError)) throw error;
    return { ok: false, status: error.status, errors };
  }
}

/** A `?done=` key as its notice. */
export function doneNotice(request: FastifyRequest, notices: Record<string, string>): string | undefined {
  const done = (request.query as Record<string, string | undefined>).done;
  return done ? notices[done] : undefined;
}
