// LobeChat signs users in with Auth.js (@auth/core) and its built-in `authentik` provider, given
// AUTH_AUTHENTIK_ID / _SECRET / _ISSUER = …/application/o/<slug>/. This runs Auth.js exactly so,
// inside a small HTTP app of the test's own, and drives the login in Chromium.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { Auth } from '@auth/core';
import Authentik from '@auth/core/providers/authentik';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { logIn, PASSWORD } from '../support/flows.ts';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.ts';

let sesame: TestSesame;
let browser: Browser;
let app: Server;
let appOrigin: string;
let issuer: string;

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers))
    if (typeof value === 'string') headers.set(key, value);
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
  });
}

before(async () => {
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({
    username: 'erin',
    password: PASSWORD,
    email: 'erin@example.com',
    emailVerified: true,
    displayName: 'Erin Example',
    picture: 'https://example.com/erin.png',
  });
  const port = await freePort();
  appOrigin = `http://127.0.0.1:${port}`;
  const lobechat = await sesame.addApplication({
    name: 'LobeChat',
    slug: 'lobechat',
    redirectUris: [{ url: `${appOrigin}/api/auth/callback/authentik`, matching_mode: 'strict' }],
    consentMode: 'implicit',
  });
  issuer = lobechat.issuer;
  const config = {
    providers: [Authentik({ clientId: lobechat.clientId, clientSecret: lobechat.clientSecret, issuer })],
    secret: 'a-next-auth-secret-for-the-interop-test-0123456789',
    trustHost: true,
    basePath: '/api/auth',
  };
  app = createServer((req, res) => {
    void (async () => {
      if (!req.url?.startsWith('/api/auth')) {
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><title>LobeChat</title><p>chat</p>');
        return;
      }
      const response = await Auth(await toRequest(req, appOrigin), config);
      res.statusCode = response.status;
      response.headers.forEach((value, key) => {
        if (key !== 'set-cookie') res.setHeader(key, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) res.setHeader('set-cookie', cookies);
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => app?.close(resolve));
  await sesame?.stop();
});

test('LobeChat (Auth.js authentik provider) signs a user in and reads the profile', async () => {
  const page = await browser.newPage();
  await page.goto(`${appOrigin}/api/auth/signin`);
  await page.getByRole('button', { name: /Authentik/ }).click();
  await page.waitForURL((url) => url.href.startsWith(sesame.url));
  await logIn(page, 'erin');
  await page.waitForURL(
    (url) => url.href.startsWith(appOrigin) && !url.pathname.startsWith('/api/auth/callback'),
  );
  const session = (await (await page.request.get(`${appOrigin}/api/auth/session`)).json()) as {
    user?: { name?: string; email?: string; image?: string };
  };
  assert.deepEqual(session.user, {
    name: 'Erin Example',
    email: 'erin@example.com',
    image: 'https://example.com/erin.png',
  });
  assert.equal(issuer, `${sesame.url}/application/o/lobechat/`);
});
