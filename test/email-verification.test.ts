// Verified addresses through a real SMTP server and Chromium: an address changed in the portal is
// unverified until the link mailed to it is followed (and confirmed with a click, since mail scanners
// open links); the old address hears of the change; a link works once, and not after a further change.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { elevateWithCode, elevateWithPassword } from './support/elevation.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';
import { linkIn, startInbox, type Inbox } from './support/smtp.ts';

let sesame: TestSesame;
let inbox: Inbox;
let browser: Browser;

before(async () => {
  inbox = await startInbox();
  sesame = await startTestSesame('sqlite', '', { topLevelYaml: inbox.notifierYaml });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await inbox?.close();
});

async function signIn(username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/portal`);
  await logIn(page, username);
  await page.waitForURL(`${sesame.url}/portal`);
  return { context, page };
}

const userNamed = async (username: string) => (await sesame.running.store.users.findByUsername(username))!;

test('a new address is verified by following the mailed link, once', async () => {
  await sesame.addUser({ username: 'vera', password: PASSWORD, email: 'vera@old.example' });
  assert.equal(
    (await userNamed('vera')).emailVerified,
    true,
    'an address an administrator set counts as verified',
  );
  const { context, page } = await signIn('vera');
  // Changing the address takes an elevated session: the code mailed to the current address.
  await elevateWithCode(page.request, sesame.url, inbox, 'vera@old.example');
  await page.goto(`${sesame.url}/portal/profile`);
  await page.getByLabel('Email').fill('Vera@New.example');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('A link verifying your address is on its way').waitFor();
  assert.equal((await userNamed('vera')).emailVerified, false);

  const notice = await inbox.waitFor('vera@old.example', (mail) =>
    /address was changed/.test(mail.subject ?? ''),
  );
  assert.doesNotMatch(notice.text ?? '', /new\.example/, 'the old address is told, not where it went');
  const mail = await inbox.waitFor('vera@new.example', (m) => /Verify/.test(m.subject ?? ''));
  assert.ok(mail.html, 'the mail has an HTML version');
  const link = linkIn(mail, `${sesame.url}/verify-email?token=`);

  // Opened in another browser (the mail app's): no sign-in needed, and opening alone verifies nothing.
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto(link);
  await other.getByText('vera@new.example').waitFor();
  assert.equal((await userNamed('vera')).emailVerified, false);
  await other.getByRole('button', { name: 'Verify' }).click();
  await other.getByText('vera@new.example is verified.').waitFor();
  assert.equal((await userNamed('vera')).emailVerified, true);

  const again = await other.goto(link);
  assert.equal(again?.status(), 400, 'a used link is refused');
  await other.getByText('This link cannot be used').waitFor();
  await elsewhere.close();
  await context.close();
});

test('a link for an address the account no longer has is refused; the link can be sent again', async () => {
  await sesame.addUser({ username: 'max', password: PASSWORD });
  const { context, page } = await signIn('max');
  await elevateWithPassword(page.request, sesame.url);
  await page.goto(`${sesame.url}/portal/profile`);
  await page.getByLabel('Email').fill('max@first.example');
  await page.getByRole('button', { name: 'Save profile' }).click();
  const first = linkIn(await inbox.waitFor('max@first.example'), `${sesame.url}/verify-email?token=`);
  // (The elevation holds for its lifespan: no second confirmation.)
  await page.getByLabel('Email').fill('max@second.example');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await inbox.waitFor('max@second.example');
  assert.equal((await page.request.get(first)).status(), 400, 'the first address is no longer the account’s');

  await page.getByRole('button', { name: 'Send the verification link again' }).click();
  await page.getByText('A link verifying your address is on its way').waitFor();
  await waitUntil(() => inbox.to('max@second.example').length === 2);
  const second = linkIn(inbox.to('max@second.example')[1]!, `${sesame.url}/verify-email?token=`);
  await page.goto(second);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('max@second.example is verified.').waitFor();
  await context.close();
});

test('of 20 parallel confirmations of one link exactly one verifies; a forged form is refused', async () => {
  const user = await sesame.addUser({ username: 'pia', password: PASSWORD, email: 'pia@example.com' });
  await sesame.running.store.users.update(user.id, { emailVerified: false });
  const { context, page } = await signIn('pia');
  await page.goto(`${sesame.url}/portal/profile`);
  await page.getByRole('button', { name: 'Send the verification link again' }).click();
  const link = linkIn(await inbox.waitFor('pia@example.com'), `${sesame.url}/verify-email?token=`);
  const token = new URL(link).searchParams.get('token')!;
  const pageHtml = await (await fetch(link)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(pageHtml)![1]!;
  const post = (fields: Record<string, string>) =>
    fetch(`${sesame.url}/verify-email`, { method: 'POST', body: new URLSearchParams(fields) });
  assert.equal((await post({ token, csrf: 'forged' })).status, 403);
  assert.equal((await userNamed('pia')).emailVerified, false);
  const answers = await Promise.all(Array.from({ length: 20 }, () => post({ token, csrf })));
  const statuses = answers.map((answer) => answer.status);
  assert.equal(statuses.filter((status) => status === 200).length, 1, `one verifies: ${statuses.join(' ')}`);
  // The rest are refused: the link is used (400) or the form's token already was (403).
  assert.ok(statuses.every((status) => status === 200 || status === 400 || status === 403));
  assert.equal((await userNamed('pia')).emailVerified, true);
  const repeated = new URLSearchParams([
    ['token', token],
    ['token', token],
    ['csrf', csrf],
  ]);
  const twice = await fetch(`${sesame.url}/verify-email`, { method: 'POST', body: repeated });
  assert.equal(twice.status, 400, 'a field sent twice is refused');
  await context.close();
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
