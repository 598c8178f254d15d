// Signing keys: ID tokens in every supported algorithm, and rotation with overlap through the CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { field, runSesame } from './support/cli.ts';
import { allow, authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let page: Page;

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({
    username: 'carol',
    password: PASSWORD,
    email: 'carol@example.com',
    emailVerified: true,
  });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

async function jwks(): Promise<JSONWebKeySet> {
  return (await (await fetch(`${sesame.url}/jwks.json`)).json()) as JSONWebKeySet;
}

/** An ID token for a new application signing with `alg`. */
async function idTokenSignedWith(alg: string, slug: string): Promise<string> {
  const app = await sesame.addApplication({
    name: slug,
    slug,
    redirectUris: [{ url: `${rp.origin}/${slug}`, matching_mode: 'strict' }],
    consentMode: 'implicit',
    idTokenSignedResponseAlg: alg,
  });
  const flow = {
    config: await client.discovery(new URL(app.issuer), app.clientId, app.clientSecret, undefined, insecure),
    redirectUri: `${rp.origin}/${slug}`,
  };
  const { callback, verifier, state, nonce } = await authorize(page, rp, flow, {}, async (current) => {
    if (new URL(current.url()).pathname.startsWith('/interaction/')) {
      await logIn(current, 'carol');
      await allow(current);
    }
  });
  const tokens = await client.authorizationCodeGrant(flow.config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return tokens.id_token!;
}

test('ID tokens in RS256, PS256, ES256 and EdDSA, all verifiable with the published keys', async () => {
  const published = await jwks();
  assert.deepEqual(published.keys.map((key) => key.kty).sort(), ['EC', 'OKP', 'RSA']);
  assert.ok(
    published.keys.every((key) => !('d' in key)),
    'no private material is published',
  );
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) {
    const token = await idTokenSignedWith(alg, `app-${alg.toLowerCase()}`);
    assert.equal(decodeProtectedHeader(token).alg, alg);
    await jwtVerify(token, createLocalJWKSet(published));
  }
});

test('rotation: new keys sign, old keys keep verifying what they signed', async () => {
  const before = await jwks();
  const oldToken = await idTokenSignedWith('RS256', 'before-rotation');
  const rotated = await runSesame(['keys', 'rotate', '-c', sesame.running.config.configFile]);
  assert.equal(rotated.code, 0, rotated.stderr);
  const added = field(rotated.stdout, 'New signing keys')!.split(', ');
  assert.equal(added.length, 3);

  // The running server notices the CLI's rotation by itself (change counters, polled each second).
  let after = await jwks();
  for (
    const deadline = Date.now() + 5000;
    !added.every((kid) => after.keys.some((key) => key.kid === kid));
  ) {
    assert.ok(Date.now() < deadline, 'the rotation was not picked up within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await jwks();
  }
  const kids = after.keys.map((key) => key.kid);
  for (const kid of [...added, ...before.keys.map((key) => key.kid)])
    assert.ok(kids.includes(kid), `${kid} is published`);

  const newToken = await idTokenSignedWith('RS256', 'after-rotation');
  assert.ok(added.includes(decodeProtectedHeader(newToken).kid!), 'the new key signs');
  await jwtVerify(oldToken, createLocalJWKSet(after));

  const listed = await runSesame(['keys', 'list', '-c', sesame.running.config.configFile]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((listed.stdout.match(/\bretired\b/g) ?? []).length, 3);
  assert.equal((listed.stdout.match(/\bactive\b/g) ?? []).length, 3);
});
