// Renders docs/configuration.md from the schema, so the reference cannot drift from the code.
import { envKeys } from './env.ts';
import { configJsonSchema } from './load.ts';
import type { JsonSchema } from './report.ts';

function typeOf(node: JsonSchema): string {
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' | ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object' && !node.properties) return 'map';
  if (node.type === 'object') return 'mapping';
  return String(node.type ?? 'value');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultOf(node: JsonSchema): string {
  if (node.default === undefined) return '';
  const text = JSON.stringify(node.default);
  return text === '{}' ? '' : `\`${text}\``;
}

interface Row {
  path: string;
  node: JsonSchema;
  required: boolean;
}

function rows(node: JsonSchema, path: string, required: boolean, into: Row[]): void {
  const objectLike = node.anyOf?.find((option) => option.properties) ?? (node.properties ? node : undefined);
  if (path) into.push({ path, node, required });
  if (objectLike) {
    const requiredKeys = new Set((objectLike.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(objectLike.properties ?? {}))
      rows(child, path ? `${path}.${key}` : key, requiredKeys.has(key) && child.default === undefined, into);
  } else if (node.type === 'array' && node.items?.properties) {
    rows(node.items, `${path}[]`, false, into);
    into.splice(
      into.findIndex((row) => row.path === `${path}[]`),
      1,
    );
  } else if (node.type === 'object' && typeof node.additionalProperties === 'object') {
    rows(node.additionalProperties, `${path}.<name>`, false, into);
    into.splice(
      into.findIndex((row) => row.path === `${path}.<name>`),
      1,
    );
  }
}

export function renderConfigReference(): string {
  const schema = configJsonSchema();
  const env = new Map(envKeys(schema).map((key) => [key.path.join('.'), key]));
  const all: Row[] = [];
  rows(schema, '', true, all);
  const sections = new Map<string, Row[]>();
  for (const row of all) {
    const top = row.path.split('.')[0]!;
    if (!sections.has(top)) sections.set(top, []);
    sections.get(top)!.push(row);
  }
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Sesame reads one YAML file (`--config PATH`, or `SESAME_CONFIG`; `./data/sesame.yml` by default, created',
    'with random secrets on first start). Keys follow Authelia’s names where the same setting exists.',
    '',
    '- Every scalar key can be overridden by an environment variable named after its path:',
    '  `server.address` → `SESAME_SERVER_ADDRESS`. Lists take comma-separated values.',
    '- Every secret can be read from a file instead: `SESAME_STORAGE_ENCRYPTION_KEY_FILE=/run/secrets/key`.',
    '- Relative file paths are relative to the configuration file’s folder.',
    '- Durations are a number of seconds or text such as `90s`, `5m`, `1h30m`, `7d`, `1w`.',
    '- Problems are reported all at once as `file:line key.path: what is wrong (allowed: …)` and the',
    '  server does not start; `sesame config validate` prints the same report.',
    '',
  ];
  for (const [section, sectionRows] of sections) {
    out.push(`## \`${section}\``, '');
    const description = sectionRows[0]?.node.description;
    if (description) out.push(description, '');
    out.push('| key | type | default | description |', '| --- | --- | --- | --- |');
    for (const row of sectionRows.slice(1)) {
      const key = env.get(row.path);
      const notes = [
        row.node.description ?? '',
        row.required ? '**Required.**' : '',
        row.node.secret === true ? `Secret: never logged${key ? `; also \`${key.name}_FILE\`` : ''}.` : '',
        key ? `Env: \`${key.name}\`.` : '',
      ].filter(Boolean);
      out.push(
        `| \`${row.path}\` | ${cell(typeOf(row.node))} | ${defaultOf(row.node)} | ${cell(notes.join(' '))} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
