// The building blocks every section of the configuration schema is made of: durations, enums,
// secrets, refusals of keys not supported yet. Sections live in their own modules and import
// from here; `schema.ts` puts them together.
import { z } from 'zod';
import { DURATION_HELP, parseDuration } from './duration.ts';
import { isAbsoluteUrl } from './redirect-uris.ts';

/** Marks a value that may also come from `<ENV>_FILE` and must never be printed. */
export const SECRET = { secret: true } as const;

export function duration() {
  return z
    .union([z.number().int().min(0), z.string()])
    .describe(DURATION_HELP)
    .transform((value, ctx) => {
      const parsed = parseDuration(value);
      if (parsed === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `'${value}' is not a duration`,
          params: { allowed: DURATION_HELP },
        });
        return z.NEVER;
      }
      return parsed;
    });
}

/** prefault parses the default like a value from the file, so the reference shows "1h", not 3600. */
export function durationWithDefault(defaultValue: string) {
  return duration().prefault(defaultValue);
}

/** Cross-field rules run even when a single field failed, so one pass reports every problem. */
export const ALWAYS = { when: () => true };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values);
}

export const NOT_SUPPORTED_YET = 'not supported yet by Sesame';

/**
 * An Authelia key Sesame does not implement yet. It is refused when set (an empty list does
 * nothing and is let through), never accepted and silently ignored.
 */
export function notSupportedYet(what: string) {
  return z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      const empty =
        (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
      if (value === undefined || empty) return;
      ctx.addIssue({ code: 'custom', message: NOT_SUPPORTED_YET, params: { allowed: 'remove this key' } });
    })
    .describe(`Not supported yet (${what}): refused when set.`);
}

export const absoluteUrl = z.string().refine((value) => isAbsoluteUrl(value), {
  message: 'must be an absolute URL with a scheme, such as https://app.example.com/callback',
});

/**
 * An Authelia key Sesame accepts but does not act on yet (it is not a security setting). Sesame
 * starts and logs one warning naming the key and `what` it does not do; it is never silently ignored.
 */
export function warnedKey(what: string) {
  return z
    .unknown()
    .optional()
    .meta({ unimplemented: what })
    .describe(
      `Accepted for compatibility with Authelia, not implemented yet: ${what}. A warning is logged when set.`,
    );
}
