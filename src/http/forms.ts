// Reading a page's form: text fields only, one value each unless the field is a list, and a domain
// error turned into a message next to its field.
import type { FastifyRequest } from 'fastify';
import { InvalidInputError, SesameError } from '../lib/errors.ts';

export type Form = Record<string, string | string[] | undefined>;
/** Field name → message; `form` is for a problem that belongs to no field. */
export type FieldErrors = Record<string, string>;

/** The posted fields (an empty set when there is no body). */
export function formOf(request: FastifyRequest): Form {
  return (request.body ?? {}) as Form;
}

/** The query's fields; the app-wide check has made sure each is one text. */
export function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  return request.query as Record<string, string | undefined>;
}

/**
 * A field that holds one value. Admin forms may carry lists (read with many()), so the app-wide check
 * lets repeated fields through there and a single-valued field sent twice is refused here.
 */
export function one(value: unknown): string {
  if (Array.isArray(value))
    throw new InvalidInputError('a form field that takes one value was sent more than once');
  return asText(value)?.trim() ?? '';
}

export function many(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .map((entry) => (asText(entry) ?? '').trim())
    .filter(Boolean);
}

function asText(value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string')
    throw new InvalidInputError('a form field must be text');
  return value;
}

/** A domain error as field errors (an error for a field the form does not show goes under `form`). */
export function toFieldErrors(error: unknown, fields: readonly string[]): FieldErrors | undefined {
  if (error instanceof InvalidInputError && error.field && fields.includes(error.field))
    return { [error.field]: error.message };
  if (error instanceof SesameError) return { form: error.message };
  return undefined;
}

/**
 * What is wrong with a page's query or form as a whole (`lists`: a field may hold several texts),
 * if anything: a field sent twice where lists are not expected, a value that is not text (a JSON
 * body's number, object or boolean), a body that is not a set of fields.
 */
export function fieldProblem(where: 'query' | 'form', fields: unknown, lists: boolean): string | undefined {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    return `the ${where} must be a set of fields (application/x-www-form-urlencoded)`;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') continue;
    if (Array.isArray(value) && !lists) return `the ${where} field '${name}' was sent more than once`;
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string'))
      return `the ${where} field '${name}' must be text`;
  }
  return undefined;
}
