// RomM logs users in with Python's authlib against Authentik's per-application URL, and matches
// the IdP's `email` claim to the RomM user's email. This runs authlib (Debian's python3-authlib)
// exactly so and drives the login in Chromium.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from '../support/browser.ts';
import { logIn, PASSWORD } from '../support/flows.ts';
import { startTestSesame, type TestSesame } from '../support/sesame.ts';

const run = promisify(execFile);
const PYTHON = process.env.SESAME_TEST_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./romm_client.py', import.meta.url));

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

async function romm(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, [SCRIPT, ...args], { timeout: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

test('RomM (authlib, OIDC_SERVER_APPLICATION_URL without a slash) logs in and gets the email', async () => {
  await sesame.addUser({
    username: 'frank',
    password: PASSWORD,
    email: 'frank@example.com',
    emailVerified: true,
  });
  const redirectUri = `${rp.origin}/api/oauth/openid`;
  const romApp = await sesame.addApplication({
    name: 'RomM',
    slug: 'romm',
    redirectUris: [{ url: redirectUri, matching_mode: 'strict' }],
  });
  const appUrl = `${sesame.url}/application/o/romm`;
  const settings = [appUrl, romApp.clientId, romApp.clientSecret!, redirectUri];
  const start = (await romm('start', ...settings)) as { url: string; state: string; nonce: string };

  const page = await browser.newPage();
  const before = rp.hits.length;
  await page.goto(start.url);
  await logIn(page, 'frank');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.href.startsWith(rp.origin));
  const callback = rp.hits[before]!.url.href;

  const result = (await romm('finish', ...settings, callback, start.state, start.nonce)) as {
    issuer: string;
    id_token: { email: string; email_verified: boolean; sub: string };
    userinfo: { email: string; email_verified: boolean };
  };
  assert.equal(result.issuer, `${sesame.url}/application/o/romm/`);
  assert.equal(result.id_token.email, 'frank@example.com');
  assert.equal(result.id_token.email_verified, true);
  assert.equal(result.userinfo.email, 'frank@example.com');
});
