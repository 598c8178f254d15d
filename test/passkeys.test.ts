// Passkeys in Chromium through its virtual authenticator (DevTools WebAuthn domain): registered and
// named on the Security page, used as a second factor (step-up) and as a passwordless first factor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { cspViolations, launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, insecure, logIn, PASSWORD, type Flow } from './support/flows.ts';
import { elevateWithPassword } from './support/elevation.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let strict: Flow;
let relaxed: Flow;
let violations: string[];

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
    { hostname: 'localhost' },
  );
  await sesame.addUser({
    username: 'pat',
    password: PASSWORD,
    email: 'pat@example.com',
    emailVerified: true,
  });
  const flow = async (id: string): Promise<Flow> => ({
    config: await client.discovery(new URL(sesame.url), id, `${id}-secret-0123456789`, undefined, insecure),
    redirectUri: `${rp.origin}/${id}/callback`,
  });
  strict = await flow('strict');
  relaxed = await flow('relaxed');
  browser = await launchBrowser();
  context = await browser.newContext();
  violations = await cspViolations(context);
  page = await context.newPage();
  // A platform authenticator that holds discoverable credentials and verifies the user by itself.
  const devtools = await context.newCDPSession(page);
  await devtools.send('WebAuthn.enable');
  await devtools.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
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

const pat = async () => (await sesame.running.store.users.findByUsername('pat'))!;

test('a passkey is registered, named and renamed on the Security page', async () => {
  await page.goto(`${sesame.url}/portal/security`);
  await logIn(page, 'pat');
  await page.waitForURL(`${sesame.url}/portal/security`);
  // Adding a passkey needs an elevated session (no notifier here: the password).
  await elevateWithPassword(context.request, sesame.url);
  await page.reload();
  await page.getByLabel('Name for the new passkey').fill('Laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Your passkey was added.').waitFor();
  const stored = await sesame.running.factors.passkeys.list((await pat()).id);
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.name, 'Laptop');
  await page.getByLabel('Name of Laptop').fill('Work laptop');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByText('Your passkey was renamed.').waitFor();
  assert.equal((await sesame.running.factors.passkeys.list((await pat()).id))[0]!.name, 'Work laptop');
});

test('as a second factor: a password session steps up with the passkey, and says hwk and phr', async () => {
  const result = await authorize(page, rp, strict, {}, async (current) => {
    await current.getByRole('button', { name: 'Use a passkey or security key' }).click();
  });
  const claims = (await tokensFrom(strict, result)).claims()!;
  assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'pwd']);
  assert.equal(claims.acr, 'phr');
});

test('as the only factor: signing in with the passkey needs no password', async () => {
  await context.clearCookies();
  const result = await authorize(page, rp, relaxed, {}, async (current) => {
    await current.getByRole('button', { name: 'Sign in with a passkey' }).click();
  });
  const claims = (await tokensFrom(relaxed, result)).claims()!;
  assert.equal(claims.sub, (await pat()).id);
  assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'user']);
  // A verified passkey is two factors: the two_factor app lets the session in as it is.
  const strictResult = await authorize(page, rp, strict);
  assert.ok(strictResult.callback.searchParams.get('code'));
});

test('a removed passkey is gone', async () => {
  // A new login session (the passkey's): elevated again before a change.
  await elevateWithPassword(context.request, sesame.url);
  await page.goto(`${sesame.url}/portal/security`);
  await page.getByRole('button', { name: 'Remove Work laptop' }).click();
  await page.getByText('Your passkey was removed.').waitFor();
  assert.equal((await sesame.running.factors.passkeys.list((await pat()).id)).length, 0);
  const events = (await sesame.running.store.events.list({ subject: (await pat()).id })).map(
    (event) => event.type,
  );
  assert.ok(events.includes('factor.passkey_added') && events.includes('factor.passkey_removed'));
});

test('the passkey pages ran under their Content-Security-Policy without a violation', () => {
  assert.deepEqual(violations, []);
});
