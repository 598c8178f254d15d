// storage.mysql as Authelia writes it: its keys, secrets from files, and clear refusals.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './load.ts';
import { configProblems, writeConfigFile } from '../../test/support/config.ts';

const HEAD = `server:
  address: tcp://127.0.0.1:9091/
  external_url: https://auth.example.com/
identity_providers:
  oidc:
    hmac_secret: this-is-a-hmac-secret-of-at-least-32-characters
storage:
  encryption_key: a-very-long-encryption-key-for-tests
`;

const write = writeConfigFile;
const problems = configProblems;

test("the storage section of Authelia's HighAvailability suite loads as it is", () => {
  const { file } = write(`${HEAD}  mysql:
    address: 'tcp://mariadb:3306'
    database: 'authelia'
    username: 'admin'
    password: 'password'
`);
  const { mysql } = loadConfig(file, {}).storage;
  assert.deepEqual(mysql, {
    address: 'tcp://mariadb:3306',
    database: 'authelia',
    username: 'admin',
    password: 'password',
    timeout: 5,
    max_connections: 10,
  });
});

test('the password and the TLS private key can come from files; TLS versions are Authelia’s', () => {
  const { dir, file } = write(`${HEAD}  mysql:
    address: tcp://db.example.com
    database: sesame
    username: sesame
    timeout: 10s
    tls:
      server_name: mysql.internal
      minimum_version: TLS 1.3
`);
  const secret = join(dir, 'password');
  writeFileSync(secret, 'from-a-file\n');
  const { mysql } = loadConfig(file, { SESAME_STORAGE_MYSQL_PASSWORD_FILE: secret }).storage;
  assert.equal(mysql?.password, 'from-a-file');
  assert.equal(mysql?.timeout, 10);
  assert.deepEqual(mysql?.tls, {
    server_name: 'mysql.internal',
    skip_verify: false,
    minimum_version: 'TLS 1.3',
  });
});

test('exactly one backend: mysql beside local is refused, naming the choices', () => {
  const lines = problems(
    `${HEAD}  local:\n    path: db.sqlite3\n  mysql:\n    database: sesame\n    username: sesame\n`,
  );
  assert.ok(
    lines.includes(
      '7 storage: only one storage backend may be configured (allowed: exactly one of storage.local, storage.postgres or storage.mysql)',
    ),
    lines.join('\n'),
  );
});

test('bad mysql keys name their path and what is allowed', () => {
  const lines = problems(`${HEAD}  mysql:
    address: http://db.example.com/
    username: sesame
    tls:
      maximum_version: TLS 1.4
      certificate_chain: |
        -----BEGIN CERTIFICATE-----
        MIIB
        -----END CERTIFICATE-----
`).join('\n');
  assert.match(lines, /storage\.mysql\.address: is not a MySQL address/);
  assert.match(lines, /storage\.mysql\.database: /);
  assert.match(lines, /storage\.mysql\.tls\.maximum_version: .*TLS1\.3/);
  assert.match(lines, /storage\.mysql\.tls: certificate_chain and private_key go together/);
});
