import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './load.ts';
import { ConfigError } from './report.ts';

const DIGEST =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

const STORAGE = `storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
`;

const OIDC = `identity_providers:
  oidc:
    hmac_secret: this-is-a-hmac-secret-of-at-least-32-characters
`;

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sesame-authelia-')), 'configuration.yml');
  writeFileSync(file, text);
  return file;
}

function problemLines(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(write(text), env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n');
  }
  assert.fail('expected the configuration to be refused');
}

describe('Authelia compatibility', () => {
  test('forward-auth without trusted_proxies, or a session without cookie domains, is a warning', () => {
    const session = `session:\n  cookies:\n    - domain: example.com\n      authelia_url: https://auth.example.com\n`;
    const warningsOf = (text: string) => loadConfig(write(STORAGE + text), {}).warnings.join('\n');
    assert.match(warningsOf(session), /server\.trusted_proxies: empty/);
    const trusted = `server:\n  trusted_proxies: [10.0.0.0/8]\n${STORAGE}`;
    assert.doesNotMatch(loadConfig(write(trusted + session), {}).warnings.join('\n'), /trusted_proxies/);
    assert.match(warningsOf('session:\n  name: sso\n'), /session\.cookies: no cookie domain/);
    assert.ok(
      problemLines(`server:\n  trusted_proxies: [proxy.lan]\n${STORAGE}`).some((line) =>
        /server\.trusted_proxies\[0\]: is not an IP address or CIDR \(allowed: an IP address or a CIDR/.test(
          line,
        ),
      ),
    );
  });

  test('without identity_providers Sesame has an engine with no clients and a key derived from the storage key', () => {
    const config = loadConfig(write(STORAGE), {});
    assert.deepEqual(config.identity_providers.oidc.clients, []);
    const secret = config.identity_providers.oidc.hmac_secret;
    assert.ok(secret.length >= 32);
    assert.ok(!secret.includes('a-very-long-encryption-key-for-tests'));
    assert.equal(
      loadConfig(write(STORAGE), {}).identity_providers.oidc.hmac_secret,
      secret,
      'stable across loads',
    );
    const other = loadConfig(write(STORAGE.replace('for-tests', 'for-others')), {});
    assert.notEqual(other.identity_providers.oidc.hmac_secret, secret);
  });

  test('a key without an equivalent is accepted with one warning naming it; a switched-off one without', () => {
    const config = loadConfig(
      write(`${STORAGE}theme: dark
ntp:
  address: udp://time.cloudflare.com:123
duo_api:
  disable: true
  hostname: api.example.com
notifier:
  smtp:
    address: submission://smtp.example.com:587
    password: mail-secret
    sender: Authelia <admin@example.com>
authentication_backend:
  refresh_interval: 5m
  file:
    path: users.yml
    watch: true
server:
  endpoints:
    enable_pprof: false
`),
      {},
    );
    assert.deepEqual(config.warnings, [
      'theme: accepted but not implemented: the pages follow the browser’s colour scheme',
      'ntp: accepted but not implemented: the clock is not checked against an NTP server at start (keep the host clock synchronised: one-time codes depend on it)',
      'authentication_backend.file.watch: accepted but not implemented: the users file is read at start; restart Sesame to apply changes',
      'server.endpoints.enable_pprof: accepted but not implemented: there are no Go profiling endpoints',
      'authentication_backend.refresh_interval: accepted but not implemented without ldap: user details are read when the users file is loaded (at start), not refreshed per session',
    ]);
    assert.ok(!JSON.stringify(config.warnings).includes('mail-secret'));
  });

  test('a security setting Sesame cannot honour yet is refused, not ignored', () => {
    const lines = problemLines(`${STORAGE}authentication_backend:
  password_change:
    disable: true
${OIDC}    enable_jwt_access_token_stateless_introspection: true
    clients:
      - client_id: app
        client_secret: '${DIGEST}'
        redirect_uris: ['https://app.example.com/cb']
        id_token_encrypted_response_alg: RSA-OAEP-256
        allow_multiple_auth_methods: true
        introspection_endpoint_auth_method: client_secret_basic
`);
    const text = lines.join('\n');
    for (const key of [
      'authentication_backend.password_change.disable: true is not supported yet by Sesame',
      'identity_providers.oidc.enable_jwt_access_token_stateless_introspection: true is not supported yet',
      'identity_providers.oidc.clients[0].id_token_encrypted_response_alg: not supported yet by Sesame (allowed: none, or remove this key)',
      'identity_providers.oidc.clients[0].allow_multiple_auth_methods: true is not supported yet',
      'identity_providers.oidc.clients[0].introspection_endpoint_auth_method: not supported yet',
    ])
      assert.ok(text.includes(key), `missing ${key} in\n${text}`);
    // Authelia's defaults of the same keys load.
    loadConfig(
      write(`${STORAGE}authentication_backend:
  password_change: { disable: false }
${OIDC}    enable_jwt_access_token_stateless_introspection: false
    clients:
      - client_id: app
        client_secret: '${DIGEST}'
        redirect_uris: ['https://app.example.com/cb']
        id_token_encrypted_response_alg: none
        allow_multiple_auth_methods: false
`),
      {},
    );
  });

  test('a client_credentials-only client gets no response types and needs no redirect URIs, as in Authelia', () => {
    const config = loadConfig(
      write(`${STORAGE}${OIDC}    clients:
      - client_id: machine
        client_secret: '${DIGEST}'
        grant_types: [client_credentials]
        token_endpoint_auth_method: client_secret_post
      - client_id: web
        client_secret: '${DIGEST}'
        redirect_uris: ['https://app.example.com/cb']
`),
      {},
    );
    const [machine, web] = config.identity_providers.oidc.clients;
    assert.deepEqual(machine!.response_types, []);
    assert.deepEqual(machine!.redirect_uris, []);
    assert.deepEqual(web!.response_types, ['code']);
    const lines = problemLines(`${STORAGE}${OIDC}    clients:
      - client_id: web
        client_secret: '${DIGEST}'
`);
    assert.ok(
      lines.some((line) =>
        line.endsWith(
          'clients[0].redirect_uris: is required for clients that use the authorization endpoint',
        ),
      ),
      lines.join('\n'),
    );
  });

  test('file.password (Authelia’s place, with its legacy flat keys) sets the hashing unless password_hashing does', () => {
    const config = loadConfig(
      write(`${STORAGE}authentication_backend:
  file:
    path: users.yml
    password:
      algorithm: argon2
      iterations: 4
      memory: 32768
      argon2:
        parallelism: 2
`),
      {},
    );
    const hashing = config.authentication_backend.password_hashing;
    assert.equal(hashing.algorithm, 'argon2');
    assert.deepEqual(
      [hashing.argon2.iterations, hashing.argon2.memory, hashing.argon2.parallelism],
      [4, 32768, 2],
    );
    const both = loadConfig(
      write(`${STORAGE}authentication_backend:
  password_hashing: { algorithm: pbkdf2 }
  file:
    path: users.yml
    password: { algorithm: bcrypt }
`),
      {},
    );
    assert.equal(both.authentication_backend.password_hashing.algorithm, 'pbkdf2');
  });

  test('the legacy issuer_private_key becomes the one RS256 key of jwks; with jwks it is refused', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const indented = String(key).trim().replaceAll('\n', '\n      ');
    const config = loadConfig(write(`${STORAGE}${OIDC}    issuer_private_key: |\n      ${indented}\n`), {});
    assert.equal(config.identity_providers.oidc.jwks.length, 1);
    assert.equal(config.identity_providers.oidc.jwks[0]!.algorithm, 'RS256');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const lines = problemLines(
      `${STORAGE}${OIDC}    issuer_private_key: |\n      ${String(ec).trim().replaceAll('\n', '\n      ')}\n`,
    );
    assert.ok(
      lines.some((line) =>
        line.endsWith('identity_providers.oidc.issuer_private_key: is not a PEM RSA private key'),
      ),
      lines.join('\n'),
    );
  });

  test('AUTHELIA_ variables set keys as SESAME_ ones do; unknown ones are a warning, as in Authelia', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-authelia-env-'));
    const secretFile = join(dir, 'key');
    writeFileSync(secretFile, 'an-encryption-key-from-a-file\n');
    const file = write('storage:\n  local:\n    path: db.sqlite3\n');
    const config = loadConfig(file, {
      AUTHELIA_STORAGE_ENCRYPTION_KEY_FILE: secretFile,
      AUTHELIA_SERVER_ADDRESS: 'tcp://127.0.0.1:9999/',
      AUTHELIA_NOT_A_KEY: 'x',
    });
    assert.equal(config.storage.encryption_key, 'an-encryption-key-from-a-file');
    assert.equal(config.server.address, 'tcp://127.0.0.1:9999/');
    assert.ok(
      config.warnings.some((line) =>
        /^environment AUTHELIA_NOT_A_KEY: is not a configuration variable.*; ignored$/.test(line),
      ),
      config.warnings.join('\n'),
    );
    const lines = problemLines('storage:\n  local:\n    path: db.sqlite3\n', {
      AUTHELIA_STORAGE_ENCRYPTION_KEY: 'a-very-long-encryption-key-for-tests',
      SESAME_STORAGE_ENCRYPTION_KEY: 'a-very-long-encryption-key-for-tests',
    });
    assert.ok(
      lines.includes(
        'environment SESAME_STORAGE_ENCRYPTION_KEY storage.encryption_key: both AUTHELIA_STORAGE_ENCRYPTION_KEY and SESAME_STORAGE_ENCRYPTION_KEY are set (allowed: one of them)',
      ),
      lines.join('\n'),
    );
  });

  test('X_AUTHELIA_CONFIG_FILTERS=template renders the file before it is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-authelia-tpl-'));
    writeFileSync(join(dir, 'hmac'), 'a-hmac-secret-from-a-file-of-at-least-32-characters\n');
    const file = write(`${STORAGE}identity_providers:
  oidc:
    hmac_secret: {{ secret "${join(dir, 'hmac')}" | squote }}
server:
  address: 'tcp://{{ env "HOST" }}:9091/'
`);
    const config = loadConfig(file, { X_AUTHELIA_CONFIG_FILTERS: 'template', HOST: '127.0.0.2' });
    assert.equal(
      config.identity_providers.oidc.hmac_secret,
      'a-hmac-secret-from-a-file-of-at-least-32-characters',
    );
    assert.equal(config.server.address, 'tcp://127.0.0.2:9091/');
    const same = loadConfig(file, { SESAME_CONFIG_FILTERS: 'template', HOST: '127.0.0.2' });
    assert.equal(same.server.address, 'tcp://127.0.0.2:9091/');
  });
});
