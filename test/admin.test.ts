// The admin UI walked as Authentik's guides read: Providers → Create → OAuth2/OpenID Provider (name,
// flows, redirect URI) → Done; Applications → Create (name, slug, provider); open the provider and
// copy Client ID, Client Secret and the issuer; then an app logs in with exactly those values.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const SCREENSHOTS = process.env.SESAME_SCREENSHOTS ?? join(tmpdir(), 'sesame-screenshots');

let sesame: TestSesame;
let rp: RelyingParty;
let browser: Browser;

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  rp = await startRelyingParty();
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({
    username: 'root',
    password: PASSWORD,
    groups: ['admins'],
    email: 'root@example.com',
  });
  await sesame.addUser({
    username: 'joe',
    password: PASSWORD,
    email: 'joe@example.com',
    emailVerified: true,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

test("the Authentik guide's walk works in the admin UI, and the copied values log an app in", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/providers`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/providers`);

  // Providers → Create → OAuth2/OpenID Provider
  await page
    .getByRole('button', { name: 'Create' })
    .or(page.getByRole('link', { name: 'Create' }))
    .click();
  await page.getByLabel('OAuth2/OpenID Provider').check();
  await page.getByLabel('Name').fill('RomM');
  await page.getByLabel('Authentication flow').selectOption('one_factor');
  await page.getByLabel('Authorization flow').selectOption('implicit');
  await page.getByLabel('Redirect URI 1', { exact: true }).fill(`${rp.origin}/api/oauth/openid`);
  await shot(page, 'admin-provider-create');
  await page.getByRole('button', { name: 'Done' }).click();
  const clientSecret = await page.getByLabel('Client Secret', { exact: true }).inputValue();
  assert.ok(clientSecret.length >= 64);
  await shot(page, 'admin-provider-created');
  // The settings chosen at creation carry the same names on the provider's page.
  assert.equal(await page.getByLabel('Authentication flow').inputValue(), 'one_factor');
  assert.equal(await page.getByLabel('Authorization flow').inputValue(), 'implicit');
  assert.equal(await page.getByLabel('Client type').inputValue(), 'confidential');
  assert.equal(
    await page.getByLabel('Redirect URI 1', { exact: true }).inputValue(),
    `${rp.origin}/api/oauth/openid`,
  );
  // No application yet: the page does not offer the global issuer as the one to copy.
  assert.equal(await page.getByLabel('OpenID Configuration Issuer', { exact: true }).count(), 0);
  await page.getByText('No application uses this provider yet').waitFor();
  const providerId = await page.getByLabel('Client ID', { exact: true }).inputValue();
  assert.equal(
    await page.getByRole('link', { name: 'Create an application with it' }).getAttribute('href'),
    `/admin/applications/new?provider=${providerId}`,
  );

  // Applications → Create with a name, a slug and that provider
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Name').fill('RomM');
  await page.getByLabel('Slug').fill('romm');
  await page.getByLabel('Provider').selectOption({ label: 'RomM' });
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(`${sesame.url}/admin/applications`);
  await page.getByRole('cell', { name: 'romm', exact: true }).waitFor();
  await shot(page, 'admin-applications');

  // Open the provider and copy Client ID and the OpenID Configuration Issuer
  await page.getByRole('link', { name: 'Providers' }).click();
  await page.getByRole('link', { name: 'RomM', exact: true }).click();
  const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue();
  const issuer = await page.getByLabel('OpenID Configuration Issuer', { exact: true }).inputValue();
  assert.equal(issuer, `${sesame.url}/application/o/romm/`);
  assert.equal(
    await page.getByLabel('Client Secret', { exact: true }).count(),
    0,
    'the secret is not shown again',
  );
  await shot(page, 'admin-provider');

  // The app, configured with nothing but these values.
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  const userPage = await (await browser.newContext()).newPage();
  const result = await authorize(
    userPage,
    rp,
    { config, redirectUri: `${rp.origin}/api/oauth/openid` },
    {},
    (current) => logIn(current, 'joe'),
  );
  const tokens = await client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: result.verifier,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
  assert.equal(tokens.claims()!.email, 'joe@example.com');
  assert.equal(tokens.claims()!.iss, issuer);

  // A phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${sesame.url}/admin/applications`);
  await shot(page, 'admin-applications-phone');
  await context.close();
});

test('a form sent twice changes things once: the repeat is "Already submitted"; a success answers 303', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/providers/new`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/providers/new`);
  await page.getByLabel('Name').fill('Twice');
  await page.getByLabel('Redirect URI 1', { exact: true }).fill(`${rp.origin}/twice`);
  // The very same form, sent twice (a double click, or a reload that sends it again).
  const form = await page.evaluate(
    () =>
      Object.fromEntries(new FormData(document.querySelector('form[action="/admin/providers"]')!)) as Record<
        string,
        string
      >,
  );
  const first = await context.request.post(`${sesame.url}/admin/providers`, { form, maxRedirects: 0 });
  assert.equal(first.status(), 303);
  const location = first.headers().location!;
  assert.match(location, /^\/admin\/providers\/[^/?]+\?done=created$/);
  const second = await context.request.post(`${sesame.url}/admin/providers`, { form, maxRedirects: 0 });
  assert.equal(second.status(), 409);
  assert.match(await second.text(), /Already submitted/);
  const named = (await sesame.running.store.clients.list({ limit: 1000 })).filter(
    (client) => client.name === 'Twice',
  );
  assert.equal(named.length, 1, 'one provider, not two');

  // The page the redirect opens shows the secret once; a reload does not send anything again.
  await page.goto(`${sesame.url}${location}`);
  const secret = await page.getByLabel('Client Secret', { exact: true }).inputValue();
  assert.ok(secret.length >= 64);
  await page.reload();
  assert.equal(await page.getByLabel('Client Secret', { exact: true }).count(), 0);
  assert.equal(
    (await sesame.running.store.clients.list({ limit: 1000 })).filter((client) => client.name === 'Twice')
      .length,
    1,
  );

  // A double click in the browser sends the form once.
  await page.goto(`${sesame.url}/admin/providers/new`);
  await page.getByLabel('Name').fill('Clicked twice');
  await page.getByLabel('Redirect URI 1', { exact: true }).fill(`${rp.origin}/clicked`);
  await page.getByRole('button', { name: 'Done' }).dblclick();
  await page.waitForURL(/\/admin\/providers\/[^/?]+\?done=created$/);
  await page.getByLabel('Client Secret', { exact: true }).waitFor();
  assert.equal(
    (await sesame.running.store.clients.list({ limit: 1000 })).filter(
      (client) => client.name === 'Clicked twice',
    ).length,
    1,
  );

  // Submitting in the browser: the POST answers 303 and the browser follows it with a GET.
  await page.goto(`${sesame.url}/admin/groups`);
  await page.getByLabel('Name').fill('twice');
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create group' }).click(),
  ]);
  assert.equal(answer.status(), 303);

  // A portal form too.
  await page.goto(`${sesame.url}/portal/profile`);
  const profile = await page.evaluate(
    () =>
      Object.fromEntries(new FormData(document.querySelector('form[action="/portal/profile"]')!)) as Record<
        string,
        string
      >,
  );
  const saved = await context.request.post(`${sesame.url}/portal/profile`, {
    form: profile,
    maxRedirects: 0,
  });
  assert.equal(saved.status(), 303);
  const again = await context.request.post(`${sesame.url}/portal/profile`, {
    form: profile,
    maxRedirects: 0,
  });
  assert.equal(again.status(), 409);
  assert.match(await again.text(), /Already submitted/);
  await context.close();
});

test('a non-administrator gets 403 in the admin UI', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/admin/applications`);
  await logIn(page, 'joe');
  await page.getByRole('heading', { name: 'Administrators only' }).waitFor();
  const response = await page.goto(`${sesame.url}/admin/providers`);
  assert.equal(response?.status(), 403);
  const post = await context.request.post(`${sesame.url}/admin/providers`, { form: { name: 'x' } });
  assert.equal(post.status(), 403);
  await context.close();
});
