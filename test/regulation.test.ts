// Brute-force regulation over real HTTP on both storage engines: a ban covers the account whichever
// of its names is typed, and looks the same as a wrong password for known and unknown names alike;
// wrong client secrets are refused unhashed past the limit while the app's own secret keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashSecret } from '../src/crypto/digest.ts';
import { PASSWORD } from './support/flows.ts';
import { skipWithoutPostgres } from './support/postgres.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
// `insecure_secret` under the seed's pbkdf2-sha512 digest (a full hash costs hundreds of ms).
const HASHED_SECRET =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

interface LoginPage {
  action: string;
  csrf: string;
  cookie: string;
}

interface Answer {
  status: number;
  body: string;
}

/** Starts an authorization as a browser would and returns the login form it lands on. */
async function openLogin(sesame: TestSesame): Promise<LoginPage> {
  const start = new URL(`${sesame.url}/api/oidc/authorization`);
  for (const [key, value] of Object.entries({
    client_id: 'app',
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }))
    start.searchParams.set(key, value);
  const cookies: string[] = [];
  let location = start.href;
  for (let hop = 0; hop < 5; hop++) {
    const response = await fetch(location, { headers: { cookie: cookies.join('; ') }, redirect: 'manual' });
    cookies.push(...response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!));
    const next = response.headers.get('location');
    if (next) {
      location = new URL(next, location).href;
      continue;
    }
    const body = await response.text();
    assert.equal(response.status, 200, body);
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    assert.ok(action && csrf, body);
    return { action: new URL(action, location).href, csrf, cookie: cookies.join('; ') };
  }
  throw new Error(`no login page after ${location}`);
}

async function submit(page: LoginPage, username: string, password: string): Promise<Answer> {
  const response = await fetch(page.action, {
    method: 'POST',
    headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: page.csrf, username, password }),
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text() };
}

const signedIn = (answer: Answer) => answer.status >= 300 && answer.status < 400;

/** Introspection needs client authentication and nothing else: the answer says whether it passed. */
async function introspect(sesame: TestSesame, clientId: string, secret: string) {
  const response = await fetch(`${sesame.url}/api/oidc/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token: 'not-a-token' }),
  });
  return {
    status: response.status,
    authenticate: response.headers.get('www-authenticate'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`regulation (${engine})`, async () => {
    const skip = engine === 'postgres' ? await skipWithoutPostgres() : false;
    let now = Date.now();
    let sesame: TestSesame;

    before(async () => {
      if (skip) return;
      const digest = await hashSecret(PASSWORD, 'pbkdf2', { iterations: 1000 });
      sesame = await startTestSesame(
        engine,
        `    clients:
      - client_id: app
        client_secret: app-secret-0123456789-0123456789
        consent_mode: implicit
        redirect_uris: ['${REDIRECT_URI}']
      - client_id: hashed
        client_secret: '${HASHED_SECRET}'
        redirect_uris: ['${REDIRECT_URI}']
`,
        {
          clock: () => now,
          topLevelYaml: 'regulation:\n  max_retries: 3\n  find_time: 2m\n  ban_time: 5m\n',
          usersFile: `users:\n  Frank:\n    password: '${digest}'\n    email: frank@example.com\n`,
        },
      );
      await sesame.addUser({
        username: 'bob',
        password: PASSWORD,
        email: 'bob@example.com',
        emailVerified: true,
      });
    });
    after(() => sesame?.stop());

    test('wrong passwords as the username ban the email address too', { skip }, async () => {
      const page = await openLogin(sesame);
      const wrong = await submit(page, 'bob@example.com', 'wrong password');
      assert.equal(wrong.status, 401);
      await submit(page, 'bob', 'wrong password');
      await submit(page, 'BOB', 'wrong password');
      // Three failures for the account: the right password under its other name is refused, with
      // exactly the answer a wrong password gets.
      assert.deepEqual(await submit(page, 'bob@example.com', PASSWORD), wrong);
      const events = await sesame.running.store.events.list({ subject: 'bob@example.com' });
      assert.equal(events[0]?.type, 'login.banned', 'refused before the password was verified');
      now += 5 * 60 * 1000 + 1000; // past ban_time
      assert.ok(signedIn(await submit(page, 'bob@example.com', PASSWORD)));
    });

    test('wrong passwords as the email address ban the username (users file)', { skip }, async () => {
      const page = await openLogin(sesame);
      const wrong = await submit(page, 'frank', 'wrong password');
      await submit(page, 'Frank@Example.com', 'wrong password');
      await submit(page, 'frank@example.com', 'wrong password');
      assert.deepEqual(await submit(page, 'frank', PASSWORD), wrong);
      now += 5 * 60 * 1000 + 1000;
      assert.ok(signedIn(await submit(page, 'frank', PASSWORD)));
    });

    test('a banned unknown name is answered exactly like a banned account', { skip }, async () => {
      const page = await openLogin(sesame);
      const wrongUnknown = await submit(page, 'nobody@example.com', 'wrong password');
      await submit(page, 'nobody@example.com', 'wrong password');
      await submit(page, 'NOBODY@example.com', 'wrong password');
      assert.deepEqual(await submit(page, 'nobody@example.com', PASSWORD), wrongUnknown);
      for (let attempt = 0; attempt < 3; attempt++) await submit(page, 'bob', 'wrong password');
      const bannedKnown = await submit(page, 'bob@example.com', PASSWORD);
      const bannedUnknown = await submit(page, 'nobody@example.com', PASSWORD);
      // The same page but for the name typed, which the form shows again.
      assert.equal(bannedKnown.status, bannedUnknown.status);
      assert.equal(
        bannedKnown.body.replaceAll('bob@example.com', 'NAME'),
        bannedUnknown.body.replaceAll('nobody@example.com', 'NAME'),
      );
      const [known] = await sesame.running.store.events.list({ subject: 'bob@example.com' });
      const [unknown] = await sesame.running.store.events.list({ subject: 'nobody@example.com' });
      assert.equal(known?.type, 'login.banned');
      assert.equal(unknown?.type, 'login.banned');
      now += 5 * 60 * 1000 + 1000;
    });

    test(
      'wrong client secrets past max_retries are refused unhashed; the remembered one still works',
      { skip },
      async () => {
        const events = (type: string) => sesame.running.store.events.list({ type, subject: 'hashed' });
        assert.deepEqual((await introspect(sesame, 'hashed', 'insecure_secret')).body, { active: false });
        const wrong = await introspect(sesame, 'hashed', 'wrong secret 1');
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.error, 'invalid_client');
        await introspect(sesame, 'hashed', 'wrong secret 2');
        await introspect(sesame, 'hashed', 'wrong secret 3');
        assert.equal((await events('client.banned')).length, 1);
        for (let attempt = 0; attempt < 5; attempt++)
          assert.deepEqual(await introspect(sesame, 'hashed', `wrong secret ${4 + attempt}`), wrong);
        // Each hashed wrong secret is an event; the five refused during the ban were never hashed.
        assert.equal((await events('client.auth_failed')).length, 3);
        const refusals = async () =>
          (await sesame.running.store.events.list({ type: 'protocol.error', subject: 'hashed' })).filter(
            (event) => String(event.details.detail).startsWith('secret not checked'),
          ).length;
        for (let wait = 0; wait < 50 && (await refusals()) < 5; wait++)
          await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(await refusals(), 5);
        assert.equal(
          JSON.stringify(await sesame.running.store.events.list({ text: 'secret' })).includes('wrong secret'),
          false,
          'no secret in the audit log',
        );
        // The app whose secret is remembered is not locked out by the attack.
        assert.deepEqual(await introspect(sesame, 'hashed', 'insecure_secret'), {
          status: 200,
          authenticate: null,
          body: { active: false },
        });
        now += 5 * 60 * 1000 + 1000; // past ban_time: the next wrong secret is checked again
        await introspect(sesame, 'hashed', 'wrong secret 9');
        assert.equal((await events('client.auth_failed')).length, 4);
      },
    );
  });
}
