// Invitations and sign-up, with real parts: an administrator invites through the API (or the CLI),
// the mail arrives at a real SMTP server, Chromium follows its link, chooses a username and password
// and lands in the portal signed in; the account has the invitation's groups, which an app sees in
// its ID token. Spent, revoked, expired and forged links get a clear page; of 20 parallel
// submissions of one invitation exactly one makes an account (SQLite, PostgreSQL, two nodes on one
// schema, MySQL). Open registration is off by default, checks domains, answers alike for known and unknown
// addresses, and its mailed link makes a verified account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';
import { linkIn, startInbox, type Inbox } from './support/smtp.ts';

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

async function apiTokenOf(sesame: TestSesame): Promise<string> {
  const service = new ApiTokenService(sesame.running.store);
  return (await service.create({ name: 'automation', scopes: ['*:write'] }, 'test')).token;
}

function api(sesame: TestSesame, token: string, method: string, path: string, body?: unknown) {
  return fetch(`${sesame.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Fills the account form the link opened and submits it. */
async function chooseAccount(page: Page, username: string | undefined, password = PASSWORD) {
  if (username) await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill('New Person');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Create my account' }).click();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('invitations (SQLite, real SMTP, Chromium)', () => {
  let sesame: TestSesame;
  let token: string;
  let rp: RelyingParty;
  let flow: { config: client.Configuration; redirectUri: string };

  before(async () => {
    rp = await startRelyingParty();
    sesame = await startTestSesame('sqlite', '', { topLevelYaml: inbox.notifierYaml });
    await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
    token = await apiTokenOf(sesame);
    const app = await sesame.addApplication({
      name: 'Wiki',
      slug: 'wiki',
      redirectUris: [{ url: `${rp.origin}/cb`, matching_mode: 'strict' }],
      consentMode: 'implicit',
      scopes: ['openid', 'profile', 'email', 'groups'],
    });
    flow = {
      config: await client.discovery(
        new URL(app.issuer),
        app.clientId,
        app.clientSecret,
        undefined,
        insecure,
      ),
      redirectUri: `${rp.origin}/cb`,
    };
  });

  after(async () => {
    await sesame?.stop();
    await rp?.close();
  });

  test('a mailed invitation is followed in Chromium: the account is made, signed in, in its groups', async () => {
    const started = performance.now();
    const answer = await api(sesame, token, 'POST', '/invitations', {
      email: 'newbie@example.com',
      groups: ['staff', 'readers'],
    });
    assert.equal(answer.status, 201, await answer.clone().text());
    const created = (await answer.json()) as { id: string; link: string; state: string; mailed: boolean };
    assert.equal(created.state, 'pending');
    assert.equal(created.mailed, true);
    const mail = await inbox.waitFor('newbie@example.com', (m) => /invited/.test(m.subject ?? ''));
    console.log(`invitation: POST to delivered mail ${(performance.now() - started).toFixed(0)} ms`);
    const link = linkIn(mail, `${sesame.url}/invitation?token=`);
    assert.equal(link, created.link);
    assert.doesNotMatch(mail.text ?? '', /password:/i);
    console.log(`invitation mail headers:\n${[...mail.headerLines].map((h) => h.line).join('\n')}`);
    console.log(`invitation mail text:\n${(mail.text ?? '').replace(/token=\S+/, 'token=…')}`);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    assert.match(await page.locator('main').innerText(), /newbie@example\.com/);
    assert.match(await page.locator('main').innerText(), /staff, readers/);
    await chooseAccount(page, 'newbie');
    await page.waitForURL(
      (url) => url.pathname.startsWith('/portal') && !url.pathname.startsWith('/portal/login'),
    );
    assert.match(await page.locator('body').innerText(), /New Person|newbie/);
    const welcome = (await context.cookies()).filter((cookie) => cookie.name === 'sesame_welcome');
    assert.deepEqual(welcome, [], 'the welcome cookie is gone once used');

    const user = (await sesame.running.store.users.findByUsername('newbie'))!;
    assert.deepEqual([...user.groups].sort(), ['readers', 'staff']);
    assert.equal(user.email, 'newbie@example.com');
    assert.equal(user.emailVerified, true, 'a mailed invitation proves the address');
    const listed = (await (await api(sesame, token, 'GET', '/invitations')).json()) as {
      items: { id: string; state: string; used_by_user_id?: string }[];
    };
    const used = listed.items.find((item) => item.id === created.id)!;
    assert.equal(used.state, 'used');
    assert.equal(used.used_by_user_id, user.id);

    // The same browser, now signed in, signs in to an app: the ID token carries the groups.
    const result = await authorize(page, rp, flow);
    const tokens = await client.authorizationCodeGrant(flow.config, result.callback, {
      pkceCodeVerifier: result.verifier,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    const claims = tokens.claims()!;
    assert.deepEqual([...(claims.groups as string[])].sort(), ['readers', 'staff']);
    assert.equal(claims.email_verified, true);

    // The link is spent: a clear page, no second account.
    await page.goto(link);
    assert.match(await page.locator('#link-problem').innerText(), /already used/);
    await context.close();
  });

  test('time from the invitation request to the delivered mail (5 invitations)', async () => {
    const times: number[] = [];
    for (let index = 0; index < 5; index++) {
      const email = `timed${index}@example.com`;
      const started = performance.now();
      const answer = await api(sesame, token, 'POST', '/invitations', { email });
      assert.equal(answer.status, 201);
      await inbox.waitFor(email);
      times.push(performance.now() - started);
    }
    console.log(
      `invitation POST → delivered mail: median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
  });

  test('a copied link with a fixed username: the address stays unverified; no mail is sent', async () => {
    const answer = await api(sesame, token, 'POST', '/invitations', {
      email: 'copied@example.com',
      username: 'fixed.name',
      groups: ['guests'],
      send_mail: false,
      expires_in: '2d',
    });
    assert.equal(answer.status, 201);
    const created = (await answer.json()) as { link: string; mailed: boolean; expires_at: string };
    assert.equal(created.mailed, false);
    const days = (Date.parse(created.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 1.9 && days <= 2, `expires in ${days} days`);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(created.link);
    assert.equal(await page.locator('#fixed-username').innerText(), 'fixed.name');
    await chooseAccount(page, undefined);
    await page.waitForURL(
      (url) => url.pathname.startsWith('/portal') && !url.pathname.startsWith('/portal/login'),
    );
    await context.close();
    const user = (await sesame.running.store.users.findByUsername('fixed.name'))!;
    assert.equal(user.emailVerified, false, 'a copied link may have been handed on');
    assert.deepEqual(user.groups, ['guests']);
    assert.equal(inbox.to('copied@example.com').length, 0);
  });

  test('bad choices are told on the form and keep the link usable', async () => {
    const created = (await (
      await api(sesame, token, 'POST', '/invitations', { email: 'careful@example.com', send_mail: false })
    ).json()) as { link: string };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(created.link);
    await chooseAccount(page, 'root');
    assert.match(await page.locator('main').innerText(), /already taken/);
    await chooseAccount(page, 'careful', 'short');
    assert.equal(await page.getByLabel('Username').inputValue(), 'careful');
    assert.match(await page.locator('main').innerText(), /password/i);
    await chooseAccount(page, 'careful');
    await page.waitForURL(
      (url) => url.pathname.startsWith('/portal') && !url.pathname.startsWith('/portal/login'),
    );
    await context.close();
  });

  test('revoked, expired and forged links give a clear page; a form post without its token is refused', async () => {
    const make = async (email: string) =>
      (await (await api(sesame, token, 'POST', '/invitations', { email, send_mail: false })).json()) as {
        id: string;
        link: string;
      };
    const revoked = await make('revoked@example.com');
    assert.equal((await api(sesame, token, 'DELETE', `/invitations/${revoked.id}`)).status, 204);
    const revokedPage = await fetch(revoked.link);
    assert.equal(revokedPage.status, 410);
    assert.match(await revokedPage.text(), /withdrawn/);
    assert.equal((await api(sesame, token, 'DELETE', `/invitations/${revoked.id}`)).status, 409);

    const expired = await make('late@example.com');
    await sesame.running.store['executor'].run('UPDATE invitations SET expires_at = ? WHERE id = ?', [
      new Date(Date.now() - 1000),
      expired.id,
    ]);
    const expiredPage = await fetch(expired.link);
    assert.equal(expiredPage.status, 410);
    assert.match(await expiredPage.text(), /expired/);

    const forged = await fetch(`${sesame.url}/invitation?token=eyJhbGciOiJIUzI1NiJ9.e30.forged`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /not valid/);

    const open = await make('open@example.com');
    const noCsrf = await fetch(`${sesame.url}/invitation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: new URL(open.link).searchParams.get('token')!,
        username: 'x',
        password: PASSWORD,
        password_repeat: PASSWORD,
      }),
    });
    assert.equal(noCsrf.status, 403);
  });

  test('the API refuses bad input (400), a taken username (409), an unknown id (404) and no token (401)', async () => {
    const bad = await api(sesame, token, 'POST', '/invitations', { email: 'not an address' });
    assert.equal(bad.status, 400);
    const tooLong = await api(sesame, token, 'POST', '/invitations', {
      email: 'a@example.com',
      expires_in: '91d',
    });
    assert.equal(tooLong.status, 400);
    const taken = await api(sesame, token, 'POST', '/invitations', {
      email: 'a@example.com',
      username: 'root',
    });
    assert.equal(taken.status, 409);
    const badGroup = await api(sesame, token, 'POST', '/invitations', {
      email: 'a@example.com',
      groups: ['a b'],
    });
    assert.equal(badGroup.status, 400);
    const unknown = await api(sesame, token, 'DELETE', '/invitations/nope');
    assert.equal(unknown.status, 404);
    const anonymous = await fetch(`${sesame.url}/api/v1/invitations`);
    assert.equal(anonymous.status, 401);
  });

  test('the admin UI creates an invitation (mailed, link shown once), lists it and revokes it', async () => {
    const context = await browser.newContext();
    const admin = await context.newPage();
    await admin.goto(`${sesame.url}/admin/invitations`);
    await logIn(admin, 'root');
    await admin.waitForURL(`${sesame.url}/admin/invitations`);
    await admin.getByLabel('Email').fill('from-ui@example.com');
    await admin.getByLabel('Groups (comma-separated)').fill('staff, ops');
    await admin.getByLabel('Expires after (days, 1 to 90)').fill('3');
    await admin.getByRole('button', { name: 'Create invitation' }).click();
    const link = await admin.getByLabel('Link', { exact: true }).inputValue();
    assert.match(link, /\/invitation\?token=/);
    const mail = await inbox.waitFor('from-ui@example.com');
    assert.equal(linkIn(mail, `${sesame.url}/invitation?token=`), link);
    assert.match(mail.text ?? '', /root invited you/);
    await admin.goto(`${sesame.url}/admin/invitations`);
    assert.equal(await admin.getByLabel('Link', { exact: true }).count(), 0, 'shown once');
    const row = admin.getByRole('row', { name: /from-ui@example\.com/ });
    assert.match((await row.textContent()) ?? '', /staff, ops[\s\S]*pending/);
    await row.getByText('Revoke…').click();
    await row.getByRole('button', { name: 'Yes, revoke it' }).click();
    await admin.getByText('The invitation was revoked.').waitFor();
    assert.match(
      (await admin.getByRole('row', { name: /from-ui@example\.com/ }).textContent()) ?? '',
      /revoked/,
    );
    assert.equal((await fetch(link)).status, 410);
    // A bad address is told next to the field.
    await admin.getByLabel('Email').fill('nobody');
    await admin.locator('#invite-email').evaluate((input) => input.setAttribute('type', 'text'));
    await admin.getByRole('button', { name: 'Create invitation' }).click();
    await admin.getByText(/is not an e-mail address/).waitFor();
    await context.close();
  });

  test('the CLI creates (with --no-mail), lists and revokes invitations', async () => {
    const config = sesame.running.config.configFile;
    const created = await runSesame([
      'invitations',
      'create',
      '--email',
      'cli@example.com',
      '--group',
      'staff',
      '--expires',
      '3d',
      '--no-mail',
      '-c',
      config,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const id = /^ID:\s+(\S+)/m.exec(created.stdout)![1]!;
    assert.match(created.stdout, /Link:\s+http:\/\/\S+\/invitation\?token=/);
    assert.match(created.stdout, /Mailed:\s+no/);
    const listed = await runSesame(['invitations', 'list', '-c', config]);
    assert.match(listed.stdout, new RegExp(`${id}.*cli@example\\.com.*staff.*pending`));
    assert.doesNotMatch(listed.stdout, /token=/);
    const revoked = await runSesame(['invitations', 'revoke', id, '-c', config]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(
      (await runSesame(['invitations', 'list', '-c', config])).stdout,
      new RegExp(`${id}.*revoked`),
    );
    const mailed = await runSesame([
      'invitations',
      'create',
      '--email',
      'cli-mail@example.com',
      '-c',
      config,
    ]);
    assert.equal(mailed.code, 0, mailed.stderr);
    await inbox.waitFor('cli-mail@example.com');
  });
});

const raceSetups = [
  { name: 'SQLite, one node', engine: 'sqlite', nodes: 1 },
  { name: 'PostgreSQL, one node', engine: 'postgres', nodes: 1 },
  { name: 'PostgreSQL, two nodes on one schema', engine: 'postgres', nodes: 2 },
  { name: 'MySQL, one node', engine: 'mysql', nodes: 1 },
] as const;

for (const setup of raceSetups) {
  describe(
    `20 parallel submissions of one invitation: ${setup.name}`,
    { skip: await skipWithout(setup.engine) },
    () => {
      const nodes: TestSesame[] = [];
      let token: string;

      before(async () => {
        nodes.push(await startTestSesame(setup.engine));
        if (setup.nodes === 2) nodes.push(await startTestSesame(setup.engine, '', { nodeOf: nodes[0] }));
        token = await apiTokenOf(nodes[0]!);
      });

      after(async () => {
        for (const node of [...nodes].reverse()) await node.stop();
      });

      test('exactly one account is made', async () => {
        const answer = await api(nodes[0]!, token, 'POST', '/invitations', {
          email: 'race@example.com',
          send_mail: false,
        });
        const { link, id } = (await answer.json()) as { link: string; id: string };
        const linkToken = new URL(link).searchParams.get('token')!;
        // Each submission comes from its own page view (its own form token), on alternating nodes.
        const forms = await Promise.all(
          Array.from({ length: 20 }, async (_, index) => {
            const node = nodes[index % nodes.length]!;
            const page = await (
              await fetch(`${node.nodeUrl}/invitation?token=${encodeURIComponent(linkToken)}`)
            ).text();
            return { node, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!, username: `racer${index}` };
          }),
        );
        const statuses = await Promise.all(
          forms.map(async ({ node, csrf, username }) => {
            const body = new URLSearchParams({
              csrf,
              token: linkToken,
              username,
              display_name: '',
              password: PASSWORD,
              password_repeat: PASSWORD,
            });
            const reply = await fetch(`${node.nodeUrl}/invitation`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body,
              redirect: 'manual',
            });
            return reply.status;
          }),
        );
        assert.equal(
          statuses.filter((status) => status === 303).length,
          1,
          `statuses: ${statuses.join(' ')}`,
        );
        assert.ok(
          statuses.every((status) => status === 303 || status === 410),
          `statuses: ${statuses.join(' ')}`,
        );
        const store = nodes[0]!.running.store;
        const made = (await store.users.list({ search: 'racer' })).filter((user) =>
          user.username.startsWith('racer'),
        );
        assert.equal(made.length, 1);
        const invitation = (await store.invitations.get(id))!;
        assert.equal(invitation.usedByUserId, made[0]!.id);
      });
    },
  );
}

describe('open registration', () => {
  let closed: TestSesame;
  let open: TestSesame;

  before(async () => {
    closed = await startTestSesame('sqlite', '', { topLevelYaml: inbox.notifierYaml });
    open = await startTestSesame('sqlite', '', {
      topLevelYaml: `${inbox.notifierYaml}registration:\n  enabled: true\n  allowed_email_domains: [example.org]\n  groups: [members]\n  max_mails_per_ip: 4\n`,
    });
    await open.addUser({ username: 'known', password: PASSWORD, email: 'known@example.org' });
  });

  after(async () => {
    await closed?.stop();
    await open?.stop();
  });

  test('is off by default: no sign-up page and no link on the sign-in page', async () => {
    assert.equal((await fetch(`${closed.url}/sign-up`)).status, 404);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${closed.url}/portal/login`);
    await page.getByLabel('Username or email').waitFor();
    assert.equal(await page.locator('#sign-up').count(), 0);
    await context.close();
  });

  async function request(email: string) {
    const form = await (await fetch(`${open.url}/sign-up`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    const reply = await fetch(`${open.url}/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, email }),
    });
    const body = (await reply.text()).replace(/name="csrf" value="[^"]+"/, '');
    return { status: reply.status, body };
  }

  test('refuses other domains, and answers alike for a known and an unknown address', async () => {
    const other = await request('someone@example.com');
    assert.equal(other.status, 400);
    assert.match(other.body, /cannot sign up/);
    const known = await request('known@example.org');
    const unknown = await request('stranger@example.org');
    assert.equal(known.status, 200);
    assert.deepEqual(known, unknown);
    const existing = await inbox.waitFor('known@example.org');
    assert.match(existing.text ?? '', /you already\s+have one/);
    assert.doesNotMatch(existing.text ?? '', /token=/);
    assert.match(existing.text ?? '', new RegExp(`${open.url}/reset-password`));
    const fresh = await inbox.waitFor('stranger@example.org');
    assert.match(fresh.text ?? '', /\/sign-up\/complete\?token=/);
    // Asking again at once sends nothing more (one mail per address per resend_interval).
    await request('stranger@example.org');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(inbox.to('stranger@example.org').length, 1);
  });

  test('"Create an account" on the sign-in page; the mailed link makes a verified account in Chromium', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${open.url}/portal/login`);
    await page.locator('#sign-up').click();
    await page.getByLabel('E-mail address').fill('joiner@example.org');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.locator('#sign-up-sent').waitFor();
    const mail = await inbox.waitFor('joiner@example.org');
    await page.goto(linkIn(mail, `${open.url}/sign-up/complete?token=`));
    assert.match(await page.locator('main').innerText(), /joiner@example\.org/);
    await chooseAccount(page, 'joiner');
    await page.waitForURL(
      (url) => url.pathname.startsWith('/portal') && !url.pathname.startsWith('/portal/login'),
    );
    await context.close();
    const user = (await open.running.store.users.findByUsername('joiner'))!;
    assert.equal(user.emailVerified, true);
    assert.deepEqual(user.groups, ['members']);
  });
  test('one client IP address gets at most max_mails_per_ip mails an hour, with the same answer after', async () => {
    // Three mails went out from this address in the tests above; the fourth is the last.
    const fourth = await request('fourth@example.org');
    await inbox.waitFor('fourth@example.org');
    const fifth = await request('fifth@example.org');
    assert.deepEqual(fifth, fourth);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(inbox.to('fifth@example.org').length, 0);
  });
});
