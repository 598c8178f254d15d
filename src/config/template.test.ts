import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from './report.ts';
import { expandEnv, renderFilters, renderTemplate } from './template.ts';

const dir = mkdtempSync(join(tmpdir(), 'sesame-template-'));
const pem = join(dir, 'key.pem');
writeFileSync(pem, 'line one\nline two\n\n');
const env = {
  NAME: 'value',
  AUTHELIA_STORAGE_ENCRYPTION_KEY: 'hidden',
  X_AUTHELIA_JWT_SECRET: 'hidden',
  EMPTY: '',
};
const render = (text: string) => renderTemplate(text, '/etc/sesame.yml', env);

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('template filter', () => {
  test('env and mustEnv read variables, never configuration secrets', () => {
    assert.equal(render('a: {{ env "NAME" }}'), 'a: value');
    assert.equal(render('a: {{ env "MISSING" }}'), 'a: ');
    assert.equal(
      render('{{ env "AUTHELIA_STORAGE_ENCRYPTION_KEY" }}|{{ env "X_AUTHELIA_JWT_SECRET" }}'),
      '|',
    );
    assert.equal(render('{{ mustEnv "NAME" }}'), 'value');
    assert.match(
      problemOf(() => render('x\n{{ mustEnv "MISSING" }}')),
      /sesame\.yml:2: template: environment variable 'MISSING' isn't set/,
    );
  });

  test('secret strips trailing newlines, fileContent keeps them', () => {
    assert.equal(render(`{{ secret "${pem}" }}`), 'line one\nline two');
    assert.equal(render(`{{ fileContent "${pem}" }}`), 'line one\nline two\n\n');
    assert.match(
      problemOf(() => render('{{ secret "/nonexistent/file" }}')),
      /:1: template: secret '\/nonexistent\/file': ENOENT/,
    );
  });

  test('mindent and msquote make a multi-line value a YAML block, a single line a quoted scalar', () => {
    const yaml = `key: {{ secret "${pem}" | mindent 2 "|" | msquote }}`;
    assert.equal(render(yaml), 'key: |\n  line one\n  line two');
    assert.equal(render('key: {{ env "NAME" | mindent 2 "|" | msquote }}'), "key: 'value'");
    assert.equal(render('key: {{ env "NAME" | mquote }}'), 'key: "value"');
  });

  test('quoting, indentation, hashing and encoding functions', () => {
    assert.equal(render('{{ quote "a\\"b" }}'), '"a\\"b"');
    assert.equal(render('{{ squote "a" "b" }}'), "'a' 'b'");
    assert.equal(render('{{ "x\\ny" | indent 2 }}'), '  x\n  y');
    assert.equal(render('{{ "x" | nindent 4 }}'), '\n    x');
    assert.equal(render('{{ "abc" | sha256sum }}'), createHash('sha256').update('abc').digest('hex'));
    assert.equal(render('{{ "abc" | sha1sum }}'), createHash('sha1').update('abc').digest('hex'));
    assert.equal(render('{{ "abc" | sha512sum }}'), createHash('sha512').update('abc').digest('hex'));
    assert.equal(render('{{ "hello" | b64enc }}|{{ "aGVsbG8=" | b64dec }}'), 'aGVsbG8=|hello');
    assert.equal(render('{{ "hello" | b32enc }}|{{ "NBSWY3DP" | b32dec }}'), 'NBSWY3DP|hello');
  });

  test('string, list and path functions', () => {
    assert.equal(render('{{ "A b" | lower }} {{ "a" | upper }} {{ "  t  " | trim }}'), 'a b A t');
    assert.equal(
      render('{{ trimAll "-" "--x--" }} {{ trimPrefix "ab" "abc" }} {{ trimSuffix "bc" "abc" }}'),
      'x c a',
    );
    assert.equal(render('{{ replace "a" "o" "banana" }}'), 'bonono');
    assert.equal(
      render('{{ contains "an" "banana" }} {{ hasPrefix "b" "banana" }} {{ hasSuffix "x" "banana" }}'),
      'true true false',
    );
    assert.equal(render('{{ splitList "," "a,b" | join ";" }}'), 'a;b');
    assert.equal(render('{{ list "a" "b" }}'), '[a b]');
    assert.equal(
      render('{{ env "EMPTY" | default "fallback" }} {{ env "NAME" | default "fallback" }}'),
      'fallback value',
    );
    assert.equal(render('{{ empty "" }} {{ empty "x" }}'), 'true false');
    assert.equal(
      render(
        '{{ base "/a/b.pem" }} {{ dir "/a/b.pem" }} {{ ext "/a/b.pem" }} {{ isAbs "a" }} {{ clean "/a/../b/" }}',
      ),
      'b.pem /a .pem false /b',
    );
    assert.equal(render('{{ urlquery "a b&c" }} {{ urlunquery "a+b%26c" }}'), 'a+b%26c a b&c');
    assert.match(
      render('{{ uuidv4 }}'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(render('{{ (env "NAME") | upper }}'), 'VALUE');
  });

  test('trim markers and comments', () => {
    assert.equal(render('a  {{- env "NAME" -}}  b'), 'avalueb');
    assert.equal(render('a{{/* a comment */}}b'), 'ab');
    assert.equal(render('a {{- /* trimmed */ -}} b'), 'ab');
  });

  test('what the subset does not cover is refused with the file and line', () => {
    assert.match(
      problemOf(() => render('a: 1\nb: {{ nosuch "x" }}')),
      /^\/etc\/sesame\.yml:2: template: function 'nosuch' is not defined \(known: env, /,
    );
    assert.match(
      problemOf(() => render('{{ if true }}x{{ end }}')),
      /:1: template: 'if' is not supported/,
    );
    assert.match(
      problemOf(() => render('{{ .Values }}')),
      /variables and fields are not supported/,
    );
    assert.match(
      problemOf(() => render('\n\n{{ env "A"')),
      /:3: template: unclosed action/,
    );
    assert.match(
      problemOf(() => render('{{ indent "x" "y" }}')),
      /indent needs a whole number/,
    );
    assert.match(
      problemOf(() => render('{{ env }}')),
      /env takes 1 argument, not 0/,
    );
    assert.match(
      problemOf(() => render('{{ "x" "y" }}')),
      /'"x"' is not a function/,
    );
  });
});

describe('filters', () => {
  test('expand-env replaces $VAR and ${VAR}, hiding secrets', () => {
    assert.equal(
      expandEnv('a: $NAME ${NAME} $$ ${AUTHELIA_STORAGE_ENCRYPTION_KEY}.', env),
      'a: value value $ .',
    );
  });

  test('filters apply in the order named; an unknown or repeated one is refused', () => {
    const options = { file: '/etc/sesame.yml', variable: 'X_AUTHELIA_CONFIG_FILTERS', env };
    assert.equal(
      renderFilters('{{ env "NAME" }} $NAME', { ...options, filters: 'template, expand-env' }),
      'value value',
    );
    assert.match(
      problemOf(() => renderFilters('', { ...options, filters: 'template,jinja' })),
      /^environment X_AUTHELIA_CONFIG_FILTERS: 'jinja' is not a filter \(allowed: template, expand-env\)/,
    );
    assert.match(
      problemOf(() => renderFilters('', { ...options, filters: 'template,template' })),
      /named twice/,
    );
  });
});
