// LDAP as the user directory, against a real OpenLDAP server (slapd): people from the directory sign
// in to an OpenID Connect client with their directory groups in the ID token, over StartTLS and
// ldaps:// with a test CA; wrong passwords, a locked account and filter-injection attempts are
// refused; the directory being down gives a clear page and a log line while database users still
// sign in; directory users are read-only in the API and the CLI.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/lib/logger.ts';
import { ApiTokenService } from '../src/services/tokens.ts';
import * as client from 'openid-client';
import { insecure, jarRequest, PASSWORD, type JarAnswer } from './support/flows.ts';
import { runSesame } from './support/cli.ts';
import { linkIn, startInbox, type Inbox } from './support/smtp.ts';
import {
  BASE_DN,
  LDAP_PASSWORD,
  skipWithoutSlapd,
  startDirectory,
  type TestDirectory,
} from './support/ldap.ts';
import { skipWithoutPostgres } from './support/postgres.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const CLIENT_SECRET = 'ldap-app-secret-0123456789-0123456789';
const NEW_PASSWORD = 'Changed-In-The-Directory-2024!';
const clientsYaml = `    clients:
      - client_id: app
        client_secret: ${CLIENT_SECRET}
        consent_mode: implicit
        authorization_policy: one_factor
        scopes: [openid, profile, email, groups]
        redirect_uris: ['${REDIRECT_URI}']
`;

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

function pemBlock(pem: string): string {
  return `|\n${pem
    .trim()
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n')}`;
}

async function startWith(
  directory: TestDirectory,
  ldapYaml: string,
  topLevelYaml = '',
  engine: 'sqlite' | 'postgres' = 'sqlite',
) {
  const logger = capturedLogger();
  const sesame = await startTestSesame(engine, clientsYaml, {
    logger: logger.logger,
    backendYaml: `  ldap:\n${ldapYaml}\n`,
    topLevelYaml,
  });
  return { sesame, lines: logger.lines };
}

interface LoginResult {
  answer: JarAnswer;
  claims?: Record<string, unknown>;
  accessToken?: string;
}

/** An OpenID Connect client of the test server: its issuer and credentials. */
interface TestClient {
  issuer: string;
  clientId: string;
  secret: string;
  redirectUri: string;
}

const yamlClient = (sesame: TestSesame): TestClient => ({
  issuer: sesame.url,
  clientId: 'app',
  secret: CLIENT_SECRET,
  redirectUri: REDIRECT_URI,
});

/** Follows redirects from the authorization request to the login form; its action and CSRF token. */
async function loginForm(jar: Map<string, string>, url: string): Promise<{ action: string; csrf: string }> {
  let answer = await jarRequest(jar, url);
  let location = url;
  while (answer.location) answer = await jarRequest(jar, (location = answer.location));
  const action = /<form method="post" action="([^"]*\/login)"/.exec(answer.body)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  assert.ok(action && csrf, answer.body);
  return { action: new URL(action, location).href, csrf };
}

/**
 * The whole code flow: openid-client (the library LibreChat signs in with) discovers the issuer,
 * builds the authorization request and, after the login form is posted over HTTP, redeems the code
 * and validates the ID token (signature, issuer, audience, nonce).
 */
async function signIn(
  sesame: TestSesame,
  username: string,
  password: string,
  app: TestClient = yamlClient(sesame),
): Promise<LoginResult> {
  const config = await client.discovery(new URL(app.issuer), app.clientId, app.secret, undefined, insecure);
  const [verifier, state, nonce] = [
    client.randomPKCECodeVerifier(),
    client.randomState(),
    client.randomNonce(),
  ];
  const start = client.buildAuthorizationUrl(config, {
    redirect_uri: app.redirectUri,
    scope: 'openid profile email groups',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const jar = new Map<string, string>();
  const form = await loginForm(jar, start.href);
  const answer = await jarRequest(jar, form.action, { csrf: form.csrf, username, password });
  if (!answer.location) return { answer };
  let location: string = answer.location;
  while (!location.startsWith(app.redirectUri)) {
    const next = await jarRequest(jar, location);
    if (!next.location) return { answer: next };
    location = next.location;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { answer, claims: tokens.claims() as Record<string, unknown>, accessToken: tokens.access_token };
}

/** A browser's cookies after signing in to the portal. */
async function portalJar(
  sesame: TestSesame,
  username: string,
  password: string,
): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const form = await loginForm(jar, `${sesame.url}/portal`);
  let answer = await jarRequest(jar, form.action, { csrf: form.csrf, username, password });
  while (answer.location) answer = await jarRequest(jar, answer.location);
  assert.equal(answer.status, 200, answer.body.slice(0, 500));
  return jar;
}

/** Posts the portal's Password form. */
async function changePassword(sesame: TestSesame, jar: Map<string, string>, current: string, next: string) {
  const page = await jarRequest(jar, `${sesame.url}/portal/password`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, page.body);
  return jarRequest(jar, `${sesame.url}/portal/password`, {
    csrf,
    current_password: current,
    new_password: next,
    confirm_password: next,
  });
}

const refused = (result: LoginResult) => {
  assert.equal(result.answer.status, 401, result.answer.body.slice(0, 300));
  assert.match(result.answer.body, /The username or password is incorrect/);
};

describe('LDAP directory (slapd)', { skip: skipWithoutSlapd() }, () => {
  let directory: TestDirectory;
  let sesame: TestSesame;
  let lines: Record<string, unknown>[];
  let inbox: Inbox;

  before(async () => {
    directory = await startDirectory();
    inbox = await startInbox();
    ({ sesame, lines } = await startWith(
      directory,
      directory.backendYaml({
        start_tls: 'true',
        tls: `\n      certificate_authority: ${pemBlock(directory.ca)}`,
      }),
      inbox.notifierYaml,
    ));
    await sesame.addUser({
      username: 'erin',
      password: PASSWORD,
      email: 'erin@example.com',
      groups: ['staff'],
    });
  });

  after(async () => {
    await sesame?.stop();
    await directory?.stop();
    await inbox?.close();
  });

  test('a directory user signs in over StartTLS with their directory groups in the ID token; the id stays', async () => {
    const first = await signIn(sesame, 'alice', LDAP_PASSWORD);
    assert.deepEqual(first.claims?.groups, ['developers', 'family']);
    assert.equal(first.claims?.email, 'alice@example.test');
    assert.equal(first.claims?.name, 'Alice Liddell');
    const record = await sesame.running.store.users.findByUsername('alice');
    assert.equal(record?.source, 'ldap');
    assert.equal(first.claims?.sub, record?.id);
    // By e-mail address (the default filter matches both), the same person and the same subject.
    const again = await signIn(sesame, 'alice@example.test', LDAP_PASSWORD);
    assert.equal(again.claims?.sub, first.claims?.sub);
  });

  test('a directory user signs in to the three seed apps (LobeChat, RomM, LibreChat); their allowed group is a directory group', async () => {
    for (const preset of ['lobechat', 'romm', 'librechat']) {
      const appUrl = `http://127.0.0.1:9/${preset}`;
      const created = await sesame.addApplication({
        preset,
        appUrl,
        redirectUris: [],
        scopes: ['openid', 'profile', 'email', 'groups'],
        allowedGroups: ['developers'],
      });
      const application = await sesame.running.store.clients.findByClientId(created.clientId);
      const app: TestClient = {
        issuer: created.issuer,
        clientId: created.clientId,
        secret: created.clientSecret!,
        redirectUri: application!.redirectUris[0]!.url,
      };
      const alice = await signIn(sesame, 'alice', LDAP_PASSWORD, app);
      assert.deepEqual(alice.claims?.groups, ['developers', 'family'], preset);
      assert.equal(alice.claims?.iss, created.issuer);
      // bob is not in the directory's developers group: no code for him.
      const bob = await signIn(sesame, 'bob', LDAP_PASSWORD, app);
      assert.equal(bob.claims, undefined, preset);
      assert.equal(bob.answer.status, 403, preset);
    }
  });

  test('groups are read from the directory at every login', async () => {
    assert.deepEqual((await signIn(sesame, 'bob', LDAP_PASSWORD)).claims?.groups, ['family']);
    directory.modify(
      `dn: cn=developers,ou=groups,${BASE_DN}\nchangetype: modify\nadd: member\nmember: uid=bob,ou=people,${BASE_DN}\n`,
    );
    assert.deepEqual((await signIn(sesame, 'bob', LDAP_PASSWORD)).claims?.groups, ['developers', 'family']);
    directory.modify(
      `dn: cn=developers,ou=groups,${BASE_DN}\nchangetype: modify\ndelete: member\nmember: uid=bob,ou=people,${BASE_DN}\n`,
    );
    assert.deepEqual((await signIn(sesame, 'bob', LDAP_PASSWORD)).claims?.groups, ['family']);
  });

  test('a wrong password, an unknown name, an empty password and a locked account get the same refusal', async () => {
    refused(await signIn(sesame, 'alice', 'not-the-password'));
    refused(await signIn(sesame, 'nobody', LDAP_PASSWORD));
    refused(await signIn(sesame, 'alice', ''));
    // carol's password is right, but ppolicy has locked her account.
    refused(await signIn(sesame, 'carol', LDAP_PASSWORD));
    assert.equal(await sesame.running.store.users.findByUsername('carol'), undefined);
  });

  test('filter injection: a username cannot widen the search or match someone else', async () => {
    for (const attempt of [
      '*',
      'a*',
      '*)(uid=*',
      'alice)(|(uid=*',
      'alice)(uid=*))(|(uid=*',
      '*)(|(objectClass=*',
      'alice\\2a',
      'al\u0000ice',
    ])
      refused(await signIn(sesame, attempt, LDAP_PASSWORD));
    const names = (await sesame.running.store.users.list({ source: 'ldap' })).map((user) => user.username);
    assert.ok(!names.some((name) => /[*()\\]/.test(name)), names.join(','));
  });

  test('directory users are read-only in the admin API and the CLI (409 read_only)', async () => {
    await signIn(sesame, 'alice', LDAP_PASSWORD);
    const token = (
      await new ApiTokenService(sesame.running.store).create({ name: 'ops', scopes: ['*:write'] }, 'test')
    ).token;
    const patched = await fetch(`${sesame.url}/api/v1/users/alice`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'Mallory' }),
    });
    assert.equal(patched.status, 409);
    assert.equal(((await patched.json()) as { error: string }).error, 'read_only');
    const cli = await runSesame([
      'users',
      'passwd',
      'alice',
      '--password',
      'Another-Pass-2024!',
      '-c',
      sesame.running.config.configFile,
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /comes from the LDAP directory/);
  });

  test('the directory down: a clear page and a log line; database users still sign in; back up, it works again', async () => {
    await directory.stop();
    try {
      const down = await signIn(sesame, 'alice', LDAP_PASSWORD);
      assert.equal(down.answer.status, 503);
      assert.match(down.answer.body, /Sign-in is unavailable: the user directory cannot be reached/);
      const logged = lines.find((line) => String(line.msg).startsWith('LDAP directory unavailable'));
      assert.ok(logged, JSON.stringify(lines));
      assert.equal(logged.level, 50);
      assert.match(String(logged.reason), /ECONNREFUSED/);
      assert.doesNotMatch(JSON.stringify(lines), new RegExp(LDAP_PASSWORD));
      const local = await signIn(sesame, 'erin', PASSWORD);
      assert.deepEqual(local.claims?.groups, ['staff']);
    } finally {
      await directory.start();
    }
    assert.deepEqual((await signIn(sesame, 'alice', LDAP_PASSWORD)).claims?.groups, ['developers', 'family']);
  });

  test('the portal’s password change writes to the directory (password modify operation, hashed there)', async () => {
    const jar = await portalJar(sesame, 'dave', LDAP_PASSWORD);
    const wrong = await changePassword(sesame, jar, 'not-my-password', NEW_PASSWORD);
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /This is not your current password/);
    const changed = await changePassword(sesame, jar, LDAP_PASSWORD, NEW_PASSWORD);
    assert.equal(changed.status, 303, changed.body.slice(0, 500));
    refused(await signIn(sesame, 'dave', LDAP_PASSWORD));
    assert.deepEqual((await signIn(sesame, 'dave', NEW_PASSWORD)).claims?.groups, ['admins']);
    // The directory keeps a salted hash, as its password-hash setting says: never the clear text.
    const stored = /userPassword:: (\S+)/.exec(
      directory.search(`uid=dave,ou=people,${BASE_DN}`, 'userPassword'),
    );
    assert.match(Buffer.from(stored![1]!, 'base64').toString(), /^\{SSHA\}/);
    const record = (await sesame.running.store.users.findByUsername('dave'))!;
    assert.equal(await sesame.running.store.passwords.get(record.id), undefined);
  });

  test('a password reset by e-mail is written to the directory by the service account', async () => {
    await signIn(sesame, 'bob', LDAP_PASSWORD);
    const jar = new Map<string, string>();
    const page = await jarRequest(jar, `${sesame.url}/reset-password`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf, page.body);
    assert.equal(
      (await jarRequest(jar, `${sesame.url}/reset-password`, { csrf, username: 'bob' })).status,
      200,
    );
    const mail = await inbox.waitFor(
      'bob@example.test',
      (received) => received.subject === '[Sesame] Reset your password',
    );
    const link = linkIn(mail, `${sesame.url}/reset-password/new?token=`);
    const form = await jarRequest(jar, link);
    const formCsrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
    assert.ok(formCsrf, form.body);
    const done = await jarRequest(jar, `${sesame.url}/reset-password/new`, {
      csrf: formCsrf,
      token: new URL(link).searchParams.get('token')!,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(done.status, 200, done.body.slice(0, 500));
    refused(await signIn(sesame, 'bob', LDAP_PASSWORD));
    assert.deepEqual((await signIn(sesame, 'bob', NEW_PASSWORD)).claims?.groups, ['family']);
    const stored = /userPassword:: (\S+)/.exec(
      directory.search(`uid=bob,ou=people,${BASE_DN}`, 'userPassword'),
    );
    assert.match(Buffer.from(stored![1]!, 'base64').toString(), /^\{SSHA\}/);
  });
});

describe(
  'LDAP directory: ldaps://, pooling, refresh_interval (slapd)',
  { skip: skipWithoutSlapd() },
  async () => {
    const postgresSkip = await skipWithoutPostgres();
    let directory: TestDirectory;
    before(async () => {
      directory = await startDirectory();
    });
    after(async () => {
      await directory?.stop();
    });

    test('ldaps:// with the test CA, groups by memberOf', async () => {
      const { sesame } = await startWith(
        directory,
        directory.backendYaml({
          address: directory.ldapsUrl,
          tls: `\n      certificate_authority: ${pemBlock(directory.ca)}`,
          group_search_mode: 'memberof',
          groups_filter: '(&(|{memberof:rdn})(objectClass=groupOfNames))',
        }),
      );
      try {
        const result = await signIn(sesame, 'alice', LDAP_PASSWORD);
        assert.deepEqual(result.claims?.groups, ['developers', 'family']);
      } finally {
        await sesame.stop();
      }
    });

    test('pooled connections: a directory restart costs no failed login (a closed connection is replaced)', async () => {
      const { sesame, lines } = await startWith(
        directory,
        directory.backendYaml({ pooling: '\n      enable: true\n      count: 2' }),
      );
      try {
        for (let round = 0; round < 3; round++)
          assert.deepEqual((await signIn(sesame, 'alice', LDAP_PASSWORD)).claims?.groups, [
            'developers',
            'family',
          ]);
        await directory.stop();
        await directory.start();
        const results = await Promise.all(
          ['alice', 'bob', 'alice', 'bob'].map((name) => signIn(sesame, name, LDAP_PASSWORD)),
        );
        assert.ok(
          results.every((result) => result.claims?.groups),
          JSON.stringify(lines),
        );
      } finally {
        await sesame.stop();
      }
    });

    test(
      'first sign-ins of one directory user in parallel on PostgreSQL make one record, one subject',
      { skip: postgresSkip },
      async () => {
        const { sesame } = await startWith(
          directory,
          directory.backendYaml({ pooling: '\n      enable: true' }),
          '',
          'postgres',
        );
        try {
          const results = await Promise.all(
            Array.from({ length: 8 }, () => signIn(sesame, 'dave', LDAP_PASSWORD)),
          );
          const subjects = new Set(results.map((result) => result.claims?.sub));
          assert.equal(subjects.size, 1, JSON.stringify([...subjects]));
          const records = await sesame.running.store.users.list({ source: 'ldap' });
          assert.deepEqual(
            records.map((user) => user.username),
            ['dave'],
          );
          assert.equal(records[0]!.id, [...subjects][0]);
        } finally {
          await sesame.stop();
        }
      },
    );

    test('refresh_interval: a user deleted or locked in the directory is disabled, their session and tokens end; groups follow', async () => {
      // (rfc2307bis's default filter, plus OpenLDAP ppolicy's lock: a locked account is left out.)
      const usersFilter =
        '(&(|({username_attribute}={input})({mail_attribute}={input}))(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))';
      const { sesame } = await startWith(
        directory,
        `${directory.backendYaml({ users_filter: usersFilter })}\n  refresh_interval: 1s`,
      );
      const disabled = async (username: string) => {
        for (
          const deadline = Date.now() + 5000;
          !(await sesame.running.store.users.findByUsername(username))?.disabled;
        ) {
          assert.ok(Date.now() < deadline, `${username} was not disabled`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      try {
        const bob = await signIn(sesame, 'bob', LDAP_PASSWORD);
        const alice = await signIn(sesame, 'alice', LDAP_PASSWORD);
        const userinfo = (token: string) =>
          fetch(`${sesame.url}/api/oidc/userinfo`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal((await userinfo(bob.accessToken!)).status, 200);
        const record = (await sesame.running.store.users.findByUsername('bob'))!;
        assert.equal((await sesame.running.store.artifacts.listSessions({ accountId: record.id })).length, 1);
        directory.delete(`uid=bob,ou=people,${BASE_DN}`);
        directory.modify(
          `dn: cn=admins,ou=groups,${BASE_DN}\nchangetype: modify\nadd: member\nmember: uid=alice,ou=people,${BASE_DN}\n`,
        );
        await disabled('bob');
        assert.equal((await userinfo(bob.accessToken!)).status, 401);
        assert.equal((await sesame.running.store.artifacts.listSessions({ accountId: record.id })).length, 0);
        refused(await signIn(sesame, 'bob', LDAP_PASSWORD));
        // alice is still there, and her new group arrived without a new sign-in.
        assert.equal((await userinfo(alice.accessToken!)).status, 200);
        assert.deepEqual((await sesame.running.store.users.findByUsername('alice'))?.groups, [
          'admins',
          'developers',
          'family',
        ]);
        // Locked by ppolicy: left out by the filter, so disabled at the next refresh.
        directory.modify(
          `dn: uid=alice,ou=people,${BASE_DN}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
        );
        await disabled('alice');
        assert.equal((await userinfo(alice.accessToken!)).status, 401);
        directory.modify(
          `dn: uid=alice,ou=people,${BASE_DN}\nchangetype: modify\ndelete: pwdAccountLockedTime\n`,
        );
      } finally {
        await sesame.stop();
      }
    });

    test('a users_filter that matches several people signs nobody in (refused and logged, not a directory failure)', async () => {
      const { sesame, lines } = await startWith(
        directory,
        directory.backendYaml({ users_filter: '(&(objectClass=inetOrgPerson)(|(uid={input})(mail=*)))' }),
      );
      try {
        refused(await signIn(sesame, 'alice', LDAP_PASSWORD));
        assert.ok(lines.some((line) => line.msg === 'LDAP users_filter matched several users; refused'));
      } finally {
        await sesame.stop();
      }
    });

    test('a certificate from an untrusted CA is refused: a clear page and a log line', async () => {
      const { sesame, lines } = await startWith(
        directory,
        directory.backendYaml({
          address: directory.ldapsUrl,
          tls: `\n      certificate_authority: ${pemBlock(directory.otherCa)}`,
        }),
      );
      try {
        const result = await signIn(sesame, 'alice', LDAP_PASSWORD);
        assert.equal(result.answer.status, 503);
        const logged = lines.find((line) => String(line.msg).startsWith('LDAP directory unavailable'));
        assert.match(String(logged?.reason), /certificate/i);
      } finally {
        await sesame.stop();
      }
    });
  },
);
