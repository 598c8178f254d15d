// Password reset by e-mail, end to end with real parts: Chromium clicks "Forgot password?", a real SMTP
// server receives the link, the browser follows it and sets a new password under password_policy;
// afterwards the old password, the user's earlier login session and an earlier refresh token are all
// dead. Every request gets the same answer (known, unknown, users-file account); a used, expired or
// forged link gets a clear page; `password_reset.disable` and `custom_url` are honoured; of 20
// parallel uses of one link exactly one changes the password (SQLite, PostgreSQL, two nodes, MySQL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { linkSettingsOf, OneTimeLinks } from '../src/auth/one-time-links.ts';
import { hashSecret, verifySecret } from '../src/crypto/digest.ts';
import { Quota } from '../src/factors/regulation.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { allow, authorize, insecure, jarRequest, logIn, PASSWORD, rejectsWith } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';
import { linkIn, startInbox, type Inbox } from './support/smtp.ts';

const SECRET = 'reset-secret-0123456789';
const NEW_PASSWORD = 'a new passphrase 4 ada';
/** Long enough for the browser's own check, but longer than the policy allows. */
const WEAK_PASSWORD = 'a new passphrase far too long for the policy';
const POLICY = 'password_policy:\n  standard:\n    enabled: true\n    min_length: 10\n    max_length: 30\n';
const LINK_PATH = '/reset-password/new?token=';

const clientYaml = (rp: RelyingParty) => `    clients:
      - client_id: app
        client_secret: ${SECRET}
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/callback']
        scopes: [openid, profile, email, groups, offline_access]
        grant_types: [authorization_code, refresh_token]
`;

/** The reset request events written so far (the background work is done once its event is there). */
async function requestEvents(sesame: TestSesame) {
  return sesame.running.store.events.list({ type: 'user.password_reset_requested', limit: 100 });
}

async function waitForEvents(sesame: TestSesame, count: number) {
  for (const deadline = Date.now() + 10_000; (await requestEvents(sesame)).length < count;) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} reset request events`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return requestEvents(sesame);
}

/** The request form's CSRF token and cookie, as a browser gets them (`jar` keeps the cookie). */
async function formToken(jar: Map<string, string>, url: string): Promise<string> {
  const page = await jarRequest(jar, url);
  assert.equal(page.status, 200, page.body);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the page has a form with a CSRF token');
  return csrf;
}

async function requestReset(sesame: TestSesame, jar: Map<string, string>, username: string) {
  const csrf = await formToken(jar, `${sesame.url}/reset-password`);
  return jarRequest(jar, `${sesame.url}/reset-password`, { csrf, username });
}

const isReset = (mail: ParsedMail) => mail.subject === '[Sesame] Reset your password';

describe('password reset by e-mail (SQLite, Chromium, a real SMTP server)', () => {
  let inbox: Inbox;
  let rp: RelyingParty;
  let sesame: TestSesame;
  let browser: Browser;

  before(async () => {
    inbox = await startInbox();
    rp = await startRelyingParty();
    const digest = await hashSecret(PASSWORD, 'pbkdf2', { iterations: 1000 });
    sesame = await startTestSesame('sqlite', clientYaml(rp), {
      topLevelYaml: `${inbox.notifierYaml}${POLICY}`,
      usersFile: `users:\n  frank:\n    password: '${digest}'\n    email: frank@example.com\n`,
    });
    await sesame.addUser({ username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    await sesame.addUser({ username: 'nomail', password: PASSWORD });
    await sesame.addUser({ username: 'tim', password: PASSWORD, email: 'tim@example.com' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await sesame?.stop();
    await rp?.close();
    await inbox?.close();
  });

  test('Forgot password? → mail → new password; the old password, session and refresh token are dead', async () => {
    // Before: ada is signed in in one browser, and an app holds her refresh token.
    const flow = {
      config: await client.discovery(new URL(sesame.url), 'app', SECRET, undefined, insecure),
      redirectUri: `${rp.origin}/callback`,
    };
    const earlier = await browser.newContext();
    const earlierPage = await earlier.newPage();
    const { callback, verifier, state, nonce } = await authorize(earlierPage, rp, flow, {}, async (page) => {
      await logIn(page, 'ada');
      await allow(page);
    });
    const tokens = await client.authorizationCodeGrant(flow.config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.ok(tokens.refresh_token);
    await earlierPage.goto(`${sesame.url}/portal`);
    await earlierPage.waitForURL(`${sesame.url}/portal`);

    // Another browser: the sign-in page's link, the request, the mail.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${sesame.url}/portal`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${sesame.url}/reset-password`);
    await page.getByLabel('Username or email').fill('ada@example.com');
    const sentAt = Date.now();
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const mail = await inbox.waitFor('ada@example.com', isReset);
    const link = linkIn(mail, `${sesame.url}${LINK_PATH}`);
    console.log(`# reset mail delivered ${Date.now() - sentAt} ms after the request (browser)`);
    console.log(`# received mail:\n${redactedMail(mail)}`);
    assert.ok(String(mail.html).includes(link.replaceAll('&', '&amp;')), 'the HTML version has the link too');
    assert.ok(!(mail.text ?? '').includes(PASSWORD));

    // A new password the policy refuses: the form again, with the reason; the link still works.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(WEAK_PASSWORD);
    await page.getByLabel('New password again').fill(WEAK_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('The password must have at most 30 characters.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    // Signing in with the new password works.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await logIn(page, 'ada', NEW_PASSWORD);
    await page.waitForURL(`${sesame.url}/portal`);

    // The old password does not.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${sesame.url}/portal`);
    await logIn(other, 'ada', PASSWORD);
    await other.getByText('The username or password is incorrect.').waitFor();

    // The earlier login session and refresh token ended.
    await earlierPage.goto(`${sesame.url}/portal`);
    await earlierPage.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    await earlierPage.getByLabel('Username or email').waitFor();
    await rejectsWith(client.refreshTokenGrant(flow.config, tokens.refresh_token), 'invalid_grant');

    // The link is used: the clear page, with a way to ask again.
    await page.goto(link);
    await page.getByText('This link has expired or was already used.').waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href'),
      '/reset-password',
    );

    // The audit log and the "password changed" mail.
    const done = await sesame.running.store.events.list({ type: 'user.password_reset' });
    assert.equal(done.length, 1);
    assert.equal(done[0]!.subject, 'ada');
    assert.ok((done[0]!.details.sessions_ended as number) >= 1);
    assert.ok((done[0]!.details.grants_revoked as number) >= 1);
    const requested = await requestEvents(sesame);
    assert.deepEqual(
      requested.map((event) => [event.subject, event.details.outcome]),
      [['ada', 'sent']],
    );
    const token = new URL(link).searchParams.get('token')!;
    const everything = await sesame.running.store.events.list({ limit: 500 });
    assert.ok(!JSON.stringify(everything).includes(token), 'no event holds the token');
    const changed = await inbox.waitFor(
      'ada@example.com',
      (item) => item.subject === '[Sesame] Your password was changed',
    );
    assert.ok(!(changed.text ?? '').includes(NEW_PASSWORD));
    await earlier.close();
    await context.close();
  });

  test('the same answer for a known account, an unknown one, one without an address and a users-file one', async () => {
    const before = (await requestEvents(sesame)).length;
    const answers = [];
    for (const username of ['tim', 'nobody', 'nobody@example.com', 'nomail', 'frank', 'frank@example.com']) {
      const jar = new Map<string, string>();
      answers.push(await requestReset(sesame, jar, username));
    }
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body, answers[0]!.body);
    }
    assert.match(answers[0]!.body, /Check your mail/);
    const events = (await waitForEvents(sesame, before + 6)).slice(0, 6).reverse();
    assert.deepEqual(
      events.map((event) => event.details.outcome),
      ['sent', 'unknown', 'unknown', 'no-address', 'read-only', 'read-only'],
    );
    await inbox.waitFor('tim@example.com', isReset);
    // Give a wrongly sent mail its chance to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(inbox.to('frank@example.com').length, 0, 'a users-file account gets no mail');
  });

  test('time from the request to the delivered mail', async () => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const delivered: number[] = [];
    const answered = { known: [] as number[], unknown: [] as number[] };
    for (let round = 0; round < 5; round += 1) {
      for (const [who, username] of [
        ['unknown', 'nobody'],
        ['known', 'tim'],
      ] as const) {
        const jar = new Map<string, string>();
        const csrf = await formToken(jar, `${sesame.url}/reset-password`);
        const count = inbox.to('tim@example.com').length;
        const started = performance.now();
        const answer = await jarRequest(jar, `${sesame.url}/reset-password`, { csrf, username });
        answered[who].push(performance.now() - started);
        assert.equal(answer.status, 200);
        if (who === 'unknown') continue;
        await inbox.waitFor('tim@example.com', () => inbox.to('tim@example.com').length > count);
        delivered.push(performance.now() - started);
      }
    }
    const list = (values: number[]) => values.map((value) => value.toFixed(1)).join(', ');
    console.log(
      `# request → delivered mail (ms): ${list(delivered)}; median ${median(delivered).toFixed(1)}`,
    );
    console.log(
      `# answer time (ms), median: known account ${median(answered.known).toFixed(1)}, unknown ${median(answered.unknown).toFixed(1)}`,
    );
    // A newer link revokes the older ones: only the latest works.
    const links = inbox
      .to('tim@example.com')
      .slice(-2)
      .map((mail) => linkIn(mail, `${sesame.url}${LINK_PATH}`));
    assert.equal((await jarRequest(new Map(), links[0]!)).status, 410);
    assert.equal((await jarRequest(new Map(), links[1]!)).status, 200);
  });

  test('an expired or forged link gets the clear page; forms need their CSRF token', async () => {
    const tim = (await sesame.running.store.users.findByUsername('tim'))!;
    const settings = {
      secret: new TextEncoder().encode('not-the-servers-key-0123456789'),
      algorithm: 'HS256' as const,
    };
    const forged = await new OneTimeLinks(sesame.running.store, settings, sesame.url).issue(
      'reset-password',
      tim.id,
      300,
    );
    const own = new OneTimeLinks(sesame.running.store, linkSettingsOf(sesame.running.config), sesame.url);
    const expiring = await own.issue('reset-password', tim.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const token of [forged.token, expiring.token, 'not-a-token', '']) {
      const answer = await jarRequest(new Map(), `${sesame.url}${LINK_PATH}${encodeURIComponent(token)}`);
      assert.equal(answer.status, 410);
      assert.match(answer.body, /This link has expired or was already used\./);
    }
    // Posting the forged link with a valid form is refused the same way.
    const jar = new Map<string, string>();
    const valid = await own.issue('reset-password', tim.id, 300);
    const csrf = await formToken(jar, `${sesame.url}${LINK_PATH}${valid.token}`);
    const post = (form: Record<string, string>, cookies = jar) =>
      jarRequest(cookies, `${sesame.url}/reset-password/new`, form);
    const forgedPost = await post({
      csrf,
      token: forged.token,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(forgedPost.status, 410);
    // Without the cookie the token is bound to, or without a token: refused, and the link still works.
    const noCookie = await post(
      { csrf, token: valid.token, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD },
      new Map(),
    );
    assert.equal(noCookie.status, 403);
    const noToken = await post({
      token: valid.token,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(noToken.status, 403);
    const request = await jarRequest(new Map(), `${sesame.url}/reset-password`, { username: 'tim' });
    assert.equal(request.status, 403);
    // Two different passwords: the form again.
    const differ = await post({
      csrf,
      token: valid.token,
      new_password: NEW_PASSWORD,
      confirm_password: `${NEW_PASSWORD}!`,
    });
    assert.equal(differ.status, 400);
    assert.match(differ.body, /The two passwords differ\./);
    // A field sent twice is refused before the page sees it.
    const twice = await fetch(`${sesame.url}/reset-password/new`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      body: `csrf=${encodeURIComponent(csrf)}&token=${valid.token}&token=${valid.token}&new_password=x&confirm_password=x`,
    });
    assert.equal(twice.status, 400);
    assert.equal((await jarRequest(new Map(), `${sesame.url}${LINK_PATH}${valid.token}`)).status, 200);
  });

  test('a link sent before the password changed another way (portal, administrator) no longer works', async () => {
    const tim = (await sesame.running.store.users.findByUsername('tim'))!;
    const own = new OneTimeLinks(sesame.running.store, linkSettingsOf(sesame.running.config), sesame.url);
    const before = await own.issue('reset-password', tim.id, 300);
    assert.equal((await jarRequest(new Map(), `${sesame.url}${LINK_PATH}${before.token}`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await sesame.running.store.passwords.set(
      tim.id,
      (await sesame.running.store.passwords.get(tim.id))!.digest,
    );
    assert.equal((await jarRequest(new Map(), `${sesame.url}${LINK_PATH}${before.token}`)).status, 410);
    const after = await own.issue('reset-password', tim.id, 300);
    assert.equal((await jarRequest(new Map(), `${sesame.url}${LINK_PATH}${after.token}`)).status, 200);
  });
});

/** A mail's headers and text as received, with the link's token elided. */
function redactedMail(mail: ParsedMail): string {
  const elide = (text: string) => text.replace(/token=[A-Za-z0-9._-]+/g, 'token=…');
  const headers = mail.headerLines.map((header) => elide(header.line));
  return [...headers, '', elide(mail.text ?? '')].join('\n');
}

describe('password reset settings: limits, switched off, elsewhere', () => {
  let inbox: Inbox;
  const started: TestSesame[] = [];
  before(async () => {
    inbox = await startInbox();
  });
  after(async () => {
    for (const sesame of started) await sesame.stop();
    await inbox?.close();
  });

  async function start(backendYaml: string, topLevelYaml = inbox.notifierYaml) {
    const sesame = await startTestSesame('sqlite', '', { backendYaml, topLevelYaml });
    started.push(sesame);
    await sesame.addUser({ username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    return sesame;
  }

  async function loginPageOf(sesame: TestSesame) {
    const jar = new Map<string, string>();
    let answer = await jarRequest(jar, `${sesame.url}/portal/login`);
    while (answer.location) answer = await jarRequest(jar, answer.location);
    assert.match(answer.body, /Sign in/);
    return answer.body;
  }

  test('limits: a few mails per account, a few requests per address (regulation.max_retries: 1)', async () => {
    const sesame = await start('', `${inbox.notifierYaml}regulation:\n  max_retries: 1\n  find_time: 10m\n`);
    // One mail per account per window: the second request is answered alike but sends nothing.
    const first = await requestReset(sesame, new Map(), 'ada');
    const second = await requestReset(sesame, new Map(), 'ada');
    assert.equal(second.status, 200);
    assert.equal(second.body, first.body);
    const events = await waitForEvents(sesame, 2);
    assert.deepEqual(events.map((event) => event.details.outcome).reverse(), ['sent', 'throttled']);
    await inbox.waitFor('ada@example.com', isReset);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(inbox.to('ada@example.com').length, 1);
    // Ten requests per address per window (of any account): the eleventh is refused.
    for (let request = 2; request < 10; request += 1)
      assert.equal((await requestReset(sesame, new Map(), `someone${request}`)).status, 200);
    const refused = await requestReset(sesame, new Map(), 'someone-else');
    assert.equal(refused.status, 429);
    assert.match(refused.body, /Too many requests/);
  });

  test('password_reset.disable: no link, and the pages answer 404 with a clear page', async () => {
    const sesame = await start('  password_reset:\n    disable: true\n');
    assert.doesNotMatch(await loginPageOf(sesame), /Forgot password/);
    for (const answer of [
      await jarRequest(new Map(), `${sesame.url}/reset-password`),
      await jarRequest(new Map(), `${sesame.url}/reset-password`, { username: 'ada' }),
      await jarRequest(new Map(), `${sesame.url}${LINK_PATH}x`),
    ]) {
      assert.equal(answer.status, 404);
      assert.match(answer.body, /Password reset is not available/);
    }
    assert.equal((await requestEvents(sesame)).length, 0);
  });

  test('without a notifier there is no link either', async () => {
    const sesame = await start('', '');
    assert.doesNotMatch(await loginPageOf(sesame), /Forgot password/);
    assert.equal((await jarRequest(new Map(), `${sesame.url}/reset-password`)).status, 404);
  });

  test('password_reset.custom_url: the link points there', async () => {
    const custom = 'https://passwords.example.com/forgot';
    const sesame = await start(`  password_reset:\n    custom_url: ${custom}\n`);
    assert.match(await loginPageOf(sesame), new RegExp(`<a href="${custom}">Forgot password\\?</a>`));
    const answer = await jarRequest(new Map(), `${sesame.url}/reset-password`);
    assert.equal(answer.status, 303);
    assert.equal(answer.location, custom);
    assert.equal(
      (await jarRequest(new Map(), `${sesame.url}/reset-password`, { username: 'ada' })).status,
      404,
    );
  });
});

const setups = [
  { name: 'SQLite, one node', engine: 'sqlite', nodes: 1 },
  { name: 'PostgreSQL, one node', engine: 'postgres', nodes: 1 },
  { name: 'PostgreSQL, two nodes on one schema', engine: 'postgres', nodes: 2 },
  { name: 'MySQL, one node', engine: 'mysql', nodes: 1 },
] as const;

for (const setup of setups) {
  describe(
    `one reset link used 20 times at once: ${setup.name}`,
    { skip: await skipWithout(setup.engine) },
    () => {
      const nodes: TestSesame[] = [];
      let inbox: Inbox;
      before(async () => {
        inbox = await startInbox();
        nodes.push(await startTestSesame(setup.engine, '', { topLevelYaml: inbox.notifierYaml }));
        if (setup.nodes === 2)
          nodes.push(
            await startTestSesame(setup.engine, '', { topLevelYaml: inbox.notifierYaml, nodeOf: nodes[0] }),
          );
        await nodes[0]!.addUser({ username: 'ada', password: PASSWORD, email: 'ada@example.com' });
      });
      after(async () => {
        for (const node of nodes.reverse()) await node.stop();
        await inbox?.close();
      });

      test('the mail limit holds under parallel requests: 20 takes of 3 slots, 3 succeed', async () => {
        const quotas = nodes.map((node) => new Quota(node.running.store));
        const taken = await Promise.all(
          Array.from({ length: 20 }, (_, index) => quotas[index % quotas.length]!.take('parallel', 3, 600)),
        );
        assert.equal(taken.filter(Boolean).length, 3);
      });

      test('exactly one changes the password; the others get the "already used" page', async () => {
        const first = nodes[0]!;
        const { artifacts } = first.running.store;
        const adaId = (await first.running.store.users.findByUsername('ada'))!.id;
        // A grant and a refresh token of another grant, as oidc-provider stores them.
        const expiresAt = new Date(Date.now() + 3_600_000);
        await artifacts.upsert({ model: 'Grant', id: 'grant-1', payload: { accountId: adaId }, expiresAt });
        await artifacts.upsert({
          model: 'RefreshToken',
          id: 'refresh-1',
          payload: { accountId: adaId, grantId: 'grant-2' },
          grantId: 'grant-2',
          expiresAt,
        });
        assert.equal((await requestReset(first, new Map(), 'ada')).status, 200);
        const link = linkIn(await inbox.waitFor('ada@example.com', isReset), `${first.url}${LINK_PATH}`);
        const token = new URL(link).searchParams.get('token')!;
        // Each request from its own browser (cookie and form), alternating nodes.
        const forms = await Promise.all(
          Array.from({ length: 20 }, async (_, index) => {
            const node = nodes[index % nodes.length]!;
            const jar = new Map<string, string>();
            const csrf = await formToken(jar, `${node.nodeUrl}${LINK_PATH}${token}`);
            return { jar, csrf, node };
          }),
        );
        const answers = await Promise.all(
          forms.map(({ jar, csrf, node }, index) =>
            jarRequest(jar, `${node.nodeUrl}/reset-password/new`, {
              csrf,
              token,
              new_password: `${NEW_PASSWORD} ${index}`,
              confirm_password: `${NEW_PASSWORD} ${index}`,
            }),
          ),
        );
        const winners = answers.filter((answer) => answer.status === 200);
        assert.equal(winners.length, 1, JSON.stringify(answers.map((answer) => answer.status)));
        assert.match(winners[0]!.body, /Password changed/);
        assert.deepEqual(
          answers.filter((answer) => answer.status !== 200).map((answer) => answer.status),
          Array(19).fill(410),
        );
        const events = await first.running.store.events.list({ type: 'user.password_reset' });
        assert.equal(events.length, 1);
        // The winner's password is the one set.
        const ada = (await first.running.store.users.findByUsername('ada'))!;
        const stored = (await first.running.store.passwords.get(ada.id))!.digest;
        const winner = answers.findIndex((answer) => answer.status === 200);
        assert.equal(await artifacts.find('Grant', 'grant-1'), undefined, 'the grant is revoked');
        assert.equal(await artifacts.find('RefreshToken', 'refresh-1'), undefined, 'the token is revoked');
        assert.ok(await verifySecret(`${NEW_PASSWORD} ${winner}`, stored));
        assert.ok(!(await verifySecret(PASSWORD, stored)));
        await inbox.waitFor(
          'ada@example.com',
          (mail) => mail.subject === '[Sesame] Your password was changed',
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(
          inbox.to('ada@example.com').filter((mail) => mail.subject === '[Sesame] Your password was changed')
            .length,
          1,
        );
      });
    },
  );
}
