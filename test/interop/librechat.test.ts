// LibreChat signs users in with openid-client against the global (Authelia-style) issuer, with the
// client registered in YAML as Authelia's LibreChat guide shows: a $pbkdf2-sha512$ digest of
// `insecure_secret`, `authorization_policy: two_factor`, and userinfo as plain JSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from '../support/browser.ts';
import { insecure, logIn, PASSWORD } from '../support/flows.ts';
import { startTestSesame, type TestSesame } from '../support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame(
    'sqlite',
    `    clients:
      - client_id: 'librechat'
        client_name: 'LibreChat'
        client_secret: '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng'
        public: false
        authorization_policy: 'two_factor'
        redirect_uris:
          - '${rp.origin}/oauth/openid/callback'
        scopes:
          - 'openid'
          - 'profile'
          - 'email'
        userinfo_signed_response_alg: 'none'
`,
  );
  const grace = await sesame.addUser({
    username: 'grace',
    password: PASSWORD,
    email: 'grace@example.com',
    emailVerified: true,
    displayName: 'Grace Hopper',
  });
  // Grace has an authenticator app. Enrolment used the previous period's code, so the current
  // period's code is still unused for the login below.
  const epoch = Math.floor(Date.now() / 1000);
  assert.ok(
    await sesame.running.factors.totp.confirm(
      grace.id,
      TOTP_SECRET,
      await generate({ secret: TOTP_SECRET, epoch: epoch - 30 }),
    ),
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

test('LibreChat (openid-client, OPENID_ISSUER = global issuer, hashed secret) logs in', async () => {
  // OPENID_ISSUER, OPENID_CLIENT_ID, OPENID_CLIENT_SECRET, OPENID_SCOPE, OPENID_CALLBACK_URL
  const config = await client.discovery(
    new URL(sesame.url),
    'librechat',
    'insecure_secret',
    undefined,
    insecure,
  );
  assert.equal(config.serverMetadata().issuer, sesame.url);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${rp.origin}/oauth/openid/callback`,
    scope: 'openid profile email',
    state,
    nonce,
  });
  const page = await browser.newPage();
  const before = rp.hits.length;
  await page.goto(url.href);
  await logIn(page, 'grace');
  // two_factor: the password alone does not get back to LibreChat.
  await page.getByLabel('Code from your authenticator app').fill(await generate({ secret: TOTP_SECRET }));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((current) => current.href.startsWith(rp.origin));
  const tokens = await client.authorizationCodeGrant(config, rp.hits[before]!.url, {
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims()!;
  assert.ok((claims.amr as string[]).includes('mfa'));
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.email, 'grace@example.com');
  assert.equal(userinfo.name, 'Grace Hopper');
  assert.equal(claims.iss, sesame.url);
  const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
  assert.equal(logout.origin + logout.pathname, `${sesame.url}/api/oidc/end-session`);
});
