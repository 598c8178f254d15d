// password_policy through every door that sets a password: the admin API, the admin UI, the CLI and
// the portal's change-password page each refuse a weak password with the rule it breaks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { verifySecret } from '../src/crypto/digest.ts';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const WEAK = 'Password1!';
const STRONG = 'quiet lantern orbiting 1936';
const TOO_EASY =
  /too easy to guess \(strength 1 of 4, at least 3 needed\)\. This is similar to a commonly used password/;

let sesame: TestSesame;
let token: string;
let browser: Browser;

before(async () => {
  sesame = await startTestSesame('sqlite', '', {
    topLevelYaml: 'password_policy:\n  zxcvbn:\n    enabled: true\n',
  });
  await sesame.addUser({ username: 'pat', password: PASSWORD });
  await sesame.addUser({ username: 'boss', password: PASSWORD, groups: ['admins'] });
  token = (
    await new ApiTokenService(sesame.running.store).create({ name: 'ops', scopes: ['*:write'] }, 'test')
  ).token;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
});

async function api(method: string, path: string, body: unknown) {
  const response = await fetch(`${sesame.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function passwordOf(username: string): Promise<string> {
  const user = (await sesame.running.store.users.findByUsername(username))!;
  return (await sesame.running.store.passwords.get(user.id))!.digest;
}

test('the admin API refuses a weak password on create and on reset, naming the rule; a generated one passes', async () => {
  const created = await api('POST', '/users', { username: 'dora', password: WEAK });
  assert.equal(created.status, 400);
  assert.match(created.body.error_description as string, TOO_EASY);
  assert.equal((created.body.fields as { field: string }[])[0]!.field, 'password');
  assert.equal(await sesame.running.store.users.findByUsername('dora'), undefined);

  assert.equal((await api('POST', '/users', { username: 'dora', password: STRONG })).status, 201);
  const reset = await api('POST', '/users/dora/password', { password: 'dora1234' });
  assert.equal(reset.status, 400);
  assert.match(reset.body.error_description as string, /too easy to guess/);
  assert.ok(await verifySecret(STRONG, await passwordOf('dora')), 'the password is unchanged');

  const generated = await api('POST', '/users/dora/password', {});
  assert.equal(generated.status, 200);
  assert.ok(await verifySecret(generated.body.password as string, await passwordOf('dora')));
});

test('the CLI refuses a weak password', async () => {
  const config = sesame.running.config.configFile;
  const weak = await runSesame(['users', 'add', 'eve', '-c', config, '--password', WEAK]);
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, TOO_EASY);
  const strong = await runSesame(['users', 'add', 'eve', '-c', config, '--password', STRONG]);
  assert.equal(strong.code, 0, strong.stderr);
});

test('the portal shows the rules and refuses a weak new password with zxcvbn’s advice', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}/portal`);
  await logIn(page, 'pat');
  await page.waitForURL(`${sesame.url}/portal`);
  await page.goto(`${sesame.url}/portal/password`);
  assert.match(
    (await page.locator('#new-password-help').textContent())!,
    /At least 8 characters\. Hard to guess/,
  );
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(WEAK);
  await page.getByLabel('New password again').fill(WEAK);
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.match((await page.locator('#new_password-error').textContent())!, TOO_EASY);
  assert.ok(await verifySecret(PASSWORD, await passwordOf('pat')), 'the password is unchanged');

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(STRONG);
  await page.getByLabel('New password again').fill(STRONG);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password was changed.').waitFor();
  assert.ok(await verifySecret(STRONG, await passwordOf('pat')));
  await context.close();
});

test('the admin UI refuses a weak password when resetting one (of the user the CLI added)', async () => {
  const context = await browser.newContext();
  const admin = await context.newPage();
  await admin.goto(`${sesame.url}/admin/users/eve`);
  await logIn(admin, 'boss');
  await admin.waitForURL(`${sesame.url}/admin/users/eve`);
  await admin.locator('#new_password').fill('eve12345');
  await admin.getByRole('button', { name: 'Reset password' }).click();
  assert.match((await admin.locator('#password-error').textContent())!, /too easy to guess/);
  assert.ok(await verifySecret(STRONG, await passwordOf('eve')), 'the password is unchanged');
  await context.close();
});
