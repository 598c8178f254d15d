// Environment overrides: SESAME_<KEY_PATH> sets any scalar key (SESAME_SERVER_ADDRESS → server.address),
// and SESAME_<KEY_PATH>_FILE reads a secret from a file, as Docker secrets do. Authelia's
// AUTHELIA_<KEY_PATH> and AUTHELIA_<KEY_PATH>_FILE work the same way.
import { readFileSync } from 'node:fs';
import { closestMatch, type ConfigProblem, type JsonSchema } from './report.ts';

export const ENV_PREFIX = 'SESAME_';
/** Authelia's variables name the same keys: AUTHELIA_SERVER_ADDRESS is SESAME_SERVER_ADDRESS. */
export const AUTHELIA_ENV_PREFIX = 'AUTHELIA_';
/** Variables that are not configuration keys. */
export const RESERVED_ENV = new Set(['SESAME_CONFIG', 'SESAME_CONFIG_FILTERS']);
const ENV_HELP = 'SESAME_<KEY_PATH>, e.g. SESAME_SERVER_ADDRESS; secrets also as SESAME_<KEY_PATH>_FILE';

export interface EnvKey {
  name: string;
  path: string[];
  schema: JsonSchema;
  secret: boolean;
}

/** Every scalar (or list of scalars) key in the schema, outside lists of objects and named maps. */
export function envKeys(schema: JsonSchema, path: string[] = []): EnvKey[] {
  const keys: EnvKey[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = [...path, key];
    const objectLike =
      child.anyOf?.find((option) => option.properties) ?? (child.properties ? child : undefined);
    if (objectLike) {
      keys.push(...envKeys(objectLike, childPath));
      continue;
    }
    if (child.type === 'object') continue; // named maps (records) only make sense in the file
    if (child.type === 'array' && child.items?.type !== 'string') continue;
    keys.push({
      name: ENV_PREFIX + childPath.join('_').toUpperCase(),
      path: childPath,
      schema: child,
      secret: child.secret === true,
    });
  }
  return keys;
}

function coerce(text: string, schema: JsonSchema): unknown {
  const types = new Set([schema.type, ...(schema.anyOf ?? []).map((option) => option.type)].flat());
  if (types.has('array'))
    return text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (types.has('boolean') && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export interface EnvOverrides {
  /** Which variable set each overridden key path (joined with dots). */
  origins: Map<string, string>;
  problems: ConfigProblem[];
  /** Unknown AUTHELIA_ variables: Authelia warns about them and starts, and so does Sesame. */
  warnings: string[];
}

/** The variable a SESAME_ or AUTHELIA_ name sets, or a problem/warning text when it is unknown. */
function lookUp(
  name: string,
  byName: Map<string, EnvKey>,
): { key: EnvKey; fromFile: boolean } | { unknown: string } {
  const prefix = name.startsWith(ENV_PREFIX) ? ENV_PREFIX : AUTHELIA_ENV_PREFIX;
  const canonical = ENV_PREFIX + name.slice(prefix.length);
  const fileKey = byName.get(canonical.slice(0, -5));
  const fromFile = canonical.endsWith('_FILE') && fileKey?.secret === true;
  const key = fromFile ? fileKey : byName.get(canonical);
  if (key) return { key, fromFile };
  const names = [...byName.keys()].map((known) => prefix + known.slice(ENV_PREFIX.length));
  const suggestion = closestMatch(name, names);
  return { unknown: `is not a configuration variable${suggestion ? ` (did you mean ${suggestion}?)` : ''}` };
}

function readSecretFile(path: string): string | { error: string } {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    return { error: `cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

/**
 * Applies SESAME_* and Authelia's AUTHELIA_* variables onto `data` in place: the same key path,
 * `_` for each `.`, and `<NAME>_FILE` for secrets. Two variables for one key are a problem.
 */
export function applyEnvironment(
  data: Record<string, unknown>,
  schema: JsonSchema,
  env: NodeJS.ProcessEnv,
): EnvOverrides {
  const byName = new Map(envKeys(schema).map((key) => [key.name, key]));
  const origins = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const names = Object.keys(env).filter(
    (name) =>
      (name.startsWith(ENV_PREFIX) || name.startsWith(AUTHELIA_ENV_PREFIX)) &&
      env[name] !== undefined &&
      !RESERVED_ENV.has(name),
  );
  for (const name of names.sort()) {
    const found = lookUp(name, byName);
    const where = `environment ${name}`;
    if ('unknown' in found) {
      if (name.startsWith(ENV_PREFIX))
        problems.push({ where, path: '', message: found.unknown, allowed: ENV_HELP });
      else warnings.push(`${where}: ${found.unknown}; ignored`);
      continue;
    }
    const path = found.key.path.join('.');
    const earlier = origins.get(path);
    if (earlier) {
      const other = earlier.replace('environment ', '');
      problems.push({ where, path, message: `both ${other} and ${name} are set`, allowed: 'one of them' });
      continue;
    }
    const text = found.fromFile ? readSecretFile(env[name]!) : env[name]!;
    if (typeof text !== 'string') {
      problems.push({ where, path, message: text.error });
      continue;
    }
    setPath(data, found.key.path, coerce(text, found.key.schema));
    origins.set(path, where);
  }
  return { origins, problems, warnings };
}
