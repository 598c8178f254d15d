// notifier.new_device_sign_in through a real SMTP server and Chromium: the first browser an account
// signs in from is recorded silently, a sign-in from another browser mails the user (when and from
// where, no secret), and signing in again from a known browser mails nothing. Off by default.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';
import { startInbox, type Inbox } from './support/smtp.ts';

let inbox: Inbox;
let browser: Browser;

before(async () => {
  inbox = await startInbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await inbox?.close();
});

async function signIn(sesame: TestSesame, context = browser.newContext()) {
  const page = await (await context).newPage();
  await page.goto(`${sesame.url}/portal`);
  await logIn(page, 'nico');
  await page.waitForURL(`${sesame.url}/portal`);
  return page;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('new-device mails', () => {
  test('a second browser is reported once; the first and a known one are not', async () => {
    const sesame = await startTestSesame('sqlite', '', {
      topLevelYaml: inbox.notifierYaml.replace('notifier:\n', 'notifier:\n  new_device_sign_in: true\n'),
    });
    try {
      await sesame.addUser({ username: 'nico', password: PASSWORD, email: 'nico@example.com' });
      const first = await signIn(sesame);
      const cookies = await first.context().cookies();
      const device = cookies.find((cookie) => cookie.name === 'sesame_device');
      assert.ok(device?.httpOnly, 'the device cookie is HttpOnly');
      await settle();
      assert.equal(inbox.to('nico@example.com').length, 0, 'the first browser is recorded silently');

      const second = await signIn(sesame);
      const mail = await inbox.waitFor('nico@example.com', (m) => /new device/.test(m.subject ?? ''));
      assert.match(mail.text ?? '', /signed in from a new device or browser .* from 127\.0\.0\.1/s);
      assert.doesNotMatch(mail.text ?? '', new RegExp(device.value), 'the device id is not in the mail');

      // Known browsers (the second one signing in again, the first one after signing out) stay quiet.
      await second.context().clearCookies({ name: /^(?!sesame_device$)/ });
      await signIn(sesame, Promise.resolve(second.context()));
      await settle();
      assert.equal(inbox.to('nico@example.com').length, 1);
      const events = await sesame.running.store.events.list({ type: 'login.new_device', limit: 10 });
      assert.equal(events.length, 1);
    } finally {
      await sesame.stop();
    }
  });

  test('off by default: no cookie, no mail', async () => {
    const sesame = await startTestSesame('sqlite', '', { topLevelYaml: inbox.notifierYaml });
    try {
      await sesame.addUser({ username: 'nico', password: PASSWORD, email: 'nico@off.example' });
      const page = await signIn(sesame);
      await signIn(sesame);
      await settle();
      assert.equal((await page.context().cookies()).filter((c) => c.name === 'sesame_device').length, 0);
      assert.equal(inbox.to('nico@off.example').length, 0);
    } finally {
      await sesame.stop();
    }
  });
});
