// LibreChat signs users in with openid-client against the global (Authelia-style) issuer, with the
// client registered in YAML as Authelia's LibreChat guide shows: a $pbkdf2-sha512$ digest of
// `insecure_secret` and userinfo as plain JSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from '../support/browser.ts';
import { insecure, logIn, PASSWORD } from '../support/flows.ts';
import { startTestSesame, type TestSesame } from '../support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame(
    'sqlite',
    `    clients:
      - client_id: 'librechat'
        client_name: 'LibreChat'
        client_secret: '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng'
        public: false
        authorization_policy: 'one_factor'
        redirect_uris:
          - '${rp.origin}/oauth/openid/callback'
        scopes:
          - 'openid'
          - 'profile'
          - 'email'
        userinfo_signed_response_alg: 'none'
`,
  );
  await sesame.addUser({
    username: 'grace',
    password: PASSWORD,
    email: 'grace@example.com',
    emailVerified: true,
    displayName: 'Grace Hopper',
  });
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
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((current) => current.href.startsWith(rp.origin));
  const tokens = await client.authorizationCodeGrant(config, rp.hits[before]!.url, {
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims()!;
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.email, 'grace@example.com');
  assert.equal(userinfo.name, 'Grace Hopper');
  assert.equal(claims.iss, sesame.url);
  const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
  assert.equal(logout.origin + logout.pathname, `${sesame.url}/api/oidc/end-session`);
});
