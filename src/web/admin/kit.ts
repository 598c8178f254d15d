// What every admin area shares: the kit it is registered with, how a page names the signed-in
// administrator in audit events, and how a service's domain error becomes the form's field errors.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toFieldErrors, type FieldErrors } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import type { AdminContext, HttpKit } from '../../http/kit.ts';
import { ConflictError, SesameError } from '../../lib/errors.ts';

/** What every admin area gets: the server's parts, and the HTTP kit's (made once by the server). */
export interface AdminKit extends AdminContext, HttpKit {}

export type AdminArea = (scope: FastifyInstance, kit: AdminKit) => void;

/** One page's routes (a handler module's register function), given what its area shares. */
export type AdminPage<Shared> = (scope: FastifyInstance, shared: Shared) => void;

/** An area of pages that share what `share` makes once from the kit (their services). */
export function areaOf<Shared>(
  share: (kit: AdminKit) => Shared,
  pages: readonly AdminPage<Shared>[],
): AdminArea {
  return (scope, kit) => {
    const shared = share(kit);
    for (const page of pages) page(scope, shared);
  };
}

/** How audit events name the administrator signed in to the admin UI. */
export function actorOf(request: FastifyRequest): string {
  return `user:${signedIn(request).user.username}`;
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
