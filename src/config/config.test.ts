import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderConfigReference } from './docs.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { writeDevelopmentConfig } from './generate.ts';
import { loadConfig } from './load.ts';
import { ConfigError, formatProblems } from './report.ts';

const LIBRECHAT_DIGEST =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sesame-config-'));
}

function write(text: string, dir = tempDir()): string {
  const file = join(dir, 'sesame.yml');
  writeFileSync(file, text);
  return file;
}

const BASE = `server:
  address: tcp://127.0.0.1:9091/
  external_url: https://auth.example.com/
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: this-is-a-hmac-secret-of-at-least-32-characters
`;

/** Loads a config expected to fail and returns its report lines. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): { file: string; lines: string[] } {
  const file = write(text);
  try {
    loadConfig(file, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { file, lines: formatProblems(error.problems).split('\n') };
  }
  assert.fail('the configuration was accepted');
}

describe('durations', () => {
  test('parse Authelia-style durations', () => {
    assert.equal(parseDuration('90m'), 5400);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('1w'), 604800);
    assert.equal(parseDuration('2 days'), 172800);
    assert.equal(parseDuration(300), 300);
    assert.equal(parseDuration('300'), 300);
    assert.equal(parseDuration('1 fortnight'), undefined);
    assert.equal(parseDuration('-5m'), undefined);
    assert.equal(parseDuration('5m junk'), undefined);
    assert.equal(formatDuration(5400), '90m');
    assert.equal(formatDuration(86400), '1d');
  });
});

describe('loading', () => {
  test('the generated development configuration loads, is private, and is never rewritten', () => {
    const dir = tempDir();
    const file = join(dir, 'data', 'sesame.yml');
    assert.equal(writeDevelopmentConfig(file), true);
    const first = readFileSync(file, 'utf8');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(writeDevelopmentConfig(file), false);
    assert.equal(readFileSync(file, 'utf8'), first, 'a second start must not regenerate secrets');
    const config = loadConfig(file, {});
    assert.equal(config.storage.local?.path, join(dir, 'data', 'db.sqlite3'));
    assert.equal(config.externalUrl, 'http://127.0.0.1:9091');
    assert.match(config.storage.encryption_key, /^[A-Za-z0-9]{64}$/);
    assert.notEqual(config.storage.encryption_key, config.identity_providers.oidc.hmac_secret);
  });

  test('an Authelia client section loads as it is, with Authelia defaults', () => {
    const file = write(`${BASE}    clients:
      - client_id: 'librechat'
        client_name: 'LibreChat'
        client_secret: '${LIBRECHAT_DIGEST}'
        public: false
        authorization_policy: 'two_factor'
        redirect_uris:
          - 'https://librechat.example.com/oauth/openid/callback'
        scopes:
          - 'openid'
          - 'profile'
          - 'email'
        userinfo_signed_response_alg: 'none'
      - client_id: spa
        public: true
        require_pkce: true
        pkce_challenge_method: S256
        redirect_uris:
          - url: 'https://(www\\.)?spa\\.example\\.com/callback'
            matching_mode: regex
        pre_configured_consent_duration: 1w
`);
    const config = loadConfig(file, {});
    const [librechat, spa] = config.identity_providers.oidc.clients;
    assert.equal(librechat?.client_secret, LIBRECHAT_DIGEST);
    assert.deepEqual(librechat?.redirect_uris, [
      { url: 'https://librechat.example.com/oauth/openid/callback', matching_mode: 'strict' },
    ]);
    assert.deepEqual(librechat?.grant_types, ['authorization_code']);
    assert.deepEqual(librechat?.response_modes, ['form_post', 'query']);
    assert.equal(librechat?.id_token_signed_response_alg, 'RS256');
    assert.equal(spa?.redirect_uris[0]?.matching_mode, 'regex');
    assert.equal(spa?.pre_configured_consent_duration, 604800);
    assert.equal(config.identity_providers.oidc.lifespans.access_token, 3600);
    assert.equal(config.identity_providers.oidc.lifespans.refresh_token, 5400);
    assert.equal(config.externalUrl, 'https://auth.example.com', 'the global issuer has no trailing slash');
  });

  test('every problem is reported at once as file:line key.path: what (allowed: …)', () => {
    const { file, lines } = problems(`${BASE}    enforce_pkce: sometimes
    clients:
      - client_id: 'has space'
        client_secret: '${LIBRECHAT_DIGEST}'
        redirect_uris: ['https://a.example.com/cb']
      - client_id: '${'x'.repeat(101)}'
        client_secret: '$pbkdf2-sha512$310000$not*base64$abc'
        redirect_uris: ['/relative/callback']
      - client_id: twin
        client_secret: plain-but-allowed
        redirect_uris:
          - url: 'https://(unclosed.example.com'
            matching_mode: regex
      - client_id: twin
        client_secret: plain-but-allowed
        redirect_uris: ['https://b.example.com/cb']
        authorization_policy: three_factor
sever:
  address: tcp://:9091/
`);
    const expected = [
      `${file}:11 identity_providers.oidc.enforce_pkce: 'sometimes' is not allowed (allowed: public_clients_only, always, never)`,
      `${file}:13 identity_providers.oidc.clients[0].client_id: may only contain RFC 3986 unreserved characters`,
      `${file}:16 identity_providers.oidc.clients[1].client_id: is longer than 100 characters`,
      `${file}:18 identity_providers.oidc.clients[1].redirect_uris[0]: '/relative/callback' is not an absolute URI (allowed: an absolute URI without a fragment, or { url, matching_mode: regex } with an RE2 regular expression)`,
    ];
    for (const line of expected)
      assert.ok(lines.includes(line), `missing:\n${line}\nin:\n${lines.join('\n')}`);
    // The allowed top-level keys grow with every Authelia section: check the start and one of them.
    const unknown = `${file}:28 sever: unknown key (did you mean 'server'?) (allowed: server, branding, log, `;
    assert.ok(
      lines.some((line) => line.startsWith(unknown) && line.includes(' identity_providers')),
      lines.join('\n'),
    );
    const has = (pattern: RegExp) =>
      assert.ok(
        lines.some((line) => pattern.test(line)),
        `no line matches ${pattern}:\n${lines.join('\n')}`,
      );
    has(/:17 identity_providers\.oidc\.clients\[1\]\.client_secret: malformed digest: .+ \(allowed: /);
    has(
      /:22 identity_providers\.oidc\.clients\[2\]\.redirect_uris\[0\]: '.+' is not a valid RE2 regular expression/,
    );
    has(/:24 identity_providers\.oidc\.clients\[3\]\.client_id: 'twin' is already used by clients\[2\]/);
    has(
      /:27 identity_providers\.oidc\.clients\[3\]\.authorization_policy: 'three_factor' is not a policy \(allowed: one_factor, two_factor, deny\)/,
    );
    assert.ok(
      !lines.some((line) => line.includes('insecure') || line.includes('JNRBzw')),
      'no secret is echoed',
    );
  });

  test('keys Sesame does not implement yet are refused by name, never silently ignored', () => {
    const { file, lines } = problems(`${BASE}    cors:
      endpoints: [token, device-authorization]
    claims_policies:
      narrow: { id_token: [email] }
    clients:
      - client_id: ambitious
        client_secret: ambitious-secret-0123456789
        redirect_uris: ['https://a.example.com/cb']
        audience: ['api.example.com']
        request_uris: ['https://a.example.com/request.jwt']
        claims_policy: narrow
        requested_audience_mode: always
        response_modes: [query, jwt]
        id_token_signed_response_key_id: main
        access_token_signed_response_alg: ES512
        authorization_signed_response_alg: ES256
        pkce_challenge_method: plain
      - client_id: hybrid
        client_secret: hybrid-secret-0123456789
        redirect_uris: ['https://a.example.com/cb']
        grant_types: [authorization_code, implicit]
        response_types: [code, code id_token]
        id_token_signed_response_alg: ES384
`);
    const expected = [
      `${file}:13 identity_providers.oidc.claims_policies: not supported yet by Sesame (allowed: remove this key)`,
      `${file}:19 identity_providers.oidc.clients[0].audience[0]: 'api.example.com' is not an absolute URI without a fragment (allowed: e.g. https://api.example.com)`,
      `${file}:20 identity_providers.oidc.clients[0].request_uris: not supported yet by Sesame (allowed: remove this key)`,
      `${file}:21 identity_providers.oidc.clients[0].claims_policy: not supported yet by Sesame (allowed: remove this key)`,
      `${file}:22 identity_providers.oidc.clients[0].requested_audience_mode: 'always' is not allowed (allowed: explicit, implicit)`,
      `${file}:23 identity_providers.oidc.clients[0].response_modes[1]: 'jwt' (JARM) is not supported yet by Sesame (allowed: form_post, query, fragment)`,
      `${file}:24 identity_providers.oidc.clients[0].id_token_signed_response_key_id: not supported yet by Sesame (allowed: remove this key)`,
      `${file}:25 identity_providers.oidc.clients[0].access_token_signed_response_alg: ES512 needs a signing key for it in identity_providers.oidc.jwks (allowed: a jwks entry with algorithm: ES512, or RS256, PS256, ES256, EdDSA …)`,
      `${file}:26 identity_providers.oidc.clients[0].authorization_signed_response_alg: 'ES256' is not supported yet by Sesame (allowed: none)`,
      `${file}:27 identity_providers.oidc.clients[0].pkce_challenge_method: plain is not supported (OAuth 2.1 removed it); use S256 (allowed: S256)`,
      `${file}:31 identity_providers.oidc.clients[1].grant_types[1]: 'implicit' is not supported yet by Sesame`,
      `${file}:32 identity_providers.oidc.clients[1].response_types[1]: 'code id_token' is not supported yet by Sesame`,
      `${file}:33 identity_providers.oidc.clients[1].id_token_signed_response_alg: ES384 needs a signing key for it in identity_providers.oidc.jwks (allowed: a jwks entry with algorithm: ES384, or RS256, PS256, ES256, EdDSA …)`,
    ];
    for (const line of expected)
      assert.ok(lines.includes(line), `missing:\n${line}\nin:\n${lines.join('\n')}`);
    // What they mean when left at Authelia's defaults is what Sesame does: those still load.
    const file2 = write(`${BASE}    claims_policies: {}
    clients:
      - client_id: plain-defaults
        client_secret: plain-defaults-secret-0123456789
        redirect_uris: ['https://a.example.com/cb']
        audience: []
        request_uris: []
        access_token_signed_response_alg: none
        pkce_challenge_method: S256
`);
    const client = loadConfig(file2, {}).identity_providers.oidc.clients[0]!;
    assert.equal(client.pkce_challenge_method, 'S256');
  });

  test('client rules that depend on each other', () => {
    const { lines } = problems(`${BASE}    clients:
      - client_id: public-with-secret
        public: true
        client_secret: nope
        redirect_uris: ['https://a.example.com/cb']
        grant_types: [authorization_code, client_credentials]
      - client_id: confidential-without-secret
        redirect_uris: ['https://a.example.com/cb']
      - client_id: jwt-with-digest
        client_secret: '${LIBRECHAT_DIGEST}'
        token_endpoint_auth_method: client_secret_jwt
        redirect_uris: ['https://a.example.com/cb']
      - client_id: unknown-scope
        client_secret: x
        redirect_uris: ['https://a.example.com/cb']
        scopes: [openid, telepathy]
`);
    const text = lines.join('\n');
    assert.match(text, /clients\[0\]\.client_secret: must not be set for a public client/);
    assert.match(text, /clients\[0\]\.grant_types: client_credentials is not allowed for a public client/);
    assert.match(text, /clients\[1\]\.client_secret: is required for a confidential client/);
    assert.match(text, /clients\[2\]\.client_secret: client_secret_jwt needs the plaintext secret/);
    assert.match(text, /clients\[3\]\.scopes\[1\]: 'telepathy' is not a known scope \(allowed: openid, /);
  });

  test('storage needs exactly one backend; a wrong type says what it got', () => {
    const { file, lines } = problems(`server:
  address: 9091
storage:
  encryption_key: short
identity_providers:
  oidc:
    hmac_secret: this-is-a-hmac-secret-of-at-least-32-characters
`);
    assert.ok(lines.includes(`${file}:2 server.address: must be a string, not a number`), lines.join('\n'));
    assert.ok(
      lines.includes(`${file}:4 storage.encryption_key: must be at least 20 characters`),
      lines.join('\n'),
    );
    assert.ok(
      lines.includes(
        `${file}:3 storage: no storage backend is configured (allowed: exactly one of storage.local, storage.postgres or storage.mysql)`,
      ),
      lines.join('\n'),
    );
  });

  test('a YAML syntax error names its line', () => {
    const { file, lines } = problems('server:\n  address: [unclosed\nstorage: {}\n');
    assert.equal(lines.length >= 1, true);
    assert.match(
      lines[0]!,
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: YAML syntax error`),
    );
  });

  test('a missing file says so', () => {
    assert.throws(() => loadConfig(join(tempDir(), 'nope.yml'), {}), /the configuration file does not exist/);
  });
});

describe('environment', () => {
  test('SESAME_* overrides keys and SESAME_*_FILE reads secrets', () => {
    const dir = tempDir();
    const file = write(BASE, dir);
    const secretFile = join(dir, 'encryption_key');
    writeFileSync(secretFile, 'key-from-a-docker-secret-file\n');
    const config = loadConfig(file, {
      SESAME_SERVER_ADDRESS: 'tcp://0.0.0.0:8080/',
      SESAME_LOG_LEVEL: 'debug',
      SESAME_STORAGE_ENCRYPTION_KEY_FILE: secretFile,
      SESAME_IDENTITY_PROVIDERS_OIDC_MINIMUM_PARAMETER_ENTROPY: '-1',
      SESAME_SERVER_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1',
      SESAME_CONFIG: file,
      UNRELATED: 'ignored',
    });
    assert.equal(config.server.address, 'tcp://0.0.0.0:8080/');
    assert.equal(config.log.level, 'debug');
    assert.equal(config.storage.encryption_key, 'key-from-a-docker-secret-file');
    assert.equal(config.identity_providers.oidc.minimum_parameter_entropy, -1);
    assert.deepEqual(config.server.trusted_proxies, ['10.0.0.0/8', '192.168.1.1']);
  });

  test('environment problems name the variable', () => {
    const { lines } = problems(BASE, {
      SESAME_SERVER_ADRESS: 'tcp://:1/',
      SESAME_LOG_LEVEL: 'loud',
      SESAME_STORAGE_ENCRYPTION_KEY: 'x'.repeat(30),
      SESAME_STORAGE_ENCRYPTION_KEY_FILE: '/nonexistent',
      SESAME_SERVER_EXTERNAL_URL_FILE: '/not-a-secret',
    });
    const text = lines.join('\n');
    assert.match(
      text,
      /^environment SESAME_SERVER_ADRESS: is not a configuration variable \(did you mean SESAME_SERVER_ADDRESS\?\)/m,
    );
    assert.match(
      text,
      /^environment SESAME_LOG_LEVEL log\.level: 'loud' is not allowed \(allowed: trace, debug, info/m,
    );
    assert.match(
      text,
      /^environment SESAME_STORAGE_ENCRYPTION_KEY_FILE storage\.encryption_key: both SESAME_STORAGE_ENCRYPTION_KEY and/m,
    );
    assert.match(text, /^environment SESAME_SERVER_EXTERNAL_URL_FILE: is not a configuration variable/m);
  });
});

test('docs/configuration.md is generated from the schema and up to date', () => {
  const current = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.ok(
    current === renderConfigReference(),
    'docs/configuration.md is stale: run `npm run docs:config` and commit it',
  );
  assert.match(current, /`identity_providers\.oidc\.clients\[\]\.client_secret`/);
  assert.match(current, /SESAME_STORAGE_POSTGRES_PASSWORD_FILE/);
});
