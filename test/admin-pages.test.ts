// Every admin page walked in Chromium on SQLite: users (create, group, disable, password, factors,
// sessions), groups, signing keys, the event log's teaching redirect_uri event, a provider's
// redirect URIs edited and then used by openid-client, an application's page, the 403 for
// non-administrators on every admin GET route, and screenshots at desktop and phone widths.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { verifySecret } from '../src/crypto/digest.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const SCREENSHOTS = process.env.SESAME_SCREENSHOTS ?? join(tmpdir(), 'sesame-screenshots');

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;
let adminContext: BrowserContext;
let admin: Page;
let notes: { slug: string; clientId: string; clientSecret?: string; issuer: string };

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'], displayName: 'Root' });
  await sesame.addUser({
    username: 'joe',
    password: PASSWORD,
    email: 'joe@example.com',
    emailVerified: true,
  });
  notes = await sesame.addApplication({
    name: 'Notes',
    slug: 'notes',
    redirectUris: [{ url: `${rp.origin}/cb`, matching_mode: 'strict' }],
    consentMode: 'implicit',
    launchUrl: rp.origin,
  });
  browser = await launchBrowser();
  adminContext = await browser.newContext();
  admin = await adminContext.newPage();
  await admin.goto(`${sesame.url}/admin/users`);
  await logIn(admin, 'root');
  await admin.waitForURL(`${sesame.url}/admin/users`);
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

/** Lets a form reach the server with what the browser would refuse, to see the server's own checks. */
async function skipBrowserChecks(page: Page) {
  await page.evaluate(() => document.querySelectorAll('form').forEach((form) => (form.noValidate = true)));
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Reloads until the text shows (events are written just after the answer), at most 5 s. */
async function eventually(page: Page, url: string, text: string | RegExp) {
  for (const deadline = Date.now() + 5_000; ;) {
    await page.goto(url);
    if ((await page.getByText(text).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${url} never showed ${String(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('users and groups: create, group, sessions, password, second factors, disable; groups come and go', async () => {
  // A group first, then a user in it with a generated password.
  await admin.getByRole('link', { name: 'Groups', exact: true }).click();
  await admin.getByLabel('Name').fill('family');
  await admin.getByRole('button', { name: 'Create group' }).click();
  await admin.getByRole('heading', { name: 'family' }).waitFor();

  await admin.getByRole('link', { name: 'Users', exact: true }).click();
  await admin.getByRole('button', { name: 'Create', exact: true }).click();
  await admin.getByLabel('Username').fill('ann');
  await admin.getByLabel('Display name').fill('Ann Example');
  await admin.getByLabel('Email', { exact: true }).fill('not-an-email');
  await skipBrowserChecks(admin);
  await admin.getByRole('button', { name: 'Create user' }).click();
  assert.match((await admin.locator('#email-error').textContent())!, /valid email/);
  await admin.getByLabel('Email', { exact: true }).fill('ann@example.com');
  await admin.getByRole('checkbox', { name: 'family' }).check();
  await admin.getByRole('button', { name: 'Create user' }).click();
  const first = await admin.getByLabel('One-time password', { exact: true }).inputValue();
  assert.ok(first.length >= 20);
  await shot(admin, 'admin-user');

  // The search finds her; the group lists her.
  await admin.goto(`${sesame.url}/admin/users?q=ann`);
  await admin.getByRole('link', { name: 'ann', exact: true }).waitFor();
  assert.equal(await admin.locator('tbody').getByRole('link', { name: 'root', exact: true }).count(), 0);
  await shot(admin, 'admin-users');
  await admin.goto(`${sesame.url}/admin/groups/family`);
  await admin.getByRole('link', { name: 'ann', exact: true }).waitFor();

  // She signs in; the admin sees her session and revokes it.
  const annContext = await browser.newContext();
  const ann = await annContext.newPage();
  await ann.goto(`${sesame.url}/portal`);
  await logIn(ann, 'ann', first);
  await ann.waitForURL(`${sesame.url}/portal`);
  await admin.goto(`${sesame.url}/admin/users/ann`);
  const revoke = admin.getByRole('button', { name: /^Revoke session/ });
  assert.equal(await revoke.count(), 1);
  await revoke.click();
  await admin.getByText('Session revoked.').waitFor();
  assert.equal(await admin.getByRole('button', { name: /^Revoke session/ }).count(), 0);
  await ann.goto(`${sesame.url}/portal`);
  assert.match(ann.url(), /\/interaction\//, 'the revoked session signs in again');

  // A password typed by the admin, then a generated one shown once.
  await admin.locator('#new_password').fill('short');
  await admin.getByRole('button', { name: 'Reset password' }).click();
  assert.match((await admin.locator('#password-error').textContent())!, /at least 8/);
  await admin.getByRole('button', { name: 'Reset password' }).click();
  const second = await admin.getByLabel('One-time password', { exact: true }).inputValue();
  assert.notEqual(second, first);
  await logIn(ann, 'ann', second);
  await ann.waitForURL(`${sesame.url}/portal`);

  // Second factors: reset behind a confirmation.
  await admin.goto(`${sesame.url}/admin/users/ann`);
  await admin.getByText('Reset second factors…').click();
  await admin.getByRole('button', { name: 'Yes, reset second factors' }).click();
  await admin.getByText('Second factors reset.').waitFor();

  // Disable: her session ends and she cannot sign in.
  await admin.getByText('Disable account…').click();
  await admin.getByRole('button', { name: 'Yes, disable ann' }).click();
  await admin.getByText('The account is disabled').waitFor();
  assert.equal(await admin.locator('h1 .badge').textContent(), 'disabled');
  await ann.goto(`${sesame.url}/portal`);
  await logIn(ann, 'ann', second);
  await ann.getByRole('alert').waitFor();
  await admin.getByRole('button', { name: 'Enable account' }).click();
  await admin.getByText('The account is enabled.').waitFor();
  await annContext.close();

  // Groups: one made and deleted; the last administrators group cannot go.
  await admin.goto(`${sesame.url}/admin/groups`);
  await admin.getByLabel('Name').fill('temp');
  await admin.getByRole('button', { name: 'Create group' }).click();
  await admin.getByLabel('Add a member').fill('joe');
  await admin.getByRole('button', { name: 'Add', exact: true }).click();
  await admin.getByText('Member added.').waitFor();
  await admin.getByText('Delete group…').click();
  await admin.getByRole('button', { name: 'Yes, delete temp' }).click();
  await admin.getByText('The group was deleted').waitFor();
  assert.equal(await admin.getByRole('link', { name: 'temp', exact: true }).count(), 0);
  await shot(admin, 'admin-groups');
  await admin.goto(`${sesame.url}/admin/groups/admins`);
  await admin.getByText('This is the last administrators group').waitFor();
  assert.equal(await admin.getByText('Delete group…').count(), 0);
});

test('signing keys: rotation shows the new kid, active, and the old one retiring', async () => {
  await admin.goto(`${sesame.url}/admin/keys`);
  const before = await admin.locator('tbody tr td:first-child code').allTextContents();
  assert.ok(before.length > 0);
  const eventsBefore = await sesame.running.store.events.list({ type: 'keys.rotated' });
  await admin.getByText('Rotate signing keys…').click();
  await admin.getByRole('button', { name: 'Yes, rotate now' }).click();
  await admin.getByText('New signing keys are active.').waitFor();
  // One rotation, one event, credited to the administrator who clicked.
  const rotations = (await sesame.running.store.events.list({ type: 'keys.rotated' })).filter(
    (event) => !eventsBefore.some((old) => old.id === event.id),
  );
  assert.deepEqual(
    rotations.map((event) => event.actor),
    ['user:root'],
  );
  const rows = await admin.locator('tbody tr').allTextContents();
  const added = rows.filter((row) => /active/.test(row) && !before.some((kid) => row.includes(kid)));
  assert.ok(added.length > 0, 'a new active kid is listed');
  assert.ok(rows.some((row) => before.some((kid) => row.includes(kid)) && /retiring/.test(row)));
  const jwks = (await (await fetch(`${sesame.url}/jwks.json`)).json()) as { keys: { kid: string }[] };
  assert.ok(
    added.some((row) => jwks.keys.some((key) => row.includes(key.kid))),
    'the new kid is published',
  );
  await shot(admin, 'admin-keys');
});

test('API tokens: created in the UI with chosen scopes, shown once, honoured by the API, revoked', async () => {
  await admin.goto(`${sesame.url}/admin/tokens`);
  // No scope chosen: refused, next to the scopes.
  await admin.getByLabel('Name').fill('reporting');
  await admin.getByRole('button', { name: 'Create token' }).click();
  await admin.getByText(/give at least one scope/).waitFor();
  await admin
    .getByRole('row', { name: /^applications/ })
    .getByLabel('read')
    .check();
  await admin.getByLabel('Expires after (days; empty: never)').fill('30');
  await admin.getByRole('button', { name: 'Create token' }).click();
  await admin.getByText('Copy it now: it is not shown again.').waitFor();
  const token = await admin.getByLabel('Token', { exact: true }).inputValue();
  assert.match(token, /^sesame_[A-Za-z0-9_-]{43}$/);
  await shot(admin, 'admin-tokens-created');

  const api = (method: string, path: string) =>
    fetch(`${sesame.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body:
        method === 'GET' ? undefined : JSON.stringify({ name: 'x', redirect_uris: ['https://x.example/cb'] }),
    });
  assert.equal((await api('GET', '/applications')).status, 200);
  assert.equal((await api('POST', '/applications')).status, 403, 'read scope only');
  assert.equal((await api('GET', '/users')).status, 403, 'applications only');

  // The list never shows the token again.
  await admin.goto(`${sesame.url}/admin/tokens`);
  assert.equal(await admin.getByText(token).count(), 0);
  const row = admin.getByRole('row', { name: /reporting/ });
  assert.match((await row.textContent()) ?? '', /applications:read[\s\S]*active/);
  await row.getByText('Revoke…').click();
  await row.getByRole('button', { name: 'Yes, revoke it' }).click();
  await admin.getByText('The token was revoked.').waitFor();
  assert.match((await admin.getByRole('row', { name: /reporting/ }).textContent()) ?? '', /revoked/);
  assert.equal((await api('GET', '/applications')).status, 401);
});

test('a wrong redirect_uri teaches in the event log; editing the provider makes a new URI work', async () => {
  const config = await client.discovery(
    new URL(notes.issuer),
    notes.clientId,
    notes.clientSecret,
    undefined,
    insecure,
  );
  const wrong = `${rp.origin}/new-cb`;
  const user = await (await browser.newContext()).newPage();
  await user.goto(
    client.buildAuthorizationUrl(config, { redirect_uri: wrong, scope: 'openid', state: 'x' }).href,
  );
  await user.getByText('invalid_redirect_uri').waitFor();

  const teaching = `redirect_uri ${wrong} is not registered for client ${notes.clientId} (Notes); registered: ${rp.origin}/cb`;
  await eventually(admin, `${sesame.url}/admin/events?client=${notes.clientId}`, teaching);
  await admin.goto(`${sesame.url}/admin/events`);
  await admin.getByLabel('Text').fill('not registered');
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByText(teaching).waitFor();
  await shot(admin, 'admin-events');

  // The provider's page: a bad regex and a too-short lifetime are refused next to their fields.
  await admin.goto(`${sesame.url}/admin/providers/${notes.clientId}`);
  await admin.getByLabel('Redirect URI 2', { exact: true }).fill('(');
  await admin.getByLabel('Matching for Redirect URI 2').selectOption('regex');
  await admin.getByLabel('Access token', { exact: true }).fill('30');
  await skipBrowserChecks(admin);
  await admin.getByRole('button', { name: 'Save provider' }).click();
  assert.match((await admin.locator('#redirect_uris-error').textContent())!, /regular expression/);
  assert.match((await admin.locator('[id="lifespans.access_token-error"]').textContent())!, /60/);
  await admin.getByLabel('Access token', { exact: true }).fill('');
  await admin.getByLabel('Redirect URI 2', { exact: true }).fill(wrong);
  await admin.getByLabel('Matching for Redirect URI 2').selectOption('strict');
  await admin
    .getByLabel('Redirect URI 1', { exact: true })
    .fill(`${rp.origin.replaceAll('.', '\\.')}/old/.*`);
  await admin.getByLabel('Matching for Redirect URI 1').selectOption('regex');
  await admin.getByRole('button', { name: 'Save provider' }).click();
  await admin.getByText('Saved.').waitFor();
  await shot(admin, 'admin-provider-edit');

  const result = await authorize(user, rp, { config, redirectUri: wrong }, {}, (current) =>
    logIn(current, 'joe'),
  );
  const tokens = await client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: result.verifier,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
  assert.equal(tokens.claims()!.iss, notes.issuer);
  const viaPattern = await authorize(user, rp, { config, redirectUri: `${rp.origin}/old/x` });
  assert.ok(viaPattern.callback.searchParams.get('code'), 'the regex row matches');
});

test('regenerating a client secret asks first; once confirmed, the new secret is shown and the old one fails', async () => {
  const vault = await sesame.addApplication({
    name: 'Vault',
    slug: 'vault',
    redirectUris: [{ url: `${rp.origin}/vault/cb`, matching_mode: 'strict' }],
  });
  const digest = async () =>
    (await sesame.running.store.clients.findByClientId(vault.clientId))!.secretDigest!;
  const before = await digest();
  await admin.goto(`${sesame.url}/admin/providers/${vault.clientId}`);
  // One click only opens the explanation: the running app keeps working.
  await admin.getByText('Regenerate client secret…').click();
  await admin.getByText('The current secret stops working at once').waitFor();
  assert.equal(await digest(), before, 'nothing changed on the first click');
  await shot(admin, 'admin-provider-regenerate');
  await admin.getByRole('button', { name: 'Yes, regenerate the secret' }).click();
  await admin.getByText('A new client secret is active').waitFor();
  const secret = await admin.getByLabel('Client Secret', { exact: true }).inputValue();
  assert.ok(await verifySecret(secret, await digest()));
  assert.equal(await verifySecret(vault.clientSecret!, await digest()), false);
});

test('an application: guide with real values and no secret, edit, delete after confirmation', async () => {
  const extra = await sesame.addApplication({
    name: 'Gallery',
    slug: 'gallery',
    redirectUris: [{ url: `${rp.origin}/gallery/cb`, matching_mode: 'strict' }],
  });
  await admin.goto(`${sesame.url}/admin/applications`);
  await admin.getByRole('link', { name: 'Gallery', exact: true }).first().click();
  assert.equal(await admin.getByLabel('Client ID', { exact: true }).inputValue(), extra.clientId);
  assert.equal(await admin.getByLabel('Issuer', { exact: true }).inputValue(), extra.issuer);
  assert.ok(!(await admin.content()).includes(extra.clientSecret!), 'the secret is never shown again');
  await admin.getByLabel('Launch URL').fill(`${rp.origin}/gallery`);
  await admin.getByLabel('Icon URL').fill('nope');
  await skipBrowserChecks(admin);
  await admin.getByRole('button', { name: 'Save application' }).click();
  assert.match((await admin.locator('#icon-error').textContent())!, /URL/);
  await admin.getByLabel('Icon URL').fill('');
  await admin.getByRole('button', { name: 'Save application' }).click();
  await admin.getByText('Saved.').waitFor();
  await admin.getByRole('button', { name: 'Launch' }).waitFor();
  await shot(admin, 'admin-application');
  await admin.getByText('Delete application…').click();
  await admin.getByRole('button', { name: 'Yes, delete Gallery' }).click();
  await admin.getByText('The application and its provider were deleted.').waitFor();
  assert.equal(await admin.getByRole('link', { name: 'Gallery' }).count(), 0);
  assert.equal((await fetch(`${extra.issuer}.well-known/openid-configuration`)).status, 404);
});

test('every admin page: shared nav with the current section, skip link, and a phone layout', async () => {
  const pages: [string, string][] = [
    ['applications', 'Applications'],
    ['providers', 'Providers'],
    ['users', 'Users'],
    ['groups', 'Groups'],
    ['invitations', 'Invitations'],
    ['access', 'Access rules'],
    ['keys', 'Signing keys'],
    ['tokens', 'API tokens'],
    ['events', 'Events'],
  ];
  for (const [path, label] of pages) {
    await admin.setViewportSize({ width: 1280, height: 800 });
    await admin.goto(`${sesame.url}/admin/${path}`);
    const current = admin.getByRole('navigation', { name: 'Admin' }).locator('[aria-current="page"]');
    assert.equal(await current.textContent(), label);
    await admin.keyboard.press('Tab');
    assert.equal(await admin.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await shot(admin, `admin-${path}-desktop`);
    await admin.setViewportSize({ width: 375, height: 812 });
    await admin.reload();
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `/admin/${path} scrolls sideways on a phone by ${overflow}px`);
    await shot(admin, `admin-${path}-phone`);
  }
  await admin.goto(`${sesame.url}/admin/providers/${notes.clientId}`);
  await shot(admin, 'admin-provider-phone');
  await admin.setViewportSize({ width: 1280, height: 800 });
});

test('a non-administrator gets 403 on every admin GET route', async () => {
  // Fastify prints its routes as a tree; rebuild each full path from the indentation.
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of sesame.running.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]*)\)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('');
    if (path.startsWith('/admin') && match[3]!.split(', ').includes('GET'))
      routes.push(
        path
          .replace(':slug', 'notes')
          .replace(':clientId', notes.clientId)
          .replace(':username', 'root')
          .replace(':name', 'admins'),
      );
  }
  assert.ok(routes.length >= 12, `found ${routes.join(' ')}`);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/portal`);
  await logIn(page, 'joe');
  await page.waitForURL(`${sesame.url}/portal`);
  for (const route of routes.filter((path) => path !== '/admin')) {
    const response = await context.request.get(`${sesame.url}${route}`, { maxRedirects: 0 });
    assert.equal(response.status(), 403, route);
  }
  const post = await context.request.post(`${sesame.url}/admin/groups`, { form: { name: 'x' } });
  assert.equal(post.status(), 403);
  await context.close();
});
