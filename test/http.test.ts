// The HTTP layer's promises, against a real Sesame on SQLite: security headers on every answer and
// a CSP the pages live with (in Chromium), no-store on secrets, masked logs, prompt 413s, unread
// bodies closed rather than drained, 400 for a field sent twice or not text, the front door, and
// client aborts that are not errors.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { generate } from 'otplib';
import type { APIRequestContext, Browser, Response } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { InvalidInputError } from '../src/lib/errors.ts';
import { createLogger } from '../src/lib/logger.ts';
import { many, one } from '../src/http/forms.ts';
import { cspViolations, launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { allow, authorize, insecure, logIn, PASSWORD, type Flow } from './support/flows.ts';
import { elevateWithPassword } from './support/elevation.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const logLines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n'))
      if (line.startsWith('{')) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let rp: RelyingParty;
let sesame: TestSesame;
let browser: Browser;
let web: Flow;
let notesClient: string;

before(async () => {
  rp = await startRelyingParty();
  sesame = await startTestSesame(
    'sqlite',
    `    authorization_policies:
      nobody:
        default_policy: deny
    clients:
      - client_id: closed
        client_secret: closed-secret-0123456789
        authorization_policy: nobody
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/closed/callback']
      - client_id: web
        client_secret: web-secret-0123456789
        authorization_policy: one_factor
        consent_mode: explicit
        redirect_uris: ['${rp.origin}/web/callback']
        post_logout_redirect_uris: ['${rp.origin}/logged-out']
        response_modes: [query, form_post]
      - client_id: strict
        client_secret: strict-secret-0123456789
        authorization_policy: two_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/strict/callback']
`,
    { logger: createLogger('debug', logStream) },
  );
  await sesame.addUser({ username: 'pat', password: PASSWORD, email: 'pat@example.com' });
  await sesame.addUser({ username: 'tess', password: PASSWORD });
  await sesame.addUser({ username: 'boss', password: PASSWORD, groups: ['admins'] });
  await sesame.addUser({ username: 'otto', password: PASSWORD });
  ({ clientId: notesClient } = await sesame.addApplication({
    name: 'Notes',
    slug: 'notes',
    redirectUris: [{ url: `${rp.origin}/notes/callback`, matching_mode: 'strict' }],
    consentMode: 'implicit',
  }));
  web = await flowFor('web');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await rp?.close();
});

async function flowFor(id: string): Promise<Flow> {
  return {
    config: await client.discovery(new URL(sesame.url), id, `${id}-secret-0123456789`, undefined, insecure),
    redirectUri: `${rp.origin}/${id}/callback`,
  };
}

/** Enrols an authenticator app for the user; returns a function giving its current code. */
async function enrolTotp(username: string) {
  const user = (await sesame.running.store.users.findByUsername(username))!;
  const { secret } = await sesame.running.factors.totp.begin(username);
  // Confirmed with the previous period's code (within the allowed skew), so the current one, used
  // to sign in, has not been used yet.
  const previous = await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 });
  assert.ok(await sesame.running.factors.totp.confirm(user.id, secret, previous));
  return () => generate({ secret });
}

function assertPageHeaders(headers: Record<string, string>, what: string) {
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: ${csp}`);
  // (oidc-provider adds the hash of its form_post page's script.)
  assert.match(csp, /(^|;\s*)default-src 'self'(;|$)/, what);
  assert.match(csp, /(^|;\s*)script-src 'self'( 'sha256-[^']+')*(;|$)/, `${what}: ${csp}`);
  assert.match(csp, /(^|;\s*)style-src 'self'(;|$)/, what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
}

describe('security headers', () => {
  test('every page a person can reach carries the CSP and framing headers, and none breaks its CSP', async () => {
    const context = await browser.newContext();
    const violations = await cspViolations(context);
    const page = await context.newPage();
    const pages: [string, number, Record<string, string>][] = [];
    const record = (response: Response) => {
      if (response.request().isNavigationRequest() && response.url().startsWith(sesame.url))
        pages.push([new URL(response.url()).pathname, response.status(), response.headers()]);
    };
    page.on('response', record);
    const seen = (path: RegExp | string) =>
      pages.some(([at]) => (typeof path === 'string' ? at === path : path.test(at)));

    // Login (a wrong password first), consent, and the way back to the application.
    const first = await authorize(page, rp, web, {}, async () => {
      await logIn(page, 'pat', 'not the password');
      await page.getByText('The username or password is incorrect.').waitFor();
      await logIn(page, 'pat');
      await allow(page);
    });
    assert.ok(first.callback.searchParams.get('code'));
    // response_mode=form_post: oidc-provider's page submits itself to the application.
    const posted = await authorize(page, rp, web, { response_mode: 'form_post' }, () => allow(page));
    assert.ok(posted.callback.searchParams.get('code'));
    assert.equal(rp.hits.at(-1)?.method, 'POST');
    // A second factor the user does not have: the page says so; leaving it goes back to the app.
    const strict = await flowFor('strict');
    const refused = await authorize(page, rp, strict, {}, async () => {
      await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
      await page.getByRole('button', { name: /^Return to/ }).click();
    });
    assert.equal(refused.callback.searchParams.get('error'), 'access_denied');
    // A policy that lets nobody in: the page says so, and the app hears access_denied.
    const closed = await authorize(page, rp, await flowFor('closed'), {}, async () => {
      await page.getByRole('heading', { name: 'No access to closed' }).waitFor();
      await page.getByRole('button', { name: /^Return to/ }).click();
    });
    assert.equal(closed.callback.searchParams.get('error'), 'access_denied');
    // oidc-provider's error page.
    await page.goto(`${sesame.url}/api/oidc/authorization?client_id=nobody&response_type=code&scope=openid`);
    await page.getByText('Something went wrong').waitFor();
    // The portal, and the front door that leads to it.
    await page.goto(`${sesame.url}/`);
    await page.waitForURL(`${sesame.url}/portal`);
    for (const section of ['profile', 'password', 'sessions', 'security']) {
      await page.goto(`${sesame.url}/portal/${section}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
    }
    // Signing out: the question, then the way back to the application.
    const before = rp.hits.length;
    await page.goto(
      `${sesame.url}/api/oidc/end-session?client_id=web&post_logout_redirect_uri=${encodeURIComponent(`${rp.origin}/logged-out`)}`,
    );
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${rp.origin}/logged-out`);
    assert.equal(rp.hits.length, before + 1);
    // (Without a session there is nothing to confirm.)
    await page.goto(`${sesame.url}/api/oidc/end-session`);
    await page.getByText('You are signed out').waitFor();

    // The admin pages, with a copy button pressed.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sesame.url });
    await page.goto(`${sesame.url}/admin/applications`);
    await logIn(page, 'boss');
    await page.waitForURL(`${sesame.url}/admin/applications`);
    for (const section of [
      'providers',
      'providers/web',
      'users',
      'users/new',
      'users/pat',
      'groups',
      'groups/admins',
      'access',
      'keys',
      'tokens',
      'events',
      'applications/new',
      'providers/new',
    ])
      await page.goto(`${sesame.url}/admin/${section}`);
    // The provider form's script adds rows to the URI lists.
    await page.goto(`${sesame.url}/admin/providers/${notesClient}`);
    const rows = await page.locator('.uri-row').count();
    await page.getByRole('button', { name: 'Add another' }).first().click();
    assert.ok((await page.locator('.uri-row').count()) > rows);
    await page.goto(`${sesame.url}/admin/applications/notes`);
    const copy = page.locator('button[data-copy]').first();
    await copy.click();
    await page.locator('button[data-copy]', { hasText: 'Copied' }).first().waitFor();

    // The second-factor step, for a user with an authenticator app (a browser of its own).
    const code = await enrolTotp('otto');
    const second = await browser.newContext();
    const secondViolations = await cspViolations(second);
    const secondPage = await second.newPage();
    secondPage.on('response', record);
    const stepped = await authorize(secondPage, rp, strict, {}, async () => {
      await logIn(secondPage, 'otto');
      await secondPage.getByLabel('Code from your authenticator app').fill(await code());
      await secondPage.getByRole('button', { name: 'Verify' }).click();
    });
    assert.ok(stepped.callback.searchParams.get('code'));
    await second.close();

    for (const path of [
      /^\/interaction\/[^/]+$/,
      /^\/interaction\/[^/]+\/login$/,
      /^\/interaction\/[^/]+\/consent$/,
      /^\/interaction\/[^/]+\/second-factor$/,
      /^\/interaction\/[^/]+\/abort$/,
      '/api/oidc/authorization',
      '/portal',
      '/portal/security',
      '/api/oidc/end-session',
      '/api/oidc/end-session/success',
      '/admin/applications',
      '/admin/events',
      '/admin/applications/notes',
      '/admin/providers/new',
      '/admin/users/pat',
    ])
      assert.ok(seen(path), `${String(path)} was not visited: ${pages.map(([at]) => at).join(' ')}`);
    for (const [path, status, headers] of pages)
      if (headers['content-type']?.startsWith('text/html')) assertPageHeaders(headers, `${status} ${path}`);
    assert.deepEqual([...violations, ...secondViolations], []);
    await context.close();
  });

  test("the login page's forms may reach the checked redirect URI only", async () => {
    const formAction = async (clientId: string, redirectUri: string) => {
      const url = new URL(`${sesame.url}/api/oidc/authorization`);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid',
        state: client.randomState(),
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }).toString();
      const context = await browser.newContext();
      const page = await context.request.get(url.href);
      const csp = page.headers()['content-security-policy'] ?? '';
      await context.close();
      return { status: page.status(), directive: /form-action [^;]+/.exec(csp)?.[0] };
    };
    assert.deepEqual(await formAction('web', web.redirectUri), {
      status: 200,
      directive: `form-action 'self' ${rp.origin}`,
    });
    // A redirect URI the client did not register gets the error page, whose forms stay at home.
    assert.deepEqual(await formAction('web', 'https://elsewhere.example/cb'), {
      status: 400,
      directive: `form-action 'self'`,
    });
  });

  test('JSON answers, redirects, files and cached documents carry nosniff and the framing headers', async () => {
    const urls = [
      '/healthz',
      '/.well-known/openid-configuration',
      '/.well-known/openid-configuration', // the second one comes from the cache
      '/jwks.json',
      '/application/o/notes/.well-known/openid-configuration',
      '/application/o/notes/jwks/',
      '/application/o/nothing-here/.well-known/openid-configuration',
      '/api/oidc/token',
      '/application/o/token/',
      '/api/v1/users',
      '/assets/pico.min.css',
      '/no/such/page',
      '/',
    ];
    for (const path of urls) {
      const response = await fetch(`${sesame.url}${path}`, {
        method: path.includes('token') ? 'POST' : 'GET',
        redirect: 'manual',
      });
      await response.arrayBuffer();
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
    }
  });
});

test('GET / sends a person to the portal, which sends them to sign in', async () => {
  const front = await fetch(`${sesame.url}/`, { redirect: 'manual' });
  assert.equal(front.status, 302);
  assert.equal(front.headers.get('location'), '/portal');
  const portal = await fetch(`${sesame.url}/portal`, { redirect: 'manual' });
  assert.equal(portal.status, 302);
  assert.match(portal.headers.get('location') ?? '', /^\/portal\/login/);
});

test('admin API answers holding a client secret or an API token are never stored', async () => {
  const { token } = await new ApiTokenService(sesame.running.store).create(
    { name: 'setup', scopes: ['*:write'] },
    'test',
  );
  const call = (path: string, body: unknown) =>
    fetch(`${sesame.url}/api/v1/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const application = await call('applications', {
    name: 'Secret Keeper',
    redirect_uris: [{ url: 'https://keeper.example.com/cb', matching_mode: 'strict' }],
  });
  const created = await application.text();
  assert.equal(application.status, 201, created);
  assert.match(created, /"client_secret":"[^"]{20,}"/);
  assert.equal(application.headers.get('cache-control'), 'no-store');
  const issued = await call('tokens', { name: 'another', scopes: ['users:read'] });
  assert.equal(issued.status, 201, await issued.clone().text());
  assert.ok(((await issued.json()) as { token?: string }).token);
  assert.equal(issued.headers.get('cache-control'), 'no-store');
});

test('a pushed request_uri is masked in the request log', async () => {
  const par = await fetch(`${sesame.url}/api/oidc/pushed-authorization-request`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('web:web-secret-0123456789').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      client_id: 'web',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: web.redirectUri,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }),
  });
  const pushed = await par.text();
  const { request_uri: requestUri } = JSON.parse(pushed) as { request_uri: string };
  assert.match(requestUri, /^urn:ietf:params:oauth:request_uri:/, pushed);
  const id = `par-${Date.now()}`;
  await fetch(
    `${sesame.url}/api/oidc/authorization?client_id=web&request_uri=${encodeURIComponent(requestUri)}`,
    { redirect: 'manual', headers: { 'x-request-id': id } },
  );
  const line = await logLine((entry) => entry.request_id === id && entry.msg === 'request');
  assert.equal(line.url, '/api/oidc/authorization?client_id=web&request_uri=%5Bredacted%5D');
  const secret = requestUri.split(':').at(-1)!;
  assert.ok(!logLines.some((entry) => JSON.stringify(entry).includes(secret)), 'the request_uri was logged');
});

async function logLine(match: (entry: Record<string, unknown>) => boolean) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    const found = logLines.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no such log line');
}

/** What the server answers to a request whose body is only partly sent (the rest never comes). */
function partialRequest(path: string, head: Record<string, string>, sent: Buffer) {
  return new Promise<{ status: number; headers: string; body: string; closed: boolean }>(
    (resolve, reject) => {
      const socket = connect(Number(new URL(sesame.url).port), '127.0.0.1');
      let answer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no complete answer for ${path}: ${JSON.stringify(answer)}`));
      }, 10_000);
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      // The server ends the connection: the rest of the body is never read.
      socket.on('close', () => {
        clearTimeout(timer);
        const [headers = '', body = ''] = answer.split('\r\n\r\n');
        resolve({ status: Number(headers.split(' ')[1]), headers, body, closed: true });
      });
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${new URL(sesame.url).host}\r\n${Object.entries(head)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n`,
      );
      socket.write(sent);
    },
  );
}

describe('bodies over the limit', () => {
  const routes = [
    '/api/oidc/token',
    '/api/oidc/introspection',
    '/api/oidc/revocation',
    '/api/oidc/userinfo',
    '/api/oidc/authorization',
    '/api/oidc/pushed-authorization-request',
    '/application/o/token/',
    '/application/o/introspect/',
    '/application/o/revoke/',
    '/application/o/userinfo/',
    '/application/o/authorize/',
    '/application/o/notes/par',
    '/interaction/some-interaction/login',
    '/portal/profile',
    '/api/v1/applications',
  ];
  const form = 'application/x-www-form-urlencoded';
  const contentType = (path: string) => (path.startsWith('/api/v1/') ? 'application/json' : form);

  test('a Content-Length over the limit is answered 413 at once, and the connection closed', async () => {
    for (const [index, path] of routes.entries()) {
      const answer = await partialRequest(
        path,
        {
          'content-type': contentType(path),
          'content-length': String(10 * 1024 * 1024),
          'x-request-id': `too-large-${index}`,
        },
        Buffer.alloc(1024, 'a'),
      );
      assert.equal(answer.status, 413, `${path}: ${answer.headers}`);
      assert.match(answer.headers, /\r\nconnection: close/i, path);
      const body = JSON.parse(answer.body) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_request', path);
      assert.match(body.error_description, /larger than \d+ bytes/, path);
      assert.ok(answer.closed);
      // Logged like any other request.
      const line = await logLine((entry) => entry.request_id === `too-large-${index}`);
      assert.equal(line.status, 413, path);
    }
  });

  test('a chunked body is refused with 413 as soon as it passes the limit', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const chunked = Buffer.concat(
      Array.from({ length: 80 }, () =>
        Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      ),
    );
    for (const path of routes) {
      // 1.25 MiB sent, more than every limit, and no final chunk: the body never ends.
      const answer = await partialRequest(
        path,
        { 'content-type': contentType(path), 'transfer-encoding': 'chunked' },
        chunked,
      );
      assert.equal(answer.status, 413, `${path}: ${answer.headers}`);
      assert.match(answer.headers, /\r\nconnection: close/i, path);
      assert.equal((JSON.parse(answer.body) as { error: string }).error, 'invalid_request', path);
    }
  });
});

/**
 * Sends `method path` with a chunked body that keeps coming (a 16 KiB chunk every 10 ms, for at most
 * 3 s) until `afterAnswer` ms after the head of the answer arrived, as a client busy uploading that
 * is slow to notice the answer would (it goes on sending after the server's FIN too); then it ends
 * its side once the server has ended its own. `reset`: the connection ended with a TCP reset;
 * `cutOff`: it was closed while the client was still sending.
 */
function streamingRequest(method: string, path: string, afterAnswer = 100) {
  return new Promise<{ status: number; headers: string; reset: boolean; cutOff: boolean }>(
    (resolve, reject) => {
      const socket = connect({
        port: Number(new URL(sesame.url).port),
        host: '127.0.0.1',
        allowHalfOpen: true,
      });
      let answer = '';
      let answered: number | undefined;
      let sending = true;
      let ended = false;
      let reset = false;
      const chunk = Buffer.concat([
        Buffer.from('4000\r\n'),
        Buffer.alloc(16 * 1024, 'a'),
        Buffer.from('\r\n'),
      ]);
      const started = Date.now();
      const sender = setInterval(() => {
        if (answered === undefined && answer.includes('\r\n\r\n')) answered = Date.now();
        const done = Date.now() - started > 3000 || Date.now() - (answered ?? Infinity) > afterAnswer;
        if (socket.destroyed || done) {
          clearInterval(sender);
          sending = false;
          if (ended) socket.end();
        } else socket.write(chunk);
      }, 10);
      // Whatever the server does, the test ends: a connection still open by then was kept alive.
      const timer = setTimeout(() => {
        clearInterval(sender);
        socket.destroy();
        reject(new Error(`${method} ${path}: the connection was kept open after ${JSON.stringify(answer)}`));
      }, 10_000);
      socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
      socket.on('end', () => {
        ended = true;
        if (!sending) socket.end();
      });
      socket.on('error', () => (reset = true));
      socket.on('close', () => {
        const cutOff = sending;
        clearInterval(sender);
        clearTimeout(timer);
        const headers = answer.split('\r\n\r\n')[0]!;
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(headers)?.[1]), headers, reset, cutOff });
      });
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${new URL(sesame.url).host}\r\n` +
          'content-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n',
      );
    },
  );
}

describe('a body that keeps coming', () => {
  test('is not read after the answer, which arrives whole, says Connection: close and is followed by a close, not a reset', async () => {
    for (const [method, path, status] of [
      // Routes that never read a body: answered, and the rest is not swallowed.
      ['GET', '/portal', 302],
      ['GET', '/healthz', 200],
      // Routes that read it (oidc-provider's, whatever the method): 413 once past the limit.
      ['GET', '/api/oidc/authorization', 413],
      ['POST', '/nonexistent', 413],
      ['POST', '/admin/users', 413],
      ['POST', '/api/oidc/token', 413],
    ] as const) {
      const what = `${method} ${path}`;
      const answer = await streamingRequest(method, path);
      assert.equal(answer.status, status, `${what}: ${answer.headers}`);
      assert.match(answer.headers, /\r\nconnection: close/i, what);
      assert.equal(answer.reset, false, `${what}: the connection was reset`);
    }
  });

  test('from a client that never stops sending is read for a bounded while only: the server closes the connection', async () => {
    for (const [method, path, status] of [
      ['GET', '/portal', 302],
      ['POST', '/admin/users', 413],
    ] as const) {
      const what = `${method} ${path}`;
      const answer = await streamingRequest(method, path, Infinity);
      assert.equal(answer.status, status, `${what}: ${answer.headers}`);
      // Closed by the server before the client's 3 s of sending were over.
      assert.ok(answer.cutOff, `${what}: the server read all the client sent`);
    }
  });
});

/** An API request context whose cookies are those of a browser signed in as `username`. */
async function signedIn(username: string, start = `${sesame.url}/portal`) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(start);
  await logIn(page, username);
  await page.waitForURL(start);
  return { context, page, request: context.request };
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function postForm(request: APIRequestContext, url: string, body: string) {
  const response = await request.post(url, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: body,
    maxRedirects: 0,
  });
  return { status: response.status(), text: await response.text() };
}

/** A fresh interaction at the login step, in a browser context of its own. */
async function loginStep(flow: Flow = web) {
  const context = await browser.newContext();
  const url = client.buildAuthorizationUrl(flow.config, {
    redirect_uri: flow.redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  const page = await context.request.get(url.href);
  const html = await page.text();
  const uid = /\/interaction\/([^/"]+)\/login/.exec(html)?.[1];
  assert.ok(uid, html);
  return { context, request: context.request, uid, csrf: csrfOf(html) };
}

test('a consent sent while the interaction is still at the login step answers 400', async () => {
  const { context, request, uid, csrf } = await loginStep();
  const early = await postForm(
    request,
    `${sesame.url}/interaction/${uid}/consent`,
    `csrf=${csrf}&decision=allow`,
  );
  assert.equal(early.status, 400, early.text);
  assert.match(early.text, /No consent is being asked for here/);
  await context.close();
});

describe('a field sent twice', () => {
  const refused = (answer: { status: number; text: string }, field: string) => {
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, new RegExp(`field &#39;${field}&#39; was sent more than once`));
  };

  test('on the login step: 400 naming the field', async () => {
    const { context, request, uid, csrf } = await loginStep();
    const action = `${sesame.url}/interaction/${uid}/login`;
    refused(
      await postForm(request, action, `csrf=${csrf}&username=pat&username=tess&password=x`),
      'username',
    );
    refused(await postForm(request, action, `csrf=${csrf}&username=pat&password=a&password=b`), 'password');
    // The interaction is unharmed: the login still works.
    const login = await postForm(
      request,
      action,
      `csrf=${csrf}&username=pat&password=${encodeURIComponent(PASSWORD)}`,
    );
    assert.equal(login.status, 303, login.text);
    await context.close();
  });

  test('on the second-factor step: 400 naming the field', async () => {
    await enrolTotp('tess');
    const strict = await flowFor('strict');
    const { context, request, uid, csrf } = await loginStep(strict);
    const login = await request.post(`${sesame.url}/interaction/${uid}/login`, {
      form: { csrf, username: 'tess', password: PASSWORD },
    });
    const html = await login.text();
    assert.match(html, /Code from your authenticator app/);
    // The second step is an interaction of its own.
    const action = /action="(\/interaction\/[^/"]+\/second-factor)"/.exec(html)?.[1];
    assert.ok(action, html);
    refused(
      await postForm(request, `${sesame.url}${action}`, `csrf=${csrfOf(html)}&method=totp&code=1&code=2`),
      'code',
    );
    await context.close();
  });

  test('on the Security page and the admin searches: 400 naming the field', async () => {
    const pat = await signedIn('pat');
    await elevateWithPassword(pat.request, sesame.url);
    const security = await pat.request.get(`${sesame.url}/portal/security`);
    const csrf = csrfOf(await security.text());
    const setup = await postForm(pat.request, `${sesame.url}/portal/security/totp/new`, `csrf=${csrf}`);
    const pending = /name="pending" value="([^"]+)"/.exec(setup.text)?.[1];
    assert.ok(pending, setup.text);
    refused(
      await postForm(
        pat.request,
        `${sesame.url}/portal/security/totp/confirm`,
        `csrf=${csrf}&pending=${encodeURIComponent(pending)}&code=1&code=2`,
      ),
      'code',
    );
    refused(
      await postForm(
        pat.request,
        `${sesame.url}/portal/security/passkeys/some-key/rename`,
        `csrf=${csrf}&name=a&name=b`,
      ),
      'name',
    );
    await pat.context.close();
    const boss = await signedIn('boss', `${sesame.url}/admin/users`);
    for (const [path, field] of [
      ['/admin/users?q=a&q=b', 'q'],
      ['/admin/events?type=a&type=b', 'type'],
    ] as const) {
      const answer = await boss.request.get(`${sesame.url}${path}`);
      refused({ status: answer.status(), text: await answer.text() }, field);
    }
    await boss.context.close();
  });

  test('on an admin form: a single-valued field sent twice is refused and nothing is made', async () => {
    const boss = await signedIn('boss', `${sesame.url}/admin/groups`);
    const page = await boss.request.get(`${sesame.url}/admin/groups`);
    const csrf = csrfOf(await page.text());
    const answer = await postForm(
      boss.request,
      `${sesame.url}/admin/groups`,
      `csrf=${csrf}&name=twice-a&name=twice-b`,
    );
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, /sent more than once/);
    assert.equal(await sesame.running.store.groups.findByName('twice-a'), undefined);
    assert.equal(await sesame.running.store.groups.findByName('twice-b'), undefined);
    await boss.context.close();
  });
});

describe('a field that is not text', () => {
  // JSON bodies reach the page routes through Fastify's JSON parser: numbers, objects and booleans
  // there, or a body that is not a set of fields at all, are refused like a field sent twice.
  const values = [5, { a: 1 }, true];
  async function postJson(request: APIRequestContext, url: string, body: unknown) {
    const response = await request.post(url, {
      headers: { 'content-type': 'application/json' },
      data: JSON.stringify(body),
      maxRedirects: 0,
    });
    return { status: response.status(), text: await response.text() };
  }
  const refused = (answer: { status: number; text: string }, field: string) => {
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, new RegExp(`field &#39;${field}&#39; must be text`));
  };

  test('on the login step: 400 naming the field, and a form login still works', async () => {
    const { context, request, uid, csrf } = await loginStep();
    const action = `${sesame.url}/interaction/${uid}/login`;
    for (const value of values) {
      refused(await postJson(request, action, { csrf, username: value, password: 'x' }), 'username');
      refused(await postJson(request, action, { csrf, username: 'pat', password: value }), 'password');
      refused(await postJson(request, action, { csrf: value, username: 'pat', password: 'x' }), 'csrf');
    }
    for (const body of [['pat'], 'pat', 5, null]) {
      const answer = await postJson(request, action, body);
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.text, /the form must be a set of fields/);
    }
    const login = await postForm(
      request,
      action,
      `csrf=${csrf}&username=pat&password=${encodeURIComponent(PASSWORD)}`,
    );
    assert.equal(login.status, 303, login.text);
    await context.close();
  });

  test('on the second-factor step: 400 naming the field', async () => {
    await sesame.addUser({ username: 'nina', password: PASSWORD });
    await enrolTotp('nina');
    const { context, request, uid, csrf } = await loginStep(await flowFor('strict'));
    const login = await request.post(`${sesame.url}/interaction/${uid}/login`, {
      form: { csrf, username: 'nina', password: PASSWORD },
    });
    const html = await login.text();
    const action = /action="(\/interaction\/[^/"]+\/second-factor)"/.exec(html)?.[1];
    assert.ok(action, html);
    for (const value of values)
      refused(
        await postJson(request, `${sesame.url}${action}`, {
          csrf: csrfOf(html),
          method: 'totp',
          code: value,
        }),
        'code',
      );
    await context.close();
  });

  test('on the portal profile and Security pages: 400 naming the field, nothing saved', async () => {
    const pat = await signedIn('pat');
    const profile = await pat.request.get(`${sesame.url}/portal/profile`);
    const csrf = csrfOf(await profile.text());
    for (const field of ['display_name', 'email', 'picture'])
      for (const value of values)
        refused(await postJson(pat.request, `${sesame.url}/portal/profile`, { csrf, [field]: value }), field);
    assert.equal((await sesame.running.store.users.findByUsername('pat'))!.email, 'pat@example.com');
    const security = csrfOf(await (await pat.request.get(`${sesame.url}/portal/security`)).text());
    for (const value of values) {
      refused(
        await postJson(pat.request, `${sesame.url}/portal/security/totp/confirm`, {
          csrf: security,
          pending: 'x',
          code: value,
        }),
        'code',
      );
      refused(
        await postJson(pat.request, `${sesame.url}/portal/security/passkeys/some-key/rename`, {
          csrf: security,
          name: value,
        }),
        'name',
      );
    }
    await pat.context.close();
  });

  test('on the admin forms: 400 naming the field, single-valued or a list, and nothing made', async () => {
    const boss = await signedIn('boss', `${sesame.url}/admin/groups`);
    const csrf = csrfOf(await (await boss.request.get(`${sesame.url}/admin/groups`)).text());
    for (const value of values) {
      refused(await postJson(boss.request, `${sesame.url}/admin/groups`, { csrf, name: value }), 'name');
      refused(
        await postJson(boss.request, `${sesame.url}/admin/groups`, { csrf, name: 'typed', is_admin: value }),
        'is_admin',
      );
      refused(
        await postJson(boss.request, `${sesame.url}/admin/users`, { csrf, username: value }),
        'username',
      );
      // A list field holds texts only.
      refused(
        await postJson(boss.request, `${sesame.url}/admin/users`, {
          csrf,
          username: 'typed',
          groups: ['admins', value],
        }),
        'groups',
      );
    }
    assert.equal(await sesame.running.store.groups.findByName('typed'), undefined);
    assert.equal(await sesame.running.store.users.findByUsername('typed'), undefined);
    await boss.context.close();
  });

  test("the admin forms' one() and many() refuse values that are not text", () => {
    for (const value of values) {
      assert.throws(() => one(value), InvalidInputError);
      assert.throws(() => many(value), InvalidInputError);
      assert.throws(() => many(['a', value]), InvalidInputError);
    }
    assert.throws(() => one(['a', 'b']), InvalidInputError);
    assert.equal(one(' a '), 'a');
    assert.equal(one(undefined), '');
    assert.deepEqual(many([' a ', '', 'b']), ['a', 'b']);
    assert.deepEqual(many('a'), ['a']);
  });
});

describe('a client that goes away', () => {
  test('is logged at debug level, not as an error nor a refused request', async () => {
    const eventsBefore = (await sesame.running.store.events.list({ limit: 1000 })).length;
    // Nothing printed to standard error either (Koa prints what nobody handles).
    const printed: unknown[] = [];
    const print = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    try {
      for (const path of [
        '/application/o/token/',
        '/api/oidc/token',
        '/api/oidc/introspection',
        '/portal/profile',
        '/interaction/gone/login',
      ]) {
        const before = logLines.length;
        await new Promise<void>((resolve) => {
          const socket = connect(Number(new URL(sesame.url).port), '127.0.0.1', () => {
            socket.write(
              `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 5000\r\n\r\nclient_id=`,
            );
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, 200);
          });
        });
        const line = await logLine(
          (entry) => logLines.indexOf(entry) >= before && entry.msg === 'client went away',
        );
        assert.equal(line.level, 20, path);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const complaints = logLines.slice(before).filter((entry) => (entry.level as number) >= 40);
        assert.deepEqual(complaints, [], path);
      }
    } finally {
      console.error = print;
    }
    assert.deepEqual(printed, []);
    // Nor does the event log say that a protocol request was refused.
    assert.equal((await sesame.running.store.events.list({ limit: 1000 })).length, eventsBefore);
  });
});
