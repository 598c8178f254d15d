// Second factors, authorization policies and brute-force regulation, end to end: Chromium drives the
// pages, openid-client plays the app, and a controllable clock replaces waiting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AuthorizationPolicies } from '../src/auth/policy.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, insecure, logIn, PASSWORD, type Flow } from './support/flows.ts';
import { elevateWithPassword } from './support/elevation.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let now = Date.now();
const clock = () => now;
const advance = (seconds: number) => (now += seconds * 1000);

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let strict: Flow;
let relaxed: Flow;
let staffOnly: Flow;

const flowFor = async (
  clientId: string,
  secret: string,
  path: string,
  issuer = sesame.url,
): Promise<Flow> => ({
  config: await client.discovery(new URL(issuer), clientId, secret, undefined, insecure),
  redirectUri: `${rp.origin}/${path}/callback`,
});

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame(
    'sqlite',
    `    clients:
      - client_id: strict
        client_secret: strict-secret-0123456789
        authorization_policy: two_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/strict/callback']
      - client_id: relaxed
        client_secret: relaxed-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/relaxed/callback']
`,
    {
      clock,
      topLevelYaml: 'regulation:\n  max_retries: 3\n  find_time: 2m\n  ban_time: 5m\n',
    },
  );
  for (const username of ['tess', 'nofactor', 'outsider', 'banned'])
    await sesame.addUser({
      username,
      password: PASSWORD,
      email: `${username}@example.com`,
      emailVerified: true,
    });
  await sesame.running.store.users.setGroups((await sesame.running.store.users.findByUsername('tess'))!.id, [
    'staff',
  ]);
  const app = await sesame.addApplication({
    name: 'Staff wiki',
    slug: 'staff-wiki',
    redirectUris: [{ url: `${rp.origin}/staff/callback`, matching_mode: 'strict' }],
    consentMode: 'implicit',
    allowedGroups: ['staff'],
  });
  staffOnly = await flowFor(app.clientId, app.clientSecret!, 'staff', app.issuer);
  strict = await flowFor('strict', 'strict-secret-0123456789', 'strict');
  relaxed = await flowFor('relaxed', 'relaxed-secret-0123456789', 'relaxed');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

async function tokensFrom(flow: Flow, result: Awaited<ReturnType<typeof authorize>>) {
  return client.authorizationCodeGrant(flow.config, result.callback, {
    pkceCodeVerifier: result.verifier,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
}

const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(now / 1000) });

async function withContext<T>(fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await fn(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** Where the browser is when no callback is expected: the page's heading. */
async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
}

describe('TOTP, step-up and recovery codes', () => {
  let secret: string;
  let recoveryCodes: string[];

  test('a user enrols an authenticator app and recovery codes on the Security page', async () => {
    await withContext(async (page) => {
      await page.goto(`${sesame.url}/portal/security`);
      await logIn(page, 'tess');
      await page.waitForURL(`${sesame.url}/portal/security`);
      // Changing second factors needs an elevated session (no notifier here: the password).
      await elevateWithPassword(page.context().request, sesame.url);
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      secret = (await page.getByTestId('totp-secret').textContent())!.trim();
      assert.match(secret, /^[A-Z2-7]{32,}$/);
      // A wrong code does not turn it on.
      await page.getByLabel('Code from the app').fill('000000');
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('alert').waitFor();
      assert.equal(await sesame.running.factors.totp.has((await user('tess')).id), false);
      await page.getByLabel('Code from the app').fill(await codeAt(secret));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByText('Your authenticator app is set up.').waitFor();

      await page.getByRole('button', { name: 'Create recovery codes' }).click();
      recoveryCodes = (await page.getByTestId('recovery-codes').locator('code').allTextContents()).map(
        (code) => code.trim(),
      );
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
    });
    const events = (await sesame.running.store.events.list({ subject: (await user('tess')).id })).map(
      (e) => e.type,
    );
    assert.ok(events.includes('factor.totp_added') && events.includes('factor.recovery_codes_generated'));
  });

  test('a two_factor client cannot be entered with a password alone', async () => {
    await withContext(async (page) => {
      const url = client.buildAuthorizationUrl(strict.config, {
        redirect_uri: strict.redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const hits = rp.hits.length;
      await page.goto(url.href);
      await logIn(page, 'tess');
      await page.getByLabel('Code from your authenticator app').waitFor();
      assert.equal(await heading(page), 'Two-factor authentication');
      assert.equal(rp.hits.length, hits, 'nothing reached the app');
      // Asking silently with only a password session is refused at the app.
      const silent = await authorize(page, rp, strict, { prompt: 'none' });
      assert.equal(silent.callback.searchParams.get('error'), 'interaction_required');
    });
  });

  test('password then code: the ID token says pwd, otp, mfa and the two-factor acr; a code is not accepted twice', async () => {
    advance(30);
    let used = '';
    await withContext(async (page) => {
      const result = await authorize(page, rp, strict, {}, async (current) => {
        await logIn(current, 'tess');
        used = await codeAt(secret);
        await current.getByLabel('Code from your authenticator app').fill(used);
        await current.getByRole('button', { name: 'Verify' }).click();
      });
      const claims = (await tokensFrom(strict, result)).claims()!;
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      assert.equal(claims.acr, 'urn:sesame:acr:2fa');
    });
    await withContext(async (page) => {
      const url = client.buildAuthorizationUrl(strict.config, {
        redirect_uri: strict.redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      await page.goto(url.href);
      await logIn(page, 'tess');
      await page.getByLabel('Code from your authenticator app').fill(used);
      await page.getByRole('button', { name: 'Verify' }).click();
      assert.match((await page.getByRole('alert').textContent())!, /not valid/);
    });
  });

  test('step-up: a one-factor session opening a two_factor app is asked for the code only', async () => {
    advance(30);
    await withContext(async (page) => {
      const first = await authorize(page, rp, relaxed, {}, (current) => logIn(current, 'tess'));
      assert.deepEqual((await tokensFrom(relaxed, first)).claims()!.amr, ['pwd']);
      let passwordAsked = true;
      const second = await authorize(page, rp, strict, {}, async (current) => {
        await current.getByLabel('Code from your authenticator app').waitFor();
        passwordAsked = await current.getByLabel('Password').isVisible();
        await current.getByLabel('Code from your authenticator app').fill(await codeAt(secret));
        await current.getByRole('button', { name: 'Verify' }).click();
      });
      assert.equal(passwordAsked, false);
      const claims = (await tokensFrom(strict, second)).claims()!;
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      // Now two-factor, the session serves the strict app without asking again.
      const third = await authorize(page, rp, strict);
      assert.equal((await tokensFrom(strict, third)).claims()!.acr, 'urn:sesame:acr:2fa');
    });
  });

  test('acr_values asking for two factors steps up a one_factor client when the user has a factor', async () => {
    advance(30);
    await withContext(async (page) => {
      await authorize(page, rp, relaxed, {}, (current) => logIn(current, 'tess'));
      const stepped = await authorize(
        page,
        rp,
        relaxed,
        { acr_values: 'urn:sesame:acr:2fa' },
        async (current) => {
          await current.getByLabel('Code from your authenticator app').fill(await codeAt(secret));
          await current.getByRole('button', { name: 'Verify' }).click();
        },
      );
      assert.equal((await tokensFrom(relaxed, stepped)).claims()!.acr, 'urn:sesame:acr:2fa');
    });
  });

  test('a recovery code works once', async () => {
    for (const expectation of ['accepted', 'refused'] as const)
      await withContext(async (page) => {
        const url = client.buildAuthorizationUrl(strict.config, {
          redirect_uri: strict.redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const hits = rp.hits.length;
        await page.goto(url.href);
        await logIn(page, 'tess');
        await page.getByText('Use a recovery code').click();
        await page.getByLabel('Recovery code').fill(recoveryCodes[0]!.toLowerCase());
        await page.getByRole('button', { name: 'Use recovery code' }).click();
        if (expectation === 'accepted') {
          await page.waitForURL((current) => current.href.startsWith(rp.origin));
          assert.equal(rp.hits.length, hits + 1);
        } else assert.match((await page.getByRole('alert').textContent())!, /not valid/);
      });
    assert.equal(await sesame.running.factors.recovery.remaining((await user('tess')).id), 9);
  });

  test('a user without a second factor is told how to enrol, and can return to the app', async () => {
    await withContext(async (page) => {
      const result = await authorize(page, rp, strict, {}, async (current) => {
        await logIn(current, 'nofactor');
        await current.getByRole('link', { name: 'security settings' }).waitFor();
        assert.equal(await heading(current), 'Set up a second factor');
        await current.getByRole('button', { name: /Return to/ }).click();
      });
      assert.equal(result.callback.searchParams.get('error'), 'access_denied');
    });
  });

  test('an administrator reset removes every factor', async () => {
    const tessId = (await user('tess')).id;
    await sesame.running.factors.reset(tessId, 'test');
    assert.deepEqual(await sesame.running.factors.summary(tessId), {
      totp: false,
      passkeys: 0,
      recoveryCodes: 0,
    });
  });
});

describe('who may use an application', () => {
  test('a user outside the allowed groups gets a clear page, and the app gets access_denied', async () => {
    await withContext(async (page) => {
      const result = await authorize(page, rp, staffOnly, {}, async (current) => {
        await logIn(current, 'outsider');
        await current.getByRole('heading', { name: 'No access to Staff wiki' }).waitFor();
        await current.getByRole('button', { name: 'Return to Staff wiki' }).click();
      });
      assert.equal(result.callback.searchParams.get('error'), 'access_denied');
      // With the session now present, a silent request is answered at once, not looped.
      const silent = await authorize(page, rp, staffOnly, { prompt: 'none' });
      assert.equal(silent.callback.searchParams.get('error'), 'access_denied');
    });
    await withContext(async (page) => {
      const result = await authorize(page, rp, staffOnly, {}, (current) => logIn(current, 'tess'));
      assert.ok(result.callback.searchParams.get('code'));
    });
  });

  test('named policies: first matching rule by user, group (all of a nested list) and network, else the default', () => {
    const policies = new AuthorizationPolicies({
      office: {
        default_policy: 'two_factor',
        rules: [
          { policy: 'deny', subject: 'user:mallory' },
          {
            policy: 'one_factor',
            subject: [['group:staff', 'group:onsite']],
            networks: ['10.0.0.0/8', '192.168.1.7'],
          },
          { policy: 'one_factor', subject: ['group:kiosk', 'user:kim'] },
        ],
      },
    });
    const decide = (username: string, groups: string[], clientIp?: string) =>
      policies.decide('office', [], { username, groups, clientIp }).level;
    assert.equal(decide('mallory', ['staff', 'onsite'], '10.1.2.3'), 'deny');
    assert.equal(decide('ann', ['staff', 'onsite'], '10.1.2.3'), 'one_factor');
    assert.equal(decide('ann', ['staff', 'onsite'], '::ffff:10.1.2.3'), 'one_factor');
    assert.equal(decide('ann', ['staff', 'onsite'], '192.168.1.7'), 'one_factor');
    assert.equal(decide('ann', ['staff'], '10.1.2.3'), 'two_factor', 'a nested list needs every group');
    assert.equal(decide('ann', ['staff', 'onsite'], '172.16.0.1'), 'two_factor');
    assert.equal(decide('kim', [], '172.16.0.1'), 'one_factor');
    assert.equal(decide('bob', ['KIOSK']), 'one_factor', 'group names compare case-insensitively');
    assert.equal(
      policies.decide('gone', [], { username: 'ann', groups: [] }).level,
      'deny',
      'unknown names fail closed',
    );
    assert.equal(
      policies.decide('one_factor', ['admins'], { username: 'ann', groups: ['staff'] }).level,
      'deny',
    );
  });
});

describe('regulation', () => {
  test('three failures ban the user for ban_time without checking the password; the ban ends on schedule', async () => {
    await withContext(async (page) => {
      const url = () =>
        client.buildAuthorizationUrl(relaxed.config, {
          redirect_uri: relaxed.redirectUri,
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }).href;
      await page.goto(url());
      for (let attempt = 0; attempt < 3; attempt++) {
        await logIn(page, 'banned', 'wrong password');
        await page.getByRole('alert').waitFor();
        advance(10);
      }
      // The right password while banned: the same answer as a wrong one.
      await logIn(page, 'banned');
      assert.equal(await page.getByRole('alert').textContent(), 'The username or password is incorrect.');
      const events = await sesame.running.store.events.list({ subject: 'banned' });
      assert.ok(events.some((event) => event.type === 'regulation.banned'));
      assert.equal(events[0]!.type, 'login.banned', 'refused before the password was verified');

      advance(5 * 60 - 30); // 4 min 40 s after the last failure: still banned
      await logIn(page, 'banned');
      assert.equal(await page.getByRole('alert').textContent(), 'The username or password is incorrect.');
      advance(30); // past ban_time
      const hits = rp.hits.length;
      await logIn(page, 'banned');
      await page.waitForURL((current) => current.href.startsWith(rp.origin));
      assert.equal(rp.hits.length, hits + 1);
    });
  });

  test('failures further apart than find_time do not ban', async () => {
    const regulator = sesame.running.factors.regulator;
    const subject = { username: 'slowpoke', clientIp: '192.0.2.1' };
    for (let attempt = 0; attempt < 3; attempt++) {
      await regulator.record(subject, 'password', false);
      advance(61);
    }
    assert.equal(await regulator.banned(subject), undefined);
    await regulator.record(subject, 'password', false);
    await regulator.record(subject, 'password', false);
    assert.ok(await regulator.banned(subject));
    advance(301);
    assert.equal(await regulator.banned(subject), undefined);
    // A success clears the count.
    await regulator.record(subject, 'password', false);
    await regulator.record(subject, 'password', true);
    await regulator.record(subject, 'password', false);
    assert.equal(await regulator.banned(subject), undefined);
  });
});

async function user(username: string) {
  return (await sesame.running.store.users.findByUsername(username))!;
}
