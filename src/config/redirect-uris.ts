// The one rule for registered redirect URIs (and post-logout redirect URIs): an entry is either
// an exact URI or a regular expression matched against the whole URI. Patterns are RE2 (what
// Authelia's Go regexes mean): matching takes linear time, so no pattern and no crafted
// redirect_uri can stall the server. The configuration schema, the admin API, the CLI and the
// admin UI validate with `redirectUrisProblem`; the engine registers `registeredRedirects` with
// oidc-provider and matches with `redirectUriAllowed`. Each pattern is compiled once (cached by
// its text, bounded), never per request.
import { RE2JS } from 're2js';
import { z } from 'zod';

/** `strict`: the exact URI; `regex`: an RE2 pattern matched against the whole URI. */
export const MATCHING_MODES = ['strict', 'regex'] as const;

export interface RedirectUriEntry {
  url: string;
  matching_mode: (typeof MATCHING_MODES)[number];
}

/** A registered entry as the admin API shows it. */
export const redirectUriView = z.object({ url: z.string(), matching_mode: z.enum(MATCHING_MODES) });

/**
 * A registered entry as the admin API and the services take it: a plain string is an exact URI; an
 * object can ask for regex matching. (Checked by redirectUrisProblem, with the field's name.)
 */
export const redirectUriInput = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  z.strictObject({ url: z.string(), matching_mode: z.enum(MATCHING_MODES).default('strict') }),
);

/** oidc-provider needs one well-formed redirect URI even when a client only registers patterns. */
export const PATTERN_ONLY_PLACEHOLDER = 'https://redirect-pattern.invalid/';

/** Longer redirect_uri values are refused without being matched (browsers cap URLs near here). */
export const MAX_REDIRECT_URI_LENGTH = 2048;

export function isAbsoluteUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol.length > 1 && !url.hash && (url.host !== '' || !/^https?:$/.test(url.protocol));
}

/** Compiled patterns, shared by every client registering the same one; bounded like the client cache. */
const compiled = new Map<string, RE2JS>();
const COMPILED_LIMIT = 5000;

/** Compiles a pattern for a full match; throws RE2's syntax error for what RE2 cannot express. */
function compile(pattern: string): RE2JS {
  let regex = compiled.get(pattern);
  if (regex) return regex;
  regex = RE2JS.compile(pattern);
  if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, regex);
  return regex;
}

/** Why a redirect URI entry is unacceptable, or undefined when it is fine. */
export function redirectUriProblem(entry: RedirectUriEntry): string | undefined {
  if (entry.url.length > MAX_REDIRECT_URI_LENGTH)
    return `at most ${MAX_REDIRECT_URI_LENGTH} characters (longer redirect URIs are never accepted)`;
  if (entry.matching_mode === 'strict') {
    return isAbsoluteUrl(entry.url) ? undefined : `'${entry.url}' is not an absolute URI`;
  }
  try {
    compile(entry.url);
    return undefined;
  } catch (error) {
    // RE2 has no backreferences or lookaround: say so, since JavaScript patterns often use them.
    return `'${entry.url}' is not a valid RE2 regular expression (no backreferences or lookaround): ${(error as Error).message}`;
  }
}

/** The first problem among several entries (redirect and post-logout URIs alike), if any. */
export function redirectUrisProblem(entries: readonly RedirectUriEntry[]): string | undefined {
  for (const entry of entries) {
    const problem = redirectUriProblem(entry);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * A client's entries as the engine registers them: the exact URIs (for oidc-provider's own check;
 * the placeholder when a client that redirects has patterns only) and the patterns (matched here).
 */
export function registeredRedirects(
  entries: readonly RedirectUriEntry[],
  redirects = true,
): { exact: string[]; patterns: string[] } {
  const exact = entries.filter((entry) => entry.matching_mode === 'strict').map((entry) => entry.url);
  const patterns = entries.filter((entry) => entry.matching_mode === 'regex').map((entry) => entry.url);
  if (!redirects) return { exact, patterns };
  return { exact: exact.length === 0 && patterns.length > 0 ? [PATTERN_ONLY_PLACEHOLDER] : exact, patterns };
}

/** The registered URIs as an operator reads them: patterns written anchored, as they are matched. */
export function describeRegistered(
  exact: readonly string[] = [],
  patterns: readonly string[] = [],
): string[] {
  return [
    ...exact.filter((uri) => uri !== PATTERN_ONLY_PLACEHOLDER),
    ...patterns.map((pattern) => `^${pattern}$`),
  ];
}

/**
 * Whether a presented redirect URI is allowed: registered exactly (`exact`, the engine's own check;
 * the placeholder never is) or matching one of the patterns as a whole. Over-long values are
 * refused before any matching.
 */
export function redirectUriAllowed(
  value: unknown,
  exact: (value: string) => boolean,
  patterns: readonly string[],
): boolean {
  if (typeof value !== 'string' || value.length > MAX_REDIRECT_URI_LENGTH) return false;
  if (value !== PATTERN_ONLY_PLACEHOLDER && exact(value)) return true;
  return patterns.some((pattern) => matchesWhole(pattern, value));
}

function matchesWhole(pattern: string, value: string): boolean {
  try {
    return compile(pattern).matches(value);
  } catch {
    // Stored before patterns were validated as RE2: it matches nothing rather than failing requests.
    return false;
  }
}
