// The user portal in Chromium on SQLite: the launcher lists only the applications the user may
// open, the profile persists, the password changes (the current one is required), and sign-in
// sessions are listed and ended.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { elevateWithPassword } from './support/elevation.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const SCREENSHOTS = process.env.SESAME_SCREENSHOTS ?? join(tmpdir(), 'sesame-screenshots');
const NEW_PASSWORD = 'a brand new passphrase';

let sesame: TestSesame;
let browser: Browser;

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({ username: 'pat', password: PASSWORD, groups: ['family'], displayName: 'Pat' });
  await sesame.addUser({ username: 'boss', password: PASSWORD, groups: ['admins'] });
  const app = (name: string, extra: Record<string, unknown> = {}) =>
    sesame.addApplication({
      name,
      redirectUris: [
        { url: `https://${name.toLowerCase().replace(/\s/g, '')}.example.com/cb`, matching_mode: 'strict' },
      ],
      ...extra,
    });
  await app('Family Photos', { allowedGroups: ['family'], launchUrl: 'https://photos.example.com/' });
  await app('Wiki', { description: 'Team notes' });
  await app('Payroll', { allowedGroups: ['hr'] });
  await app('Vault', { authorizationPolicy: 'deny' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signIn(username: string, password = PASSWORD) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/portal`);
  await logIn(page, username, password);
  await page.waitForURL(`${sesame.url}/portal`);
  return { context, page };
}

test('My applications lists only what the user may open; administrators see the admin link', async () => {
  const { context, page } = await signIn('pat');
  const names = await page.locator('.apps .name').allTextContents();
  assert.deepEqual(names, ['Family Photos', 'Wiki']);
  assert.equal(
    await page.getByRole('link', { name: /Family Photos/ }).getAttribute('href'),
    'https://photos.example.com/',
  );
  assert.equal(
    await page.getByRole('link', { name: /Wiki/ }).getAttribute('href'),
    'https://wiki.example.com',
  );
  assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0);
  assert.equal(
    await page.getByRole('navigation', { name: 'Portal' }).locator('[aria-current="page"]').textContent(),
    'My applications',
  );
  await shot(page, 'portal-apps');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.reload();
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0);
  await shot(page, 'portal-apps-phone');
  // Between the phone and the wide layouts the content keeps a margin on both sides.
  for (const width of [800, 1000]) {
    await page.setViewportSize({ width, height: 800 });
    await page.reload();
    for (const selector of ['main h1', 'main .apps']) {
      const box = (await page.locator(selector).first().boundingBox())!;
      assert.ok(box.x > 0, `${selector} starts ${box.x}px from the left edge at ${width}px`);
      const right = await page.evaluate(() => document.documentElement.clientWidth);
      assert.ok(box.x + box.width < right, `${selector} reaches the right edge at ${width}px`);
    }
    await shot(page, `portal-apps-${width}`);
  }
  await context.close();

  const boss = await signIn('boss');
  await boss.page.getByRole('link', { name: 'Admin', exact: true }).click();
  await boss.page.waitForURL(`${sesame.url}/admin/applications`);
  await boss.context.close();
});

test('the profile is edited and kept', async () => {
  const { context, page } = await signIn('pat');
  // A new address needs an elevated session (no notifier here: the password).
  await elevateWithPassword(context.request, sesame.url);
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByLabel('Display name').fill('Pat Smith');
  await page.getByLabel('Given name').fill('Pat');
  await page.getByLabel('Family name').fill('Smith');
  await page.getByLabel('Email').fill('pat@example.com');
  await page.getByLabel('Picture URL').fill('javascript:alert(1)');
  await page.evaluate(() => document.querySelectorAll('form').forEach((form) => (form.noValidate = true)));
  await page.getByRole('button', { name: 'Save profile' }).click();
  assert.match((await page.locator('#picture-error').textContent())!, /http/);
  await page.getByLabel('Picture URL').fill('');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Your profile was saved.').waitFor();
  await page.reload();
  assert.equal(await page.getByLabel('Display name').inputValue(), 'Pat Smith');
  assert.equal(await page.getByLabel('Email').inputValue(), 'pat@example.com');
  const stored = await sesame.running.store.users.findByUsername('pat');
  assert.equal(stored?.displayName, 'Pat Smith');
  // What userinfo's given_name and family_name answer with.
  assert.equal(stored?.givenName, 'Pat');
  assert.equal(stored?.familyName, 'Smith');
  assert.equal(stored?.emailVerified, false);
  await shot(page, 'portal-profile');
  await context.close();
});

test('sessions are listed and ended; the password changes only with the current one', async () => {
  const first = await signIn('pat');
  const second = await signIn('pat');
  await first.page.getByRole('link', { name: 'Sessions' }).click();
  const rows = () => first.page.locator('tbody tr').count();
  assert.ok((await rows()) >= 2);
  await first.page.getByText('this browser').waitFor();
  await shot(first.page, 'portal-sessions');
  await first.page.getByRole('button', { name: /^End all other sessions/ }).click();
  await first.page.getByText('Your other sessions were ended.').waitFor();
  assert.equal(await rows(), 1);
  await second.page.goto(`${sesame.url}/portal/sessions`);
  assert.match(second.page.url(), /\/interaction\//, 'the ended session must sign in again');
  await second.context.close();

  const page = first.page;
  await page.getByRole('link', { name: 'Password' }).click();
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.match((await page.locator('#current_password-error').textContent())!, /not your current password/);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(`${NEW_PASSWORD}!`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#confirm_password-error').waitFor();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password was changed.').waitFor();
  await shot(page, 'portal-password');

  // The next login: the old password fails, the new one works.
  const context = await browser.newContext();
  const next = await context.newPage();
  await next.goto(`${sesame.url}/portal`);
  await logIn(next, 'pat', PASSWORD);
  await next.getByRole('alert').waitFor();
  await logIn(next, 'pat', NEW_PASSWORD);
  await next.waitForURL(`${sesame.url}/portal`);
  await context.close();

  // Ending this browser's own session signs it out.
  await page.goto(`${sesame.url}/portal/sessions`);
  await page.getByRole('button', { name: /this browser/ }).click();
  await page.waitForURL(/\/interaction\//);
  await first.context.close();
});
