// Environment overrides: SESAME_<KEY_PATH> sets any scalar key (SESAME_SERVER_ADDRESS → server.address),
// and SESAME_<KEY_PATH>_FILE reads a secret from a file, as Docker secrets and Authelia's
// AUTHELIA_…_FILE variables do.
import { readFileSync } from 'node:fs';
import { closestMatch, type ConfigProblem, type JsonSchema } from './report.ts';

export const ENV_PREFIX = 'SESAME_';
/** Variables that are not configuration keys. */
export const RESERVED_ENV = new Set(['SESAME_CONFIG']);

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
}

/** Applies SESAME_* variables onto `data` in place. */
export function applyEnvironment(
  data: Record<string, unknown>,
  schema: JsonSchema,
  env: NodeJS.ProcessEnv,
): EnvOverrides {
  const keys = envKeys(schema);
  const byName = new Map(keys.map((key) => [key.name, key]));
  const origins = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || RESERVED_ENV.has(name)) continue;
    const fromFile = name.endsWith('_FILE') && byName.get(name.slice(0, -5))?.secret === true;
    const key = fromFile ? byName.get(name.slice(0, -5)) : byName.get(name);
    if (!key) {
      const suggestion = closestMatch(name, [...byName.keys()]);
      problems.push({
        where: `environment ${name}`,
        path: '',
        message: `is not a configuration variable${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
        allowed: `SESAME_<KEY_PATH>, e.g. SESAME_SERVER_ADDRESS; secrets also as SESAME_<KEY_PATH>_FILE`,
      });
      continue;
    }
    if (fromFile && env[key.name] !== undefined) {
      problems.push({
        where: `environment ${name}`,
        path: key.path.join('.'),
        message: `both ${key.name} and ${name} are set`,
        allowed: 'one of them',
      });
      continue;
    }
    let text = raw;
    if (fromFile) {
      try {
        text = readFileSync(raw, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        problems.push({
          where: `environment ${name}`,
          path: key.path.join('.'),
          message: `cannot read '${raw}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        });
        continue;
      }
    }
    setPath(data, key.path, coerce(text, key.schema));
    origins.set(key.path.join('.'), `environment ${name}`);
  }
  return { origins, problems };
}
