// Brute-force regulation over real HTTP on every storage engine: a ban covers the account whichever
// of its names is typed, and looks the same as a wrong password for known and unknown names alike;
// wrong client secrets are refused unhashed past the limit while the app's own secret keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { hashSecret } from '../src/crypto/digest.ts';
import { jarRequest, PASSWORD, type JarAnswer } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
// `insecure_secret` under the seed's pbkdf2-sha512 digest (a full hash costs hundreds of ms).
const HASHED_SECRET =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

/** A form on a page, with the cookies of the browser that holds it. */
interface FormPage {
  action: string;
  csrf: string;
  jar: Map<string, string>;
}

/** Follows redirects as a browser would, to the page with the form posting to `/interaction/<uid>/<step>`. */
async function formAt(jar: Map<string, string>, url: string, step: string): Promise<FormPage> {
  let location = url;
  for (let hop = 0; hop < 6; hop++) {
    const answer = await jarRequest(jar, location);
    if (answer.location) {
      location = answer.location;
      continue;
    }
    assert.equal(answer.status, 200, answer.body);
    const action = new RegExp(`<form method="post" action="([^"]*/${step})"`).exec(answer.body)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
    assert.ok(action && csrf, answer.body);
    return { action: new URL(action, location).href, csrf, jar };
  }
  throw new Error(`no ${step} form after ${location}`);
}

/** Starts an authorization for a client in a fresh browser and returns the login form it lands on. */
function openLogin(sesame: TestSesame, clientId = 'app'): Promise<FormPage> {
  const start = new URL(`${sesame.url}/api/oidc/authorization`);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }))
    start.searchParams.set(key, value);
  return formAt(new Map(), start.href, 'login');
}

async function submit(page: FormPage, username: string, password: string): Promise<JarAnswer> {
  return jarRequest(page.jar, page.action, { csrf: page.csrf, username, password });
}

const signedIn = (answer: JarAnswer) => answer.status >= 300 && answer.status < 400;

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

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`regulation (${engine})`, async () => {
    const skip = await skipWithout(engine);
    let now = Date.now();
    let sesame: TestSesame;
    let totpSecret: string;
    const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(now / 1000) });

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
      - client_id: strict
        client_secret: strict-secret-0123456789-0123456789
        authorization_policy: two_factor
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
      const tina = await sesame.addUser({
        username: 'tina',
        password: PASSWORD,
        email: 'tina@example.com',
        emailVerified: true,
      });
      const { totp } = sesame.running.factors;
      totpSecret = (await totp.begin('tina')).secret;
      assert.ok(await totp.confirm(tina.id, totpSecret, await codeAt(totpSecret)));
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
      'wrong second-factor codes ban the account at the password step under its email too',
      { skip },
      async () => {
        const page = await openLogin(sesame, 'strict');
        const password = await submit(page, 'tina@example.com', PASSWORD);
        assert.ok(signedIn(password));
        const second = await formAt(page.jar, password.location!, 'second-factor');
        const current = await codeAt(totpSecret);
        const wrongCode = String((Number(current) + 1) % 1_000_000).padStart(6, '0');
        for (let attempt = 0; attempt < 3; attempt++) {
          const answer = await jarRequest(page.jar, second.action, {
            csrf: second.csrf,
            method: 'totp',
            code: wrongCode,
          });
          assert.match(answer.body, /That code is not valid/);
        }
        // In a fresh browser the right password under the email gets a wrong password's answer.
        const again = await openLogin(sesame, 'strict');
        const wrong = await submit(again, 'tina@example.com', 'wrong password');
        assert.equal(wrong.status, 401);
        assert.deepEqual(await submit(again, 'tina@example.com', PASSWORD), wrong);
        const [latest] = await sesame.running.store.events.list({ subject: 'tina@example.com' });
        assert.equal(latest?.type, 'login.banned');
        now += 5 * 60 * 1000 + 1000;
      },
    );

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
        const [banned, ...more] = await events('client.banned');
        assert.equal(more.length, 0);
        assert.equal(banned?.details.by, 'client');
        assert.equal(banned?.clientIp, '127.0.0.1', 'the address the request came from');
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
