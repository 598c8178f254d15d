// Forward-auth end to end: Sesame behind real nginx (auth_request → /api/authz/auth-request) and
// real Caddy (forward_auth → /api/authz/forward-auth), configured as Authelia's guides show, in
// front of an app without any login of its own. Sesame is configured the Authelia way
// (session.cookies, access_control, server.trusted_proxies); Chromium plays the user, reaching every
// *.example.test site over HTTPS through the proxy; openid-client plays an OpenID Connect app beside.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, logIn, PASSWORD, type Flow } from './support/flows.ts';
import { startProtectedApp, type AppView, type ProtectedApp } from './support/protected-app.ts';
import {
  browserArgs,
  DOMAIN,
  PORTAL_HOST,
  PROXY_KINDS,
  proxyFetch,
  proxyRequest,
  startProxy,
  testCertificate,
  type RunningProxy,
} from './support/proxies.ts';
import { freePort, startTestSesame, type TestSesame } from './support/sesame.ts';

const HOSTS = {
  public: `public.${DOMAIN}`,
  denied: `denied.${DOMAIN}`,
  app: `app.${DOMAIN}`,
  secure: `secure.${DOMAIN}`,
  admin: `admin.${DOMAIN}`,
  lan: `lan.${DOMAIN}`,
};
/** The address a "LAN" client connects from; everyone else comes from 127.0.0.1. */
const LAN_ADDRESS = '127.0.0.2';

let now = Date.now();
const clock = () => now;

/** Authelia's sections for a forward-auth installation at the proxy's port. */
function forwardAuthYaml(proxyPort: number): string {
  const at = (host: string) => `https://${host}:${proxyPort}`;
  return `session:
  secret: forward-auth-test-session-secret-0123456789
  cookies:
    - domain: ${DOMAIN}
      authelia_url: ${at(PORTAL_HOST)}
      default_redirection_url: ${at(HOSTS.public)}/
access_control:
  default_policy: deny
  networks:
    - name: lan
      networks: ['${LAN_ADDRESS}/32']
  rules:
    - domain: ${HOSTS.public}
      policy: bypass
    - domain: ${HOSTS.denied}
      policy: deny
    - domain: ${HOSTS.app}
      policy: one_factor
    - domain: ${HOSTS.secure}
      policy: two_factor
    - domain: ${HOSTS.admin}
      subject: 'group:ops'
      policy: one_factor
    - domain: ${HOSTS.lan}
      networks: [lan]
      policy: bypass
    - domain: ${HOSTS.lan}
      policy: one_factor
`;
}

for (const kind of PROXY_KINDS) {
  describe(`Sesame behind ${kind}: access_control through forward-auth`, () => {
    let app: ProtectedApp;
    let rp: RelyingParty;
    let sesame: TestSesame;
    let proxy: RunningProxy;
    let browser: Browser;
    let wiki: Flow;
    let totpSecret: string;
    const url = (host: string, path = '/') => `${proxy.origin(host)}${path}`;
    const portal = () => proxy.origin(PORTAL_HOST);

    before(async () => {
      app = await startProtectedApp();
      // (Over HTTPS: Chromium holds back a sign-in form on an HTTPS page whose answer leads to plain HTTP.)
      const tls = testCertificate();
      rp = await startRelyingParty({
        host: `wiki.${DOMAIN}`,
        key: readFileSync(tls.keyFile, 'utf8'),
        cert: readFileSync(tls.certFile, 'utf8'),
      });
      const port = await freePort();
      sesame = await startTestSesame(
        'sqlite',
        `    clients:
      - client_id: wiki
        client_secret: wiki-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/wiki/callback']
`,
        {
          clock,
          externalUrl: `https://${PORTAL_HOST}:${port}`,
          serverYaml: "  trusted_proxies: ['127.0.0.1']",
          topLevelYaml: forwardAuthYaml(port),
        },
      );
      proxy = await startProxy(kind, {
        port,
        authPort: Number(new URL(sesame.nodeUrl).port),
        appPort: app.port,
        appHosts: Object.values(HOSTS),
      });
      totpSecret = await addUsers(sesame);
      const options = { [client.customFetch]: proxyFetch };
      wiki = {
        config: await client.discovery(
          new URL(sesame.url),
          'wiki',
          'wiki-secret-0123456789',
          undefined,
          options,
        ),
        redirectUri: `${rp.origin}/wiki/callback`,
      };
      browser = await launchBrowser(browserArgs());
    });

    after(async () => {
      await browser?.close();
      await proxy?.stop();
      await sesame?.stop();
      await rp?.close();
      await app?.close();
    });

    async function withContext<T>(fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
      const context = await browser.newContext();
      context.setDefaultTimeout(10_000);
      try {
        return await fn(await context.newPage(), context);
      } finally {
        await context.close();
      }
    }

    /** What the app said, once the browser is on `target` (it shows JSON of the headers it got). */
    async function appView(page: Page, target: string): Promise<AppView> {
      await page.waitForURL(target).catch(async () => {
        throw new Error(
          `expected ${target}, the browser is at ${page.url()}:\n${await page.locator('body').innerText()}`,
        );
      });
      return JSON.parse(await page.locator('body').innerText()) as AppView;
    }

    /** One request with the browser's cookies, for an answer a page would not show (a bare 403). */
    async function asBrowser(context: BrowserContext, target: string) {
      const cookies = await context.cookies(target);
      return proxyRequest(target, {
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      });
    }

    /** Opens `target`, expects the portal, signs in with a password and lands back on `target`. */
    async function signInThrough(page: Page, target: string, username: string): Promise<AppView> {
      await page.goto(target);
      await page.waitForURL((at) => at.origin === portal());
      await logIn(page, username);
      return appView(page, target);
    }

    test('bypass: a public site is open without a session', async () => {
      const hits = app.hits;
      const response = await proxyRequest(url(HOSTS.public, '/about'));
      assert.equal(response.status, 200, proxy.logs());
      assert.equal(response.json<AppView>().path, '/about');
      assert.equal(app.hits, hits + 1);
    });

    test('deny: a denied site is refused with 403 and never reached', async () => {
      const hits = app.hits;
      const response = await proxyRequest(url(HOSTS.denied));
      assert.equal(response.status, 403);
      assert.equal(app.hits, hits);
    });

    test('one_factor without a session: sent to the portal with rd naming the original URL', async () => {
      const hits = app.hits;
      const target = url(HOSTS.app, '/notes?id=7');
      const response = await proxyRequest(target);
      assert.equal(response.status, 302);
      const location = new URL(response.location!);
      assert.equal(location.origin, portal());
      assert.equal(location.searchParams.get('rd'), target);
      assert.equal(app.hits, hits);
    });

    test('network rule: the LAN address passes without a session, any other is sent to sign in', async () => {
      const fromLan = await proxyRequest(url(HOSTS.lan, '/'), { localAddress: LAN_ADDRESS });
      assert.equal(fromLan.status, 200);
      const fromElsewhere = await proxyRequest(url(HOSTS.lan, '/'));
      assert.equal(fromElsewhere.status, 302);
      assert.equal(new URL(fromElsewhere.location!).origin, portal());
      // Claiming the LAN address in a header of one's own does not count.
      const claimed = await proxyRequest(url(HOSTS.lan, '/'), {
        headers: { 'x-forwarded-for': LAN_ADDRESS },
      });
      assert.equal(claimed.status, 302);
    });

    test('rd round trip: signing in at the portal lands back on the original URL, and the app learns who', async () => {
      await withContext(async (page) => {
        const view = await signInThrough(page, url(HOSTS.app, '/notes?id=7'), 'bob');
        assert.equal(view.path, '/notes?id=7');
        assert.equal(view.user, 'bob');
        assert.equal(view.email, 'bob@example.test');
        assert.equal(view.name, 'Bob Builder');
        // The session cookie is the cookie domain's, so the other sites know bob as well.
        await page.goto(url(HOSTS.lan, '/'));
        assert.equal((await appView(page, url(HOSTS.lan, '/'))).user, 'bob');
      });
    });

    test('subject rule: a member of ops reaches the admin site; another signed-in user is refused', async () => {
      await withContext(async (page) => {
        const view = await signInThrough(page, url(HOSTS.admin, '/'), 'carol');
        assert.equal(view.user, 'carol');
        assert.match(view.groups ?? '', /\bops\b/);
      });
      await withContext(async (page) => {
        await signInThrough(page, url(HOSTS.app, '/'), 'bob');
        assert.equal((await asBrowser(page.context(), url(HOSTS.admin, '/'))).status, 403);
      });
    });

    test('two_factor with step-up: a password session is asked for the code only, then let in', async () => {
      await withContext(async (page) => {
        // one_factor site: the password is enough, even for a user who has an authenticator app.
        assert.equal((await signInThrough(page, url(HOSTS.app, '/'), 'alice')).user, 'alice');
        const target = url(HOSTS.secure, '/vault');
        await page.goto(target);
        await page.waitForURL((at) => at.origin === portal());
        const code = page.getByLabel('Code from your authenticator app');
        await code.waitFor();
        assert.equal(await page.getByLabel('Password').count(), 0, 'no password asked again');
        now += 30_000;
        await code.fill(await generate({ secret: totpSecret, epoch: Math.floor(now / 1000) }));
        await page.getByRole('button', { name: 'Verify' }).click();
        assert.equal((await appView(page, target)).user, 'alice');
      });
    });

    test('sign-out at the portal ends access to every app, forward-auth and OpenID Connect alike', async () => {
      await withContext(async (page) => {
        await signInThrough(page, url(HOSTS.app, '/'), 'bob');
        // Authelia's sign-out address, with rd naming where to go afterwards.
        const bye = url(HOSTS.public, '/bye');
        await page.goto(`${portal()}/logout?rd=${encodeURIComponent(bye)}`);
        const confirm = page.getByRole('button', { name: 'Yes, sign me out' });
        if (await confirm.isVisible()) await confirm.click();
        await appView(page, bye);
        await page.goto(url(HOSTS.app, '/after'));
        await page.getByLabel('Password').waitFor();
        assert.equal(new URL(page.url()).origin, portal());
        assert.equal((await asBrowser(page.context(), url(HOSTS.app, '/after'))).status, 302);
        const silent = await authorize(page, rp, wiki, { prompt: 'none' });
        assert.equal(silent.callback.searchParams.get('error'), 'login_required');
      });
    });

    test('single sign-on: signed in through the OpenID Connect app, the forward-auth app asks nothing', async () => {
      await withContext(async (page) => {
        const result = await authorize(page, rp, wiki, {}, (current) => logIn(current, 'bob'));
        assert.ok(result.callback.searchParams.get('code'), result.callback.href);
        await page.goto(url(HOSTS.app, '/dashboard'));
        assert.equal((await appView(page, url(HOSTS.app, '/dashboard'))).user, 'bob');
      });
    });

    test('single sign-on: signed in through the forward-auth app, the OpenID Connect app asks nothing', async () => {
      await withContext(async (page) => {
        await signInThrough(page, url(HOSTS.app, '/'), 'bob');
        const silent = await authorize(page, rp, wiki, { prompt: 'none' });
        assert.equal(silent.callback.searchParams.get('error'), null, silent.callback.href);
        assert.ok(silent.callback.searchParams.get('code'));
      });
    });
  });
}

/** bob (no group, no second factor), carol (ops), alice (an authenticator app): returns alice's TOTP secret. */
async function addUsers(sesame: TestSesame): Promise<string> {
  const people = [
    { username: 'bob', name: 'Bob Builder', groups: [] },
    { username: 'carol', name: 'Carol Admin', groups: ['ops'] },
    { username: 'alice', name: 'Alice Liddell', groups: ['staff'] },
  ];
  const { store, factors } = sesame.running;
  for (const person of people) {
    const user = await sesame.addUser({
      username: person.username,
      password: PASSWORD,
      email: `${person.username}@example.test`,
      emailVerified: true,
      displayName: person.name,
      groups: person.groups,
    });
    assert.ok(user.id);
  }
  const alice = (await store.users.findByUsername('alice'))!;
  const { secret } = await factors.totp.begin('alice');
  const confirmed = await factors.totp.confirm(
    alice.id,
    secret,
    await generate({ secret, epoch: Math.floor(now / 1000) }),
  );
  assert.ok(confirmed, 'the authenticator app is set up');
  return secret;
}
