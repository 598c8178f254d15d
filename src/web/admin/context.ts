// What the users and groups pages share: their services, and domain errors turned into the
// form's field errors.
import { toFieldErrors, type FieldErrors } from '../../http/forms.ts';
import type { OneTimeNotes } from '../../http/once.ts';
import type { SignedIn } from '../../http/sessions.ts';
import type { SesameConfig } from '../../config/load.ts';
import { ConflictError, SesameError } from '../../lib/errors.ts';
import type { GroupAdminService } from '../../services/groups.ts';
import type { UserAdminService } from '../../services/users.ts';

export interface PeopleContext {
  config: SesameConfig;
  users: UserAdminService;
  groups: GroupAdminService;
  /** What a form's success shows once (a generated password) on the page its redirect opens. */
  once: OneTimeNotes;
}

/** How audit events name an administrator acting in the admin UI. */
export const actorOf = (signedIn: SignedIn): string => `user:${signedIn.user.username}`;

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
export function doneNotice(query: Record<string, string | undefined>, notices: Record<string, string>) {
  return query.done ? notices[query.done] : undefined;
}
