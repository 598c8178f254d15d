// The elevated session (identity_validation.elevated_session) through a real SMTP server and
// Chromium: the authenticator-app setup asks for a mailed one-time code, a wrong, expired, used or
// foreign code is refused, the right one elevates the session for elevation_lifespan (read against
// the server's test clock), require_second_factor and skip_second_factor behave as Authelia's, and of
// 20 parallel submissions of the right code exactly one elevates, on SQLite, PostgreSQL and two nodes
// sharing one PostgreSQL schema.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { codeIn, csrfOf } from './support/elevation.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';
import { startInbox, type Inbox } from './support/smtp.ts';

const MINUTE = 60_000;
let inbox: Inbox;
let browser: Browser;
/** The servers' clock runs this far ahead of the real one. */
let offset = 0;
const clock = () => Date.now() + offset;

before(async () => {
  inbox = await startInbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await inbox?.close();
});

async function signIn(sesame: TestSesame, username: string, path = '/portal/security') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sesame.url}${path}`);
  await logIn(page, username);
  await page.waitForURL(`${sesame.url}${path}`);
  return { context, page };
}

/** Sends a code from the page the browser is on; the mail it brings, and how long it took (ms). */
async function requestCode(page: Page, address: string) {
  const before = inbox.to(address).length;
  const started = performance.now();
  await page.getByRole('button', { name: /Send (a|another) code/ }).click();
  const mail = await inbox.waitFor(address, (candidate) => inbox.to(address).indexOf(candidate) >= before);
  const ms = performance.now() - started;
  await page.getByText(/A code was sent to/).waitFor();
  return { mail, code: codeIn(mail), ms };
}

async function enter(page: Page, code: string) {
  await page.getByLabel('Code from the mail').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

const eventsOf = async (sesame: TestSesame, type: string) =>
  (await sesame.running.store.events.list({ type, limit: 1000 })).length;

describe('elevated session on SQLite with a real inbox', () => {
  let sesame: TestSesame;

  before(async () => {
    sesame = await startTestSesame('sqlite', '', { topLevelYaml: inbox.notifierYaml, clock });
    await sesame.addUser({ username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    await sesame.addUser({ username: 'bo', password: PASSWORD, email: 'bo@example.com' });
    await sesame.addUser({ username: 'cy', password: PASSWORD });
  });
  after(() => sesame?.stop());

  test('the authenticator-app setup asks for the mailed code; wrong refused, right proceeds, lapses', async (t) => {
    const { context, page } = await signIn(sesame, 'ada');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByText('a***@example.com').waitFor();
    const timings: number[] = [];
    const { mail, code, ms } = await requestCode(page, 'ada@example.com');
    timings.push(ms);
    assert.equal(mail.subject, '[Sesame] Your one-time code');
    assert.match(mail.text ?? '', /for 5 minutes/);
    assert.match(mail.text ?? '', /from 127\.0\.0\.1/);
    assert.ok(String(mail.html).includes(code));
    const headers = ['from', 'to', 'subject', 'date', 'message-id', 'content-type']
      .map((name) => {
        const value = mail.headers.get(name) as unknown;
        const shown = typeof value === 'object' && value && 'text' in value ? value.text : value;
        return `${name}: ${typeof shown === 'string' ? shown : JSON.stringify(shown)}`;
      })
      .join('\n');
    t.diagnostic(`mail as received:\n${headers}\n\n${(mail.text ?? '').replace(code, '<code elided>')}`);
    assert.equal(code.length, 8);

    await enter(page, 'ABCDEFGH'.replace(code[0]!, 'Z'));
    await page.getByText('That is not the code we sent').waitFor();
    await enter(page, code.toLowerCase());
    await page.waitForURL(`${sesame.url}/portal/security/totp/new`);
    await page.getByRole('heading', { name: 'Set up authenticator app' }).waitFor();
    assert.equal(await eventsOf(sesame, 'elevation.code_sent'), 1);
    assert.equal(await eventsOf(sesame, 'elevation.failed'), 1);
    assert.equal(await eventsOf(sesame, 'elevation.succeeded'), 1);
    const attempts = await sesame.running.store.attempts.recent('user', 'ada', new Date(0), 10);
    assert.equal(attempts.filter((attempt) => !attempt.success).length, 1, 'the wrong code was counted');

    // Elevated: the Security page offers the changes at once; after elevation_lifespan it asks again.
    await page.goto(`${sesame.url}/portal/security`);
    assert.equal(await page.getByRole('heading', { name: 'Confirm it is you' }).count(), 0);
    offset += 11 * MINUTE;
    await page.reload();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByRole('button', { name: 'Create recovery codes' }).click();
    await page.getByRole('button', { name: 'Send a code to your e-mail' }).waitFor();

    // A code entered after code_lifespan is refused.
    for (let round = 0; round < 2; round++) {
      const next = await requestCode(page, 'ada@example.com');
      timings.push(next.ms);
      if (round === 1) {
        offset += 6 * MINUTE;
        await enter(page, next.code);
        await page.getByText('That is not the code we sent, or it has expired').waitFor();
      }
    }
    timings.sort((a, b) => a - b);
    t.diagnostic(`send code → delivered: ${timings.map(Math.round).join(', ')} ms`);
    await context.close();
  });

  test('a code is bound to its user and its login session; a used code does not work again', async () => {
    const ada = await signIn(sesame, 'ada');
    const bo = await signIn(sesame, 'bo');
    const adaAgain = await signIn(sesame, 'ada');
    for (const { page } of [ada, bo, adaAgain]) await page.goto(`${sesame.url}/portal/security/elevate`);
    const bos = await requestCode(bo.page, 'bo@example.com');
    const adas = await requestCode(ada.page, 'ada@example.com');
    await enter(ada.page, bos.code);
    await ada.page.getByText('That is not the code we sent').waitFor();
    // Ada's code in Ada's other login session.
    await adaAgain.page.getByRole('button', { name: 'Send a code to your e-mail' }).waitFor();
    await adaAgain.page.goto(`${sesame.url}/portal/security/elevate?sent=1`);
    await enter(adaAgain.page, adas.code);
    await adaAgain.page.getByText('That is not the code we sent').waitFor();
    await enter(ada.page, adas.code);
    await ada.page.waitForURL(`${sesame.url}/portal/security`);
    // The same code again (a second tab of the elevated session's browser).
    const csrf = csrfOf(await (await ada.context.request.get(`${sesame.url}/portal/security`)).text());
    const again = await ada.context.request.post(`${sesame.url}/portal/security/elevate`, {
      form: { csrf, code: adas.code, next: '/portal/security' },
      maxRedirects: 0,
    });
    assert.equal(again.status(), 409);
    assert.match(await again.text(), /This code was already used/);
    for (const { context } of [ada, bo, adaAgain]) await context.close();
  });

  test('elevation ends with sign-out', async () => {
    const { context, page } = await signIn(sesame, 'bo');
    await page.goto(`${sesame.url}/portal/security/elevate`);
    const { code } = await requestCode(page, 'bo@example.com');
    await enter(page, code);
    await page.waitForURL(`${sesame.url}/portal/security`);
    assert.equal(await page.getByRole('heading', { name: 'Confirm it is you' }).count(), 0);
    await page.getByRole('link', { name: 'Sign out' }).click();
    const confirm = page.getByRole('button', { name: /Sign out|Yes/ });
    if (await confirm.count()) await confirm.first().click();
    await page.waitForLoadState('networkidle');
    await page.goto(`${sesame.url}/portal/security`);
    await logIn(page, 'bo');
    await page.waitForURL(`${sesame.url}/portal/security`);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await context.close();
  });

  test('a user without an address confirms with the current password, under the regulator', async () => {
    const { context, page } = await signIn(sesame, 'cy', '/portal/profile');
    await page.getByLabel('Email').fill('cy@example.com');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('To change your e-mail address, first confirm it is you.').waitFor();
    assert.equal((await sesame.running.store.users.findByUsername('cy'))?.email, undefined);
    await page.getByRole('link', { name: 'confirm it is you' }).click();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('This is not your current password.').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${sesame.url}/portal/profile`);
    await page.getByLabel('Email').fill('cy@example.com');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile was saved.').waitFor();
    assert.equal((await sesame.running.store.users.findByUsername('cy'))?.email, 'cy@example.com');
    await context.close();
  });
});

describe('require_second_factor and skip_second_factor', () => {
  let sesame: TestSesame;
  let totpCode: () => Promise<string>;

  before(async () => {
    sesame = await startTestSesame('sqlite', '', {
      topLevelYaml: `${inbox.notifierYaml}identity_validation:\n  elevated_session:\n    require_second_factor: true\n    skip_second_factor: true\n`,
    });
    const dee = await sesame.addUser({ username: 'dee', password: PASSWORD, email: 'dee@example.com' });
    await sesame.addUser({ username: 'eve', password: PASSWORD, email: 'eve@example.com' });
    const { secret } = await sesame.running.factors.totp.begin('dee');
    const previous = await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 });
    assert.ok(await sesame.running.factors.totp.confirm(dee.id, secret, previous));
    totpCode = () => generate({ secret });
  });
  after(() => sesame?.stop());

  test('a one-factor session of a user with a second factor signs in with it, then needs no code', async () => {
    const { context, page } = await signIn(sesame, 'dee');
    await page.getByRole('button', { name: 'Create recovery codes' }).click();
    await page.getByText('You have a second factor: sign in with it in this session first.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send a code to your e-mail' }).count(), 0);
    await page.getByRole('button', { name: 'Sign in with your second factor' }).click();
    await page.getByLabel('Code from your authenticator app').fill(await totpCode());
    await page.getByLabel('Code from your authenticator app').press('Enter');
    await page.waitForURL(`${sesame.url}/portal/security`);
    // skip_second_factor: the session used its second factor, so it is elevated without a code.
    assert.equal(await page.getByRole('heading', { name: 'Confirm it is you' }).count(), 0);
    await page.getByRole('button', { name: 'Create recovery codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = inbox.to('dee@example.com').filter((mail) => /one-time code/.test(mail.subject ?? ''));
    assert.equal(codes.length, 0, 'no code was mailed');
    await context.close();
  });

  test('a user without a second factor gets a code', async () => {
    const { context, page } = await signIn(sesame, 'eve');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const { code } = await requestCode(page, 'eve@example.com');
    await enter(page, code);
    await page.waitForURL(`${sesame.url}/portal/security/totp/new`);
    await context.close();
  });
});

const setups = [
  { name: 'SQLite', engine: 'sqlite', nodes: 1 },
  { name: 'PostgreSQL', engine: 'postgres', nodes: 1 },
  { name: 'two nodes on one PostgreSQL schema', engine: 'postgres', nodes: 2 },
] as const;

for (const setup of setups) {
  describe(
    `20 parallel submissions of the right code: ${setup.name}`,
    { skip: await skipWithout(setup.engine) },
    () => {
      const nodes: TestSesame[] = [];
      let context: BrowserContext;

      before(async () => {
        nodes.push(await startTestSesame(setup.engine, '', { topLevelYaml: inbox.notifierYaml }));
        if (setup.nodes === 2)
          nodes.push(
            await startTestSesame(setup.engine, '', { topLevelYaml: inbox.notifierYaml, nodeOf: nodes[0] }),
          );
        await nodes[0]!.addUser({
          username: 'fay',
          password: PASSWORD,
          email: `fay-${setup.engine}-${setup.nodes}@example.com`,
        });
      });
      after(async () => {
        await context?.close();
        for (const node of nodes.reverse()) await node.stop();
      });

      test('exactly one elevates; the others are told the code was already used', async () => {
        const address = `fay-${setup.engine}-${setup.nodes}@example.com`;
        ({ context } = await signIn(nodes[0]!, 'fay'));
        const page = context.pages()[0]!;
        await page.goto(`${nodes[0]!.url}/portal/security/elevate`);
        const { code } = await requestCode(page, address);
        const bases = nodes.map((node) => node.nodeUrl);
        // One fresh CSRF token per submission (a token works once), from alternating nodes.
        const tokens = await Promise.all(
          Array.from({ length: 20 }, async (_, index) =>
            csrfOf(
              await (
                await context.request.get(`${bases[index % bases.length]}/portal/security/elevate?sent=1`)
              ).text(),
            ),
          ),
        );
        const answers = await Promise.all(
          tokens.map((csrf, index) =>
            context.request.post(`${bases[index % bases.length]}/portal/security/elevate`, {
              form: { csrf, code, next: '/portal/security' },
              maxRedirects: 0,
            }),
          ),
        );
        const statuses = answers.map((answer) => answer.status()).sort();
        assert.deepEqual(statuses, [303, ...Array<number>(19).fill(409)]);
        for (const answer of answers.filter((candidate) => candidate.status() === 409))
          assert.match(await answer.text(), /This code was already used/);
        assert.equal(await eventsOf(nodes[0]!, 'elevation.succeeded'), 1);
        const security = await (await context.request.get(`${bases.at(-1)}/portal/security`)).text();
        assert.ok(!security.includes('elevate-heading'), 'elevated on every node');
      });
    },
  );
}
