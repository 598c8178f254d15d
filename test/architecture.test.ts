// The shape of src/ that docs/architecture.md describes, checked on every run: imports point one
// way (down the layers), the HTTP and CLI layers reach the database and the audit log only through
// services, and no function grows past what a reader takes in at once.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '../src');

/** Each top-level folder of src/ and its layer: a module may import from its own layer or below. */
export const LAYERS: Record<string, number> = {
  lib: 0,
  crypto: 1,
  config: 1,
  store: 1,
  oidc: 2,
  auth: 2,
  factors: 2,
  apps: 2,
  notify: 2,
  services: 3,
  http: 4,
  web: 5,
  api: 5,
  server: 6,
  cli: 6,
};

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every relative import and re-export in src/, resolved to a path under src/. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      const clause = statement.importClause;
      typeOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((element) => element.isTypeOnly));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.isTypeOnly;
    }
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    found.push({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), specifier.text)),
      typeOnly,
    });
  }
  return found;
}

const layerOf = (path: string): string => path.split('/')[0]!;

/** The longest function src/ may hold, in lines (a page, an endpoint, a command is a few short steps). */
const MAX_FUNCTION_LINES = 80;

/** The transports: they call services and render what comes back. */
const TRANSPORTS = ['web', 'api', 'cli'];

/** A repository (or a transaction) used directly, or an audit event written by hand. */
const STORE_ACCESS =
  /\b(?:store|tx|repositories)\.(?:users|groups|clients|applications|artifacts|events|factors|signingKeys|apiTokens|passwords|transaction)\b|\.events\.append\(/;

interface FunctionSize {
  where: string;
  lines: number;
}

function functionSizes(file: string): FunctionSize[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const line = (position: number) => source.getLineAndCharacterOfPosition(position).line;
      const start = line(node.getStart(source));
      sizes.push({ where: `${relative(SRC, file)}:${start + 1}`, lines: line(node.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

const IMPORTS = sourceFiles(SRC).flatMap(importsOf);

describe('architecture', () => {
  test('every folder of src/ has a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    assert.deepEqual(
      folders.filter((folder) => LAYERS[folder] === undefined),
      [],
    );
    assert.deepEqual(
      readdirSync(SRC).filter((name) => name.endsWith('.ts')),
      [],
      'modules live in a layer folder',
    );
  });

  test('no import points up a layer', () => {
    assert.ok(IMPORTS.length > 200, 'the imports were read');
    const upward = IMPORTS.filter(({ from, to }) => LAYERS[layerOf(to)]! > LAYERS[layerOf(from)]!).map(
      ({ from, to }) => `${from} -> ${to}`,
    );
    assert.deepEqual(upward, []);
  });

  test('the web pages, the admin API and the CLI touch no repository and write no audit event', () => {
    const files = sourceFiles(SRC).filter((file) => TRANSPORTS.includes(layerOf(relative(SRC, file))));
    assert.ok(files.length > 50, 'the transports were read');
    const direct = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((text, index) => (STORE_ACCESS.test(text) ? [`${relative(SRC, file)}:${index + 1}`] : [])),
    );
    assert.deepEqual(direct, []);
  });

  test(`no function in src/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const sizes = sourceFiles(SRC).flatMap(functionSizes);
    assert.ok(sizes.length > 500, 'the functions were read');
    const long = sizes
      .filter(({ lines }) => lines > MAX_FUNCTION_LINES)
      .map(({ where, lines }) => `${where} (${lines})`);
    assert.deepEqual(long, []);
  });

  test('folders of one layer do not import each other both ways', () => {
    const edges = new Set(
      IMPORTS.filter(({ from, to }) => layerOf(from) !== layerOf(to)).map(
        ({ from, to }) => `${layerOf(from)}>${layerOf(to)}`,
      ),
    );
    const both = [...edges].filter((edge) => {
      const [a, b] = edge.split('>');
      return a! < b! && edges.has(`${b}>${a}`);
    });
    assert.deepEqual(both, []);
  });
});
