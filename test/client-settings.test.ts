// An application's client takes the settings a YAML client has — here the back-channel logout URI
// and the token endpoint authentication — through `sesame apps add/update`, the admin API's PATCH
// and the admin UI's provider page, checked by the YAML client's rules; and a logout then really
// posts a logout token to the app; and the boolean Require DPoP (dpop_bound_access_tokens) the same way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { field, runSesame } from './support/cli.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let apiToken: string;
let alice: { id: string };

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  alice = await sesame.addUser({ username: 'alice', password: PASSWORD, email: 'alice@example.com' });
  await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
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

async function cli(...args: string[]) {
  return runSesame([...args, '-c', sesame.running.config.configFile]);
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sesame.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Alice signs in at the app, then signs out at Sesame: the logout token the app was sent, if any. */
async function logoutTokenAfterSignOut(
  issuer: string,
  clientId: string,
  clientSecret: string,
  path: string,
): Promise<string | undefined> {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  const flow = { config, redirectUri: `${rp.origin}/${path}/cb` };
  const result = await authorize(page, rp, flow, {}, (current) => logIn(current, 'alice'));
  const tokens = await client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: result.verifier,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
  const before = rp.hits.length;
  await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  let notice: RelyingParty['hits'][number] | undefined;
  for (const deadline = Date.now() + 5_000; !notice && Date.now() < deadline;) {
    notice = rp.hits
      .slice(before)
      .find((hit) => hit.method === 'POST' && hit.url.pathname === `/${path}/logout`);
    if (!notice) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await context.close();
  const token = notice?.body.get('logout_token') ?? undefined;
  if (token) {
    const { payload } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)),
      {
        issuer,
        audience: clientId,
      },
    );
    assert.equal(payload.sub, alice.id);
    assert.ok(
      (payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout'],
    );
  }
  return token;
}

test('sesame apps add --backchannel-logout-uri: the app is told of the logout; apps update changes it', async () => {
  const added = await cli(
    'apps',
    'add',
    'Shell',
    '--redirect-uri',
    `${rp.origin}/shell/cb`,
    '--consent',
    'implicit',
    '--backchannel-logout-uri',
    `${rp.origin}/shell/logout`,
  );
  assert.equal(added.code, 0, added.stderr);
  const clientId = field(added.stdout, 'Client ID')!;
  const secret = field(added.stdout, 'Client Secret')!.replace(/\s+\(shown once.*$/, '');
  const issuer = field(added.stdout, 'Issuer')!;
  assert.ok(await logoutTokenAfterSignOut(issuer, clientId, secret, 'shell'));

  // The YAML field's rule: an absolute URI.
  const bad = await cli('apps', 'update', 'shell', '--backchannel-logout-uri', 'not a uri');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--backchannel-logout-uri: must be an absolute URL/);
  // Cleared: no more logout tokens.
  const cleared = await cli('apps', 'update', 'shell', '--backchannel-logout-uri', '');
  assert.equal(cleared.code, 0, cleared.stderr);
  // (The server notices the CLI's change within a second; here, at once, whatever the machine's load.)
  await sesame.running.store.pollChanges();
  assert.equal(await logoutTokenAfterSignOut(issuer, clientId, secret, 'shell'), undefined);
});

test('PATCH /providers/{id} takes backchannel_logout_uri and the other YAML client settings, by the same rules', async () => {
  const app = await sesame.addApplication({
    name: 'Wiki',
    slug: 'wiki',
    redirectUris: [{ url: `${rp.origin}/wiki/cb`, matching_mode: 'strict' }],
    consentMode: 'implicit',
  });
  const patched = await api('PATCH', `/providers/${app.clientId}`, {
    backchannel_logout_uri: `${rp.origin}/wiki/logout`,
    userinfo_signed_response_alg: 'RS256',
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.backchannel_logout_uri, `${rp.origin}/wiki/logout`);
  const shown = await api('GET', `/providers/${app.clientId}`);
  assert.equal(shown.body.userinfo_signed_response_alg, 'RS256');
  assert.ok(await logoutTokenAfterSignOut(app.issuer, app.clientId, app.clientSecret!, 'wiki'));

  // A field's own rule, and a rule across fields, as for a YAML client.
  const notUri = await api('PATCH', `/providers/${app.clientId}`, { backchannel_logout_uri: 'relative' });
  assert.equal(notUri.status, 400);
  assert.equal((notUri.body.fields as { field: string }[])[0]!.field, 'backchannel_logout_uri');
  const noKeys = await api('PATCH', `/providers/${app.clientId}`, {
    token_endpoint_auth_method: 'private_key_jwt',
  });
  assert.equal(noKeys.status, 400, JSON.stringify(noKeys.body));
  assert.equal((noKeys.body.fields as { field: string }[])[0]!.field, 'jwks_uri');
  assert.match(noKeys.body.error_description as string, /private_key_jwt needs/);
  // Created with it through the API too.
  const created = await api('POST', '/applications', {
    name: 'Notes',
    redirect_uris: [`${rp.origin}/notes/cb`],
    backchannel_logout_uri: `${rp.origin}/notes/logout`,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const notesId = (created.body.guide as { client_id: string }).client_id;
  assert.equal(
    (await api('GET', `/providers/${notesId}`)).body.backchannel_logout_uri,
    `${rp.origin}/notes/logout`,
  );
});

test("the provider page's Back-channel logout URI field: saved, refused when not a URI, and used at logout", async () => {
  const app = await sesame.addApplication({
    name: 'Photos',
    slug: 'photos',
    redirectUris: [{ url: `${rp.origin}/photos/cb`, matching_mode: 'strict' }],
    consentMode: 'implicit',
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/providers/${app.clientId}`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/providers/${app.clientId}`);
  await page.getByText('More settings').click();
  await page.getByLabel('Back-channel logout URI').fill('not a uri');
  await page.evaluate(() => document.querySelectorAll('form').forEach((form) => (form.noValidate = true)));
  await page.getByRole('button', { name: 'Save provider' }).click();
  assert.match((await page.locator('#backchannel_logout_uri-error').textContent())!, /absolute URL/);
  await page.getByLabel('Back-channel logout URI').fill(`${rp.origin}/photos/logout`);
  await page.getByRole('button', { name: 'Save provider' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByText('More settings').click();
  assert.equal(await page.getByLabel('Back-channel logout URI').inputValue(), `${rp.origin}/photos/logout`);
  await context.close();
  assert.ok(await logoutTokenAfterSignOut(app.issuer, app.clientId, app.clientSecret!, 'photos'));
});

/** Retries an assertion while a change made elsewhere (the CLI's process) reaches the server. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (const deadline = Date.now() + 10_000; ;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

test('dpop_bound_access_tokens (Require DPoP) through apps add/update, PATCH /providers and the provider page', async () => {
  const added = await cli(
    'apps',
    'add',
    'Reports',
    '--redirect-uri',
    `${rp.origin}/reports/cb`,
    '--grant-type',
    'authorization_code',
    '--grant-type',
    'client_credentials',
    '--dpop-bound-access-tokens',
    'true',
  );
  assert.equal(added.code, 0, added.stderr);
  const clientId = field(added.stdout, 'Client ID')!;
  const secret = field(added.stdout, 'Client Secret')!.replace(/\s+\(shown once.*$/, '');
  const config = await client.discovery(
    new URL(field(added.stdout, 'Issuer')!),
    clientId,
    secret,
    undefined,
    insecure,
  );
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
  /** Whether the token endpoint refuses the client without a proof (it always takes one with a proof). */
  const required = async () => {
    assert.equal((await client.clientCredentialsGrant(config, {}, { DPoP })).token_type, 'dpop');
    try {
      return (await client.clientCredentialsGrant(config)).token_type !== 'bearer';
    } catch (error) {
      assert.equal((error as { error?: string }).error, 'invalid_grant');
      return true;
    }
  };
  assert.equal(await required(), true);

  const bad = await cli('apps', 'update', 'reports', '--dpop-bound-access-tokens', 'yes');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--dpop-bound-access-tokens: true or false/);
  const off = await cli('apps', 'update', 'reports', '--dpop-bound-access-tokens', 'false');
  assert.equal(off.code, 0, off.stderr);
  await eventually(async () => assert.equal(await required(), false));

  const patched = await api('PATCH', `/providers/${clientId}`, { dpop_bound_access_tokens: true });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.dpop_bound_access_tokens, true);
  assert.equal(await required(), true);
  const notBoolean = await api('PATCH', `/providers/${clientId}`, { dpop_bound_access_tokens: 'yes' });
  assert.equal(notBoolean.status, 400);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/providers/${clientId}`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/providers/${clientId}`);
  await page.getByText('More settings').click();
  assert.equal(await page.getByLabel('Require DPoP').isChecked(), true);
  await page.getByLabel('Require DPoP').uncheck();
  await page.getByRole('button', { name: 'Save provider' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByText('More settings').click();
  assert.equal(await page.getByLabel('Require DPoP').isChecked(), false);
  await context.close();
  assert.equal(await required(), false);
});
