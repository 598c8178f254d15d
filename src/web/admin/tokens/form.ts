// Reads the "New token" form into what ApiTokenService.create takes.
import { InvalidInputError } from '../../../lib/errors.ts';
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { SCOPE_ROWS } from './new-token.view.ts';

export interface TokenInput {
  name: string;
  scopes: string[];
  expiresAt?: Date;
}

/** The token to create, or the field errors the form itself shows (the service checks the rest). */
export function readTokenForm(form: Form, now = Date.now()): { input: TokenInput } | { errors: FieldErrors } {
  const scopes = SCOPE_ROWS.flatMap((resource) => {
    const level = one(form[`scope:${resource}`]);
    return level === 'read' || level === 'write' ? [`${resource}:${level}`] : [];
  });
  const days = one(form.expires_days);
  if (days && !(/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650))
    return { errors: { expires_at: 'a whole number of days from 1 to 3650, or empty for never' } };
  const expiresAt = days ? new Date(now + Number(days) * 86_400_000) : undefined;
  // A name sent twice is shown on the form, like the service's own refusals.
  const name = fieldValue(form, 'name');
  if (typeof name !== 'string') return { errors: { form: name.problem } };
  return { input: { name, scopes, expiresAt } };
}

function fieldValue(form: Form, field: string): string | { problem: string } {
  try {
    return one(form[field]);
  } catch (error) {
    if (error instanceof InvalidInputError) return { problem: error.message };
    throw error;
  }
}
