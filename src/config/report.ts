// Turns YAML syntax errors and schema issues into the lines operators read:
//   file:line key.path: what is wrong (allowed: …)
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';

export interface ConfigProblem {
  /** `file:line`, or `environment SESAME_X` for a value that came from the environment. */
  where: string;
  path: string;
  message: string;
  allowed?: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const subject = problem.path ? `${problem.where} ${problem.path}:` : `${problem.where}:`;
  return `${subject} ${problem.message}${problem.allowed ? ` (allowed: ${problem.allowed})` : ''}`;
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

export type PathSegment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}

/** A parsed YAML file that can say on which line any key path sits. */
export class YamlSource {
  readonly file: string;
  readonly document: Document;
  readonly syntaxProblems: ConfigProblem[];
  private readonly lines = new LineCounter();

  constructor(file: string, text: string) {
    this.file = file;
    this.document = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.syntaxProblems = this.document.errors.map((error) => ({
      where: `${file}:${error.linePos?.[0].line ?? 1}`,
      path: '',
      message: `YAML syntax error: ${error.message.split('\n')[0]}`,
    }));
  }

  data(): unknown {
    return this.document.toJS() ?? {};
  }

  /** The line of the deepest key of `path` present in the file. */
  lineOf(path: readonly PropertyKey[]): number {
    let node: unknown = this.document.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return this.lines.linePos(offset).line;
  }

  where(path: readonly PropertyKey[]): string {
    return `${this.file}:${this.lineOf(path)}`;
  }
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
  [key: string]: unknown;
};
export type { JsonSchema };

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The JSON schema node describing the value at `path`, following objects, arrays, records and unions. */
export function schemaAt(root: JsonSchema, path: readonly PropertyKey[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    node = childSchema(node, segment);
  }
  return node;
}

function childSchema(node: JsonSchema, segment: PropertyKey): JsonSchema | undefined {
  if (node.anyOf) {
    for (const option of node.anyOf) {
      const child = childSchema(option, segment);
      if (child) return child;
    }
    return undefined;
  }
  if (typeof segment === 'number') return node.items;
  const key = String(segment);
  if (node.properties?.[key]) return node.properties[key];
  if (typeof node.additionalProperties === 'object') return node.additionalProperties;
  return undefined;
}

export function objectKeys(node: JsonSchema | undefined): string[] {
  if (!node) return [];
  if (node.anyOf) return node.anyOf.flatMap(objectKeys);
  return Object.keys(node.properties ?? {});
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function expectedText(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

export interface IssueContext {
  data: unknown;
  schema: JsonSchema;
  /** Where a path's value came from; defaults to a line of the YAML source. */
  where(path: readonly PropertyKey[]): string;
}

/** One problem per schema issue; an unknown key gets "did you mean" and the keys allowed there. */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  context: IssueContext,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const allowedKeys = objectKeys(schemaAt(context.schema, path));
      for (const key of issue.keys) {
        const suggestion = closestMatch(key, allowedKeys);
        problems.push({
          where: context.where([...path, key]),
          path: formatPath([...path, key]),
          message: `unknown key${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
          allowed: allowedKeys.join(', '),
        });
      }
      continue;
    }
    const problem: ConfigProblem = {
      where: context.where(path),
      path: formatPath(path),
      message: issue.message,
    };
    const value = valueAt(context.data, path);
    if (issue.code === 'invalid_type') {
      problem.message =
        value === undefined
          ? 'is required'
          : `must be ${expectedText(issue.expected)}, not ${describeType(value)}`;
    } else if (issue.code === 'invalid_value') {
      problem.message = `'${String(value)}' is not allowed`;
      problem.allowed = issue.values.map(String).join(', ');
    } else if (issue.code === 'invalid_union') {
      problem.message = `${describeType(value)} does not fit here`;
      problem.allowed = schemaAt(context.schema, path)?.description;
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      if (issue.message.startsWith('Too ')) {
        const bound = issue.code === 'too_small' ? 'at least' : 'at most';
        const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : '';
        problem.message = `must be ${bound} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}${unit}`;
      }
    } else if (issue.code === 'custom') {
      const allowed = (issue.params as { allowed?: string } | undefined)?.allowed;
      if (allowed) problem.allowed = allowed;
    } else if (issue.code === 'invalid_format') {
      problem.message = issue.message.startsWith('Invalid')
        ? `does not match ${issue.format}`
        : issue.message;
    }
    problems.push(problem);
  }
  return problems;
}

/** Validates a parsed YAML file against a schema; returns the value or every problem found. */
export function validateSource<T extends z.ZodType>(
  source: YamlSource,
  schema: T,
  data: unknown = source.data(),
  where: (path: readonly PropertyKey[]) => string = (path) => source.where(path),
): { ok: true; value: z.output<T> } | { ok: false; problems: ConfigProblem[] } {
  if (source.syntaxProblems.length > 0) return { ok: false, problems: source.syntaxProblems };
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: problemsFromIssues(result.error.issues, { data, schema: jsonSchemaOf(schema), where }),
  };
}
