// Authelia's configuration file filters (X_AUTHELIA_CONFIG_FILTERS, or SESAME_CONFIG_FILTERS):
// `template` renders the file as a Go template before it is parsed as YAML, `expand-env` replaces
// $VAR and ${VAR}. Sesame implements the part of Go's template language configuration files use —
// actions made of pipelines of function calls with literal arguments, `{{-`/`-}}` trimming and
// comments — with Authelia's functions; control structures and variables are refused with the line.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { ConfigError } from './report.ts';

export interface FilterOptions {
  file: string;
  /** Comma-separated filter names, applied in order. */
  filters: string;
  /** The variable that named them (for error messages). */
  variable: string;
  env: NodeJS.ProcessEnv;
}

export const FILTERS = ['template', 'expand-env'] as const;

/** Runs the named filters over the file's text; throws ConfigError naming the file and line. */
export function renderFilters(text: string, options: FilterOptions): string {
  const names = options.filters
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const seen = new Set<string>();
  for (const name of names) {
    const problem = !(FILTERS as readonly string[]).includes(name)
      ? `'${name}' is not a filter`
      : seen.has(name)
        ? `'${name}' is named twice`
        : undefined;
    if (problem)
      throw new ConfigError([
        { where: `environment ${options.variable}`, path: '', message: problem, allowed: FILTERS.join(', ') },
      ]);
    seen.add(name);
  }
  let result = text;
  for (const name of names)
    result =
      name === 'template'
        ? renderTemplate(result, options.file, options.env)
        : expandEnv(result, options.env);
  return result;
}

const SECRET_SUFFIXES = ['KEY', 'SECRET', 'PASSWORD', 'TOKEN', 'CERTIFICATE_CHAIN'];

/** As Authelia: configuration secrets given in the environment are not readable from templates. */
function isSecretVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    ['AUTHELIA_', 'X_AUTHELIA_', 'SESAME_'].some((prefix) => upper.startsWith(prefix)) &&
    SECRET_SUFFIXES.some((suffix) => upper.endsWith(suffix))
  );
}

function getEnv(env: NodeJS.ProcessEnv, name: string): string {
  if (name === '$') return name;
  return isSecretVariable(name) ? '' : (env[name] ?? '');
}

/** `$NAME` and `${NAME}` as Go's os.Expand reads them (`$$` is a dollar sign). */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$(?:\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?-]))/g,
    (_match, braced?: string, plain?: string, special?: string) =>
      getEnv(env, braced ?? plain ?? special ?? ''),
  );
}

// ---- the template language ----

type Value = string | number | boolean | null | Value[];

class TemplateError extends Error {}

interface Token {
  kind: 'string' | 'number' | 'word' | 'pipe' | 'open' | 'close';
  text: string;
  value?: Value;
}

const TOKEN =
  /\s*(?:("(?:[^"\\\n]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?)|(\|)|(\()|(\))|([A-Za-z_][A-Za-z0-9_]*|[.$][A-Za-z0-9_.$]*|:?=|\S))/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(source);
    if (!match) throw new TemplateError(`cannot read '${source.slice(TOKEN.lastIndex).trim()}'`);
    const [, quoted, raw, number, pipe, open, close, word] = match;
    if (quoted !== undefined) tokens.push({ kind: 'string', text: quoted, value: unquote(quoted) });
    else if (raw !== undefined) tokens.push({ kind: 'string', text: raw, value: raw.slice(1, -1) });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number, value: Number(number) });
    else if (pipe) tokens.push({ kind: 'pipe', text: pipe });
    else if (open) tokens.push({ kind: 'open', text: open });
    else if (close) tokens.push({ kind: 'close', text: close });
    else tokens.push({ kind: 'word', text: word! });
  }
  return tokens;
}

function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new TemplateError(
      `${quoted} is not a string literal Sesame can read (use \\n, \\t, \\" or \\\\ escapes)`,
    );
  }
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

const ends = (token: Token | undefined) => !token || token.kind === 'pipe' || token.kind === 'close';

/** Evaluates tokens[at…] as a pipeline, up to a closing parenthesis or the end. */
function pipeline(tokens: Token[], at: { index: number }, functions: Functions): Value {
  let result = command(tokens, at, functions, undefined);
  while (tokens[at.index]?.kind === 'pipe') {
    at.index++;
    result = command(tokens, at, functions, result);
  }
  return result;
}

/** One command: a function with its arguments (plus the piped value last), or a single value. */
function command(
  tokens: Token[],
  at: { index: number },
  functions: Functions,
  piped: Value | undefined,
): Value {
  const head = tokens[at.index];
  if (!head || ends(head)) throw new TemplateError('missing a function or value');
  if (head.kind !== 'word' || ['true', 'false', 'nil'].includes(head.text)) {
    const value = operand(tokens, at, functions);
    if (!ends(tokens[at.index]) || piped !== undefined)
      throw new TemplateError(`'${head.text}' is not a function`);
    return value;
  }
  at.index++;
  const args: Value[] = [];
  while (!ends(tokens[at.index])) args.push(operand(tokens, at, functions));
  if (piped !== undefined) args.push(piped);
  return call(head.text, args, functions);
}

function operand(tokens: Token[], at: { index: number }, functions: Functions): Value {
  const token = tokens[at.index]!;
  at.index++;
  if (token.kind !== 'open') return literal(token);
  const value = pipeline(tokens, at, functions);
  if (tokens[at.index]?.kind !== 'close') throw new TemplateError('a parenthesis is not closed');
  at.index++;
  return value;
}

function literal(token: Token): Value {
  if (token.value !== undefined) return token.value;
  if (token.text === 'true' || token.text === 'false') return token.text === 'true';
  if (token.text === 'nil') return null;
  throw new TemplateError(`'${token.text}' must be a quoted string, a number or a parenthesised call`);
}

function call(name: string, args: Value[], functions: Functions): Value {
  if (KEYWORDS.has(name))
    throw new TemplateError(`'${name}' is not supported: only function calls and pipes are`);
  if (/^[.$]/.test(name) || name.includes('='))
    throw new TemplateError(`'${name}': variables and fields are not supported`);
  const fn = Object.hasOwn(functions, name) ? functions[name] : undefined;
  if (!fn)
    throw new TemplateError(
      `function '${name}' is not defined (known: ${Object.keys(functions).join(', ')})`,
    );
  return fn(...args);
}

function print(value: Value): string {
  if (value === null) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(print).join(' ')}]`;
  return String(value);
}

interface Action {
  source: string;
  trimLeft: boolean;
  trimRight: boolean;
  start: number;
  end: number;
}

function nextAction(text: string, from: number): Action | undefined {
  const start = text.indexOf('{{', from);
  if (start < 0) return undefined;
  const comment = /^\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/.exec(text.slice(start));
  const end = comment ? start + comment[0].length - 2 : text.indexOf('}}', start + 2);
  if (end < 0) throw Object.assign(new TemplateError('unclosed action: "}}" is missing'), { offset: start });
  let inner = text.slice(start + 2, end);
  const trimLeft = /^-\s/.test(inner) || inner === '-';
  const trimRight = /\s-$/.test(inner);
  if (trimLeft) inner = inner.slice(1);
  if (trimRight) inner = inner.slice(0, -1);
  return { source: comment ? '' : inner, trimLeft, trimRight, start, end: end + 2 };
}

/** Renders `text` as a Go template with Authelia's functions. */
export function renderTemplate(text: string, file: string, env: NodeJS.ProcessEnv): string {
  const functions = templateFunctions(env);
  let output = '';
  let position = 0;
  let trimNext = false;
  for (;;) {
    let action: Action | undefined;
    try {
      action = nextAction(text, position);
    } catch (error) {
      throw templateProblem(file, text, (error as { offset: number }).offset, error as Error);
    }
    let chunk = text.slice(position, action?.start ?? text.length);
    if (trimNext) chunk = chunk.replace(/^\s+/, '');
    if (action?.trimLeft) chunk = chunk.replace(/\s+$/, '');
    output += chunk;
    if (!action) return output;
    try {
      if (action.source.trim() !== '')
        output += print(pipeline(tokenize(action.source), { index: 0 }, functions));
    } catch (error) {
      throw templateProblem(file, text, action.start, error as Error);
    }
    trimNext = action.trimRight;
    position = action.end;
  }
}

function templateProblem(file: string, text: string, offset: number, error: Error): ConfigError {
  const line = text.slice(0, offset).split('\n').length;
  return new ConfigError([{ where: `${file}:${line}`, path: '', message: `template: ${error.message}` }]);
}

// ---- Authelia's template functions ----

type Fn = (...args: Value[]) => Value;
type Functions = Record<string, Fn>;

function str(value: Value | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? print(value) : String(value);
}

function int(value: Value | undefined, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new TemplateError(`${name} needs a whole number`);
  return value;
}

function arity(name: string, count: number, fn: Fn): Fn {
  return (...args) => {
    if (args.length !== count)
      throw new TemplateError(`${name} takes ${count} argument${count === 1 ? '' : 's'}, not ${args.length}`);
    return fn(...args);
  };
}

function readFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TemplateError(`${name} '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function isEmptyValue(value: Value | undefined): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

function indent(width: number, value: string): string {
  const padding = ' '.repeat(width);
  return padding + value.replaceAll('\n', `\n${padding}`);
}

const quoteEach =
  (wrap: (text: string) => string) =>
  (...args: Value[]) =>
    args
      .filter((arg) => arg !== null)
      .map((arg) => wrap(str(arg)))
      .join(' ');

const hash = (algorithm: string) => (value: Value) => createHash(algorithm).update(str(value)).digest('hex');

function base32Encode(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of Buffer.from(text)) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let index = 0; index < bits.length; index += 5)
    out += alphabet[parseInt(bits.slice(index, index + 5).padEnd(5, '0'), 2)];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

function base32Decode(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '')) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new TemplateError(`b32dec: '${char}' is not base32`);
    bits += index.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let index = 0; index + 8 <= bits.length; index += 8)
    bytes.push(parseInt(bits.slice(index, index + 8), 2));
  return Buffer.from(bytes).toString('utf8');
}

function b64dec(value: Value): string {
  const text = str(value);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw new TemplateError('b64dec: not base64');
  return Buffer.from(text, 'base64').toString('utf8');
}

/** The functions of Authelia's templates that make sense in a configuration file. */
export function templateFunctions(env: NodeJS.ProcessEnv): Functions {
  return {
    env: arity('env', 1, (name) => getEnv(env, str(name))),
    mustEnv: arity('mustEnv', 1, (name) => {
      if (env[str(name)] === undefined)
        throw new TemplateError(`environment variable '${str(name)}' isn't set`);
      return getEnv(env, str(name));
    }),
    expandenv: arity('expandenv', 1, (text) => expandEnv(str(text), env)),
    secret: arity('secret', 1, (path) => readFile(str(path), 'secret').replace(/\n+$/, '')),
    fileContent: arity('fileContent', 1, (path) => readFile(str(path), 'fileContent')),
    quote: quoteEach((text) => JSON.stringify(text)),
    squote: quoteEach((text) => `'${text}'`),
    mquote: quoteEach((text) => (text.includes('\n') ? text : JSON.stringify(text))),
    msquote: quoteEach((text) => (text.includes('\n') ? text : `'${text}'`)),
    indent: arity('indent', 2, (width, value) => indent(int(width, 'indent'), str(value))),
    nindent: arity('nindent', 2, (width, value) => `\n${indent(int(width, 'nindent'), str(value))}`),
    mindent: arity('mindent', 3, (width, style, value) =>
      str(value).includes('\n') ? `${str(style)}\n${indent(int(width, 'mindent'), str(value))}` : str(value),
    ),
    sha1sum: arity('sha1sum', 1, hash('sha1')),
    sha256sum: arity('sha256sum', 1, hash('sha256')),
    sha512sum: arity('sha512sum', 1, hash('sha512')),
    b64enc: arity('b64enc', 1, (value) => Buffer.from(str(value)).toString('base64')),
    b64dec: arity('b64dec', 1, b64dec),
    b32enc: arity('b32enc', 1, (value) => base32Encode(str(value))),
    b32dec: arity('b32dec', 1, (value) => base32Decode(str(value))),
    lower: arity('lower', 1, (value) => str(value).toLowerCase()),
    upper: arity('upper', 1, (value) => str(value).toUpperCase()),
    title: arity('title', 1, (value) => str(value).toUpperCase()),
    trim: arity('trim', 1, (value) => str(value).trim()),
    trimAll: arity('trimAll', 2, (cutset, value) => trimSet(str(value), str(cutset))),
    trimPrefix: arity('trimPrefix', 2, (prefix, value) =>
      str(value).startsWith(str(prefix)) ? str(value).slice(str(prefix).length) : str(value),
    ),
    trimSuffix: arity('trimSuffix', 2, (suffix, value) =>
      str(suffix) !== '' && str(value).endsWith(str(suffix))
        ? str(value).slice(0, -str(suffix).length)
        : str(value),
    ),
    replace: arity('replace', 3, (old, replacement, value) =>
      str(value).replaceAll(str(old), str(replacement)),
    ),
    contains: arity('contains', 2, (part, value) => str(value).includes(str(part))),
    hasPrefix: arity('hasPrefix', 2, (prefix, value) => str(value).startsWith(str(prefix))),
    hasSuffix: arity('hasSuffix', 2, (suffix, value) => str(value).endsWith(str(suffix))),
    splitList: arity('splitList', 2, (separator, value) => str(value).split(str(separator))),
    join: arity('join', 2, (separator, list) =>
      (Array.isArray(list) ? list.map(str) : [str(list)]).join(str(separator)),
    ),
    list: (...items) => items,
    default: (fallback, ...values) => (isEmptyValue(values[0]) ? fallback! : values[0]!),
    empty: arity('empty', 1, (value) => isEmptyValue(value)),
    uuidv4: arity('uuidv4', 0, () => randomUUID()),
    urlquery: arity('urlquery', 1, (value) => encodeURIComponent(str(value)).replace(/%20/g, '+')),
    urlunquery: arity('urlunquery', 1, (value) => decodeURIComponent(str(value).replace(/\+/g, ' '))),
    isAbs: arity('isAbs', 1, (path) => posix.isAbsolute(str(path))),
    base: arity('base', 1, (path) => posix.basename(str(path)) || '.'),
    dir: arity('dir', 1, (path) => posix.dirname(str(path))),
    ext: arity('ext', 1, (path) => posix.extname(str(path))),
    clean: arity('clean', 1, (path) => posix.normalize(str(path)).replace(/(.)\/$/, '$1')),
  };
}

function trimSet(value: string, cutset: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && cutset.includes(value[start]!)) start++;
  while (end > start && cutset.includes(value[end - 1]!)) end--;
  return value.slice(start, end);
}
