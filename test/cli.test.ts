// The `sesame` command line, run as a real process against real SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { verifySecret } from '../src/crypto/digest.ts';
import { openStore } from '../src/services/install.ts';
import { loadMigrations } from '../src/store/migrate.ts';
import { field, runSesame } from './support/cli.ts';
import { dropSchema, postgresConnection, skipWithoutPostgres, uniqueSchema } from './support/postgres.ts';

const AUTHELIA_VECTOR =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

function configFile(storage: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-cli-'));
  const file = join(dir, 'sesame.yml');
  writeFileSync(
    file,
    `server:
  external_url: https://sso.example.com
storage:
  encryption_key: cli-test-encryption-key-0123456789
${storage}
identity_providers:
  oidc:
    hmac_secret: cli-test-hmac-secret-0123456789-0123456789
`,
  );
  return file;
}

describe('sesame crypto', () => {
  test('hash validate accepts the Authelia guide vector and rejects another secret', async () => {
    const ok = await runSesame([
      'crypto',
      'hash',
      'validate',
      '--password',
      'insecure_secret',
      '--',
      AUTHELIA_VECTOR,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^The password matches the digest/);
    const wrong = await runSesame([
      'crypto',
      'hash',
      'validate',
      '--password',
      'secure_secret',
      '--',
      AUTHELIA_VECTOR,
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not match/);
  });

  test("hash generate defaults to argon2id with OWASP's parameters and the digest validates", async () => {
    const generated = await runSesame(['crypto', 'hash', 'generate', '--password', 'correct horse']);
    assert.equal(generated.code, 0, generated.stderr);
    const digest = field(generated.stdout, 'Digest')!;
    assert.match(digest, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifySecret('correct horse', digest), true);
  });

  test('hash generate takes Authelia flags and reads the secret from stdin', async () => {
    const pbkdf2 = await runSesame(
      ['crypto', 'hash', 'generate', 'pbkdf2', '--variant', 'sha256', '--iterations', '1000'],
      {
        input: 'piped-secret\n',
      },
    );
    assert.equal(pbkdf2.code, 0, pbkdf2.stderr);
    const digest = field(pbkdf2.stdout, 'Digest')!;
    assert.match(digest, /^\$pbkdf2-sha256\$1000\$/);
    assert.equal(await verifySecret('piped-secret', digest), true);

    const random = await runSesame(['crypto', 'hash', 'generate', 'bcrypt', '--cost', '10', '--random']);
    assert.equal(random.code, 0, random.stderr);
    const password = field(random.stdout, 'Random Password')!;
    assert.equal(password.length, 72);
    assert.equal(await verifySecret(password, field(random.stdout, 'Digest')!), true);
  });

  test('rand prints a value of the asked length and charset', async () => {
    const result = await runSesame(['crypto', 'rand', '--length', '72', '--charset', 'rfc3986']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(field(result.stdout, 'Random Value')!, /^[A-Za-z0-9\-._~]{72}$/);
    const bad = await runSesame(['crypto', 'rand', '--charset', 'emoji']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown charset 'emoji' \(allowed: /);
  });

  test('bad input exits non-zero with the reason on stderr', async () => {
    const noSecret = await runSesame(['crypto', 'hash', 'generate', 'pbkdf2']);
    assert.equal(noSecret.code, 1);
    assert.match(noSecret.stderr, /no password on standard input/);
    const badAlgorithm = await runSesame(['crypto', 'hash', 'generate', 'md5', '--password', 'x']);
    assert.notEqual(badAlgorithm.code, 0);
    assert.match(badAlgorithm.stderr, /unknown algorithm 'md5'/);
    const malformed = await runSesame([
      'crypto',
      'hash',
      'validate',
      '--password',
      'x',
      '--',
      '$pbkdf2-sha512$abc',
    ]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^Error: /);
    const unknown = await runSesame(['frobnicate']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });
});

test('every command has --help', async () => {
  const commands = [
    [],
    ['start'],
    ['migrate'],
    ['config', 'validate'],
    ['crypto', 'rand'],
    ['crypto', 'hash', 'generate'],
    ['crypto', 'hash', 'validate'],
    ['users', 'add'],
    ['users', 'list'],
    ['users', 'passwd'],
    ['users', 'disable'],
    ['apps', 'add'],
    ['apps', 'list'],
    ['apps', 'show'],
    ['keys', 'list'],
    ['keys', 'rotate'],
  ];
  const results = await Promise.all(commands.map((command) => runSesame([...command, '--help'])));
  results.forEach((result, index) => {
    assert.equal(result.code, 0, `${commands[index]!.join(' ')} --help: ${result.stderr}`);
    assert.match(result.stdout, /Usage: sesame/);
  });
});

test('config validate prints the report and exits 1, or says OK', async () => {
  const good = configFile('  local:\n    path: db.sqlite3');
  const ok = await runSesame(['config', 'validate', '--config', good]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Configuration OK/);

  const bad = configFile('  local:\n    path: db.sqlite3\n  postgress: {}');
  const result = await runSesame(['config', 'validate', '--config', bad]);
  assert.equal(result.code, 1);
  assert.ok(
    result.stderr.includes(`${bad}:7 storage.postgress: unknown key (did you mean 'postgres'?)`),
    result.stderr,
  );

  const missing = await runSesame(['config', 'validate', '--config', '/nonexistent/sesame.yml']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /the configuration file does not exist/);
});

const backends = [
  {
    name: 'sqlite',
    skip: () => Promise.resolve(false as const),
    storage: () => '  local:\n    path: db.sqlite3',
    cleanup: () => {},
  },
  (() => {
    const schema = uniqueSchema('cli');
    const connection = postgresConnection(schema);
    return {
      name: 'postgres',
      skip: skipWithoutPostgres,
      storage: () =>
        `  postgres:\n    address: ${connection.address}\n    database: ${connection.database}\n    schema: ${schema}\n    username: ${connection.username}`,
      cleanup: () => dropSchema(schema),
    };
  })(),
];

for (const backend of backends) {
  describe(`users and apps on ${backend.name}`, { skip: await backend.skip() }, () => {
    let config: string;
    before(() => {
      config = configFile(backend.storage());
    });
    after(() => backend.cleanup());

    test('migrate applies the schema once', async () => {
      const first = await runSesame(['migrate', '-c', config]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^Applied 1 initial/);
      const second = await runSesame(['migrate', '-c', config]);
      const latest = loadMigrations(backend.name === 'postgres' ? 'postgres' : 'sqlite').length;
      assert.ok(latest >= 2);
      assert.match(second.stdout, new RegExp(`is up to date at schema version ${latest}\\.`));
    });

    test('users add, list, passwd, disable', async () => {
      const added = await runSesame([
        'users',
        'add',
        'alice',
        '-c',
        config,
        '--email',
        'alice@example.com',
        '--display-name',
        'Alice',
        '--group',
        'family',
        '--admin',
        '--random',
      ]);
      assert.equal(added.code, 0, added.stderr);
      const password = field(added.stdout, 'Password')!.replace(/\s+\(shown once\)$/, '');
      assert.equal(password.length, 24);

      const duplicate = await runSesame([
        'users',
        'add',
        'ALICE',
        '-c',
        config,
        '--password',
        'long-enough-pw',
      ]);
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /a user named 'ALICE' already exists/);

      const short = await runSesame(['users', 'add', 'bob', '-c', config, '--password', 'short']);
      assert.equal(short.code, 1);
      assert.match(short.stderr, /at least 8 characters/);

      const list = await runSesame(['users', 'list', '-c', config, '--json']);
      const users = JSON.parse(list.stdout) as { username: string; groups: string[]; email: string }[];
      assert.deepEqual(
        users.map((user) => [user.username, user.email, user.groups]),
        [['alice', 'alice@example.com', ['admins', 'family']]],
      );

      const store = openStore(loadConfig(config, {}));
      try {
        const user = (await store.users.findByUsername('alice'))!;
        const digest = (await store.passwords.get(user.id))!.digest;
        assert.match(digest, /^\$argon2id\$/, 'passwords are stored as argon2id digests');
        assert.equal(await verifySecret(password, digest), true);

        const passwd = await runSesame(['users', 'passwd', 'alice', '-c', config], {
          input: 'a-new-password\n',
        });
        assert.equal(passwd.code, 0, passwd.stderr);
        assert.equal(
          await verifySecret('a-new-password', (await store.passwords.get(user.id))!.digest),
          true,
        );

        // A login session of alice's: disabling her ends it, as the admin UI does.
        await store.artifacts.upsert({
          model: 'Session',
          id: 'cookie-of-alice',
          uid: 'alice-session',
          payload: { accountId: user.id, uid: 'alice-session', loginTs: Math.floor(Date.now() / 1000) },
          expiresAt: new Date(Date.now() + 3_600_000),
        });
        assert.equal((await store.artifacts.listSessions({ accountId: user.id })).length, 1);
        const disabled = await runSesame(['users', 'disable', 'alice', '-c', config]);
        assert.equal(disabled.code, 0, disabled.stderr);
        assert.equal((await store.users.get(user.id))?.disabled, true);
        assert.deepEqual(await store.artifacts.listSessions({ accountId: user.id }), []);
        const events = await store.events.list({ subject: 'alice' });
        assert.deepEqual(
          events.map((event) => event.type),
          ['user.disabled', 'user.password_changed', 'user.created'],
        );
      } finally {
        await store.close();
      }

      const nobody = await runSesame([
        'users',
        'passwd',
        'nobody',
        '-c',
        config,
        '--password',
        'whatever-long',
      ]);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /there is no user named 'nobody'/);
    });

    test('apps add --preset fills in the app and prints its settings with real values', async () => {
      const lobechat = await runSesame([
        'apps',
        'add',
        '-c',
        config,
        '--preset',
        'lobechat',
        '--url',
        'https://chat.example.com/',
      ]);
      assert.equal(lobechat.code, 0, lobechat.stderr);
      const clientId = field(lobechat.stdout, 'Client ID')!;
      const secret = field(lobechat.stdout, 'Client Secret')!.split(/\s+/)[0]!;
      assert.equal(
        field(lobechat.stdout, 'Redirect URIs'),
        'https://chat.example.com/api/auth/callback/authentik',
      );
      const env = Object.fromEntries(
        lobechat.stdout
          .split('\n')
          .filter((line) => /^[A-Z_]+=/.test(line))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      assert.deepEqual(
        { ...env, NEXT_AUTH_SECRET: undefined },
        {
          NEXT_AUTH_SSO_PROVIDERS: 'authentik',
          AUTH_AUTHENTIK_ID: clientId,
          AUTH_AUTHENTIK_SECRET: secret,
          AUTH_AUTHENTIK_ISSUER: 'https://sso.example.com/application/o/lobechat/',
          NEXT_AUTH_SECRET: undefined,
          NEXTAUTH_URL: 'https://chat.example.com/api/auth',
        },
      );
      assert.equal(Buffer.from(env.NEXT_AUTH_SECRET!, 'base64').length, 32);

      const romm = await runSesame([
        'apps',
        'add',
        '-c',
        config,
        '--preset',
        'romm',
        '--url',
        'http://romm.host.local',
        '--slug',
        'games',
        '--json',
      ]);
      assert.equal(romm.code, 0, romm.stderr);
      const rommSettings = (JSON.parse(romm.stdout) as { settings: Record<string, string> }).settings;
      assert.equal(rommSettings.OIDC_SERVER_APPLICATION_URL, 'https://sso.example.com/application/o/games');
      assert.equal(rommSettings.OIDC_REDIRECT_URI, 'http://romm.host.local/api/oauth/openid');

      const librechat = await runSesame([
        'apps',
        'add',
        '-c',
        config,
        '--preset',
        'librechat',
        '--url',
        'https://librechat.example.com',
      ]);
      assert.equal(librechat.code, 0, librechat.stderr);
      assert.match(librechat.stdout, /^OPENID_ISSUER=https:\/\/sso\.example\.com$/m);
      assert.match(librechat.stdout, /^OPENID_SCOPE="openid profile email"$/m);
      assert.match(librechat.stdout, /^OPENID_CALLBACK_URL=\/oauth\/openid\/callback$/m);

      const unknown = await runSesame([
        'apps',
        'add',
        '-c',
        config,
        '--preset',
        'myspace',
        '--url',
        'https://x.example.com',
      ]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /unknown preset 'myspace' \(allowed: lobechat, romm, librechat\b/);
      const noUrl = await runSesame(['apps', 'add', '-c', config, '--preset', 'romm']);
      assert.match(noUrl.stderr, /--preset romm needs --url/);
    });

    test('users reset-factors removes second factors; an unknown user is an error', async () => {
      const added = await runSesame([
        'users',
        'add',
        'resettable',
        '-c',
        config,
        '--password',
        'long-enough-password',
      ]);
      assert.equal(added.code, 0, added.stderr);
      const reset = await runSesame(['users', 'reset-factors', 'resettable', '-c', config]);
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /resettable's second factors and recovery codes were removed/);
      const unknown = await runSesame(['users', 'reset-factors', 'nobody-here', '-c', config]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /there is no user named 'nobody-here'/);
    });

    test('tokens create prints a token once; list never shows it; revoke ends it', async () => {
      const created = await runSesame([
        'tokens',
        'create',
        'terraform',
        '-c',
        config,
        '--scope',
        'applications:read',
        '--json',
      ]);
      assert.equal(created.code, 0, created.stderr);
      const token = JSON.parse(created.stdout) as { id: string; token: string; scopes: string[] };
      assert.match(token.token, /^sesame_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(token.scopes, ['applications:read']);
      const listed = await runSesame(['tokens', 'list', '-c', config]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(
        listed.stdout,
        new RegExp(`${token.id}\\s+terraform\\s+applications:read\\s+never\\s+never\\s+active`),
      );
      assert.ok(!listed.stdout.includes(token.token));
      const revoked = await runSesame(['tokens', 'revoke', token.id, '-c', config]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match((await runSesame(['tokens', 'list', '-c', config])).stdout, /revoked/);
      const badScope = await runSesame(['tokens', 'create', 'x', '-c', config, '--scope', 'everything']);
      assert.equal(badScope.code, 1);
      assert.match(badScope.stderr, /scope 'everything' is not <resource>:read or <resource>:write/);
    });

    test('apps add prints client id, secret once and issuer; only the digest is stored', async () => {
      const added = await runSesame([
        'apps',
        'add',
        'RomM',
        '-c',
        config,
        '--redirect-uri',
        'https://romm.example.com/api/oauth/openid',
        '--redirect-uri-regex',
        'https://romm-[a-z]+\\.example\\.com/api/oauth/openid',
        '--launch-url',
        'https://romm.example.com',
      ]);
      assert.equal(added.code, 0, added.stderr);
      assert.equal(field(added.stdout, 'Slug'), 'romm');
      assert.equal(field(added.stdout, 'Issuer'), 'https://sso.example.com/application/o/romm/');
      assert.equal(
        field(added.stdout, 'Discovery URL'),
        'https://sso.example.com/application/o/romm/.well-known/openid-configuration',
      );
      const clientId = field(added.stdout, 'Client ID')!;
      const secret = field(added.stdout, 'Client Secret')!.split(/\s+/)[0]!;
      assert.match(clientId, /^[A-Za-z0-9]{40}$/);
      assert.match(secret, /^[A-Za-z0-9\-._~]{72}$/);

      const store = openStore(loadConfig(config, {}));
      try {
        const client = (await store.clients.findByClientId(clientId))!;
        assert.notEqual(client.secretDigest, secret);
        assert.equal(await verifySecret(secret, client.secretDigest!), true);
        assert.deepEqual(
          client.redirectUris.map((uri) => uri.matching_mode),
          ['strict', 'regex'],
        );
      } finally {
        await store.close();
      }

      const shown = await runSesame(['apps', 'show', 'romm', '-c', config]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(field(shown.stdout, 'Client ID'), clientId);
      assert.ok(!shown.stdout.includes(secret), 'the secret is never shown again');

      const publicApp = await runSesame([
        'apps',
        'add',
        'My SPA',
        '-c',
        config,
        '--public',
        '--redirect-uri',
        'http://localhost:5173/cb',
        '--json',
      ]);
      assert.equal(publicApp.code, 0, publicApp.stderr);
      const json = JSON.parse(publicApp.stdout) as {
        slug: string;
        client_secret?: string;
        public: boolean;
        issuer: string;
      };
      assert.equal(json.slug, 'my-spa');
      assert.equal(json.public, true);
      assert.equal(json.client_secret, undefined);

      const list = await runSesame(['apps', 'list', '-c', config]);
      assert.match(
        list.stdout,
        /^my-spa\s+My SPA\s+\S+\s+public\s+https:\/\/sso\.example\.com\/application\/o\/my-spa\//m,
      );
      assert.match(list.stdout, /^romm\s+RomM\s+\S+\s+confidential/m);

      const clash = await runSesame([
        'apps',
        'add',
        'RomM',
        '-c',
        config,
        '--redirect-uri',
        'https://x.example.com/cb',
      ]);
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, /slug 'romm'/);
      const reserved = await runSesame([
        'apps',
        'add',
        'Token',
        '-c',
        config,
        '--redirect-uri',
        'https://x.example.com/cb',
      ]);
      assert.equal(reserved.code, 1);
      assert.match(reserved.stderr, /reserved/);
      const relative = await runSesame(['apps', 'add', 'Bad', '-c', config, '--redirect-uri', '/cb']);
      assert.equal(relative.code, 1);
      assert.match(relative.stderr, /'\/cb' is not an absolute URI/);
    });
  });
}
