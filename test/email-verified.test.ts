// An email address an administrator sets counts as verified (as in Authentik), whichever way the
// user was created — `sesame users add --email`, the admin API, the admin UI's create form — and
// apps see it so in the ID token and at userinfo; saying otherwise is possible in all three.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let flow: { config: client.Configuration; redirectUri: string };
let apiToken: string;

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
  const app = await sesame.addApplication({
    name: 'RomM',
    slug: 'romm',
    redirectUris: [{ url: `${rp.origin}/cb`, matching_mode: 'strict' }],
    consentMode: 'implicit',
  });
  flow = {
    config: await client.discovery(new URL(app.issuer), app.clientId, app.clientSecret, undefined, insecure),
    redirectUri: `${rp.origin}/cb`,
  };
  apiToken = (
    await new ApiTokenService(sesame.running.store).create(
      { name: 'automation', scopes: ['*:write'] },
      'test',
    )
  ).token;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

/** What the app learns about the user's address: from the ID token and from userinfo. */
async function emailClaims(username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const result = await authorize(page, rp, flow, {}, (current) => logIn(current, username));
  const tokens = await client.authorizationCodeGrant(flow.config, result.callback, {
    pkceCodeVerifier: result.verifier,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
  const claims = tokens.claims()!;
  const userinfo = await client.fetchUserInfo(flow.config, tokens.access_token, claims.sub);
  await context.close();
  return { idToken: claims.email_verified, userinfo: userinfo.email_verified, email: userinfo.email };
}

async function cli(...args: string[]) {
  const result = await runSesame([...args, '-c', sesame.running.config.configFile]);
  assert.equal(result.code, 0, result.stderr);
}

async function api(body: Record<string, unknown>) {
  const response = await fetch(`${sesame.url}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { user: { email_verified: boolean } };
}

test('sesame users add --email: verified, as the README shows; --email-unverified says otherwise', async () => {
  await cli('users', 'add', 'ann', '--email', 'ann@example.com', '--password', PASSWORD);
  assert.deepEqual(await emailClaims('ann'), { idToken: true, userinfo: true, email: 'ann@example.com' });
  await cli(
    'users',
    'add',
    'ben',
    '--email',
    'ben@example.com',
    '--email-unverified',
    '--password',
    PASSWORD,
  );
  assert.deepEqual(await emailClaims('ben'), { idToken: false, userinfo: false, email: 'ben@example.com' });
});

test('the admin API: an email given is verified unless email_verified is false', async () => {
  const created = await api({ username: 'cat', email: 'cat@example.com', password: PASSWORD });
  assert.equal(created.user.email_verified, true);
  assert.deepEqual(await emailClaims('cat'), { idToken: true, userinfo: true, email: 'cat@example.com' });
  const unverified = await api({
    username: 'dan',
    email: 'dan@example.com',
    email_verified: false,
    password: PASSWORD,
  });
  assert.equal(unverified.user.email_verified, false);
  // A new address set later by an administrator counts as verified too.
  const patched = await fetch(`${sesame.url}/api/v1/users/dan`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'daniel@example.com' }),
  });
  assert.equal(((await patched.json()) as { email_verified: boolean }).email_verified, true);
});

test("the admin UI's create form: 'Email address verified' is on by default, and can be turned off", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/users/new`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/users/new`);
  await page.getByLabel('Username').fill('eve');
  await page.getByLabel('Email', { exact: true }).fill('eve@example.com');
  assert.equal(await page.getByLabel('Email address verified').isChecked(), true);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.waitForURL(/\/admin\/users\/eve\?done=created$/);
  assert.equal(await page.getByLabel('Email address verified').isChecked(), true);
  assert.deepEqual(await emailClaims('eve'), { idToken: true, userinfo: true, email: 'eve@example.com' });

  await page.goto(`${sesame.url}/admin/users/new`);
  await page.getByLabel('Username').fill('fay');
  await page.getByLabel('Email', { exact: true }).fill('fay@example.com');
  await page.getByLabel('Email address verified').uncheck();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.waitForURL(/\/admin\/users\/fay\?done=created$/);
  assert.equal((await sesame.running.store.users.findByUsername('fay'))!.emailVerified, false);
  await context.close();
});
