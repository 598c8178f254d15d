// The device authorization grant (RFC 8628) end to end: openid-client 6 as the device (a TV, a
// command line), headless Chromium as the person entering the code at /device, on SQLite and
// PostgreSQL, against the global issuer and a per-application issuer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { cspViolations, launchBrowser } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { allow, insecure, logIn, PASSWORD, rejectsWith } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

const CLIENTS = `    clients:
      - client_id: tv
        client_name: Living room TV
        public: true
        authorization_policy: one_factor
        consent_mode: explicit
        grant_types: ['${DEVICE_CODE}', refresh_token]
        scopes: [openid, profile, email, offline_access]
      - client_id: cli
        client_name: Backup CLI
        client_secret: cli-secret-0123456789
        token_endpoint_auth_method: client_secret_post
        authorization_policy: one_factor
        consent_mode: implicit
        grant_types: ['${DEVICE_CODE}']
      - client_id: web
        client_secret: web-secret-0123456789
        authorization_policy: one_factor
        redirect_uris: ['https://web.example.com/callback']
`;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`Device authorization grant on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let browser: Browser;
    let tv: client.Configuration;
    let console_: client.Configuration;
    let consoleIssuer: string;

    before(async () => {
      sesame = await startTestSesame(engine, CLIENTS);
      await sesame.addUser({ username: 'alice', password: PASSWORD, email: 'alice@example.com' });
      const app = await sesame.addApplication({
        name: 'Game Console',
        public: true,
        redirectUris: [],
        grantTypes: [DEVICE_CODE],
        consentMode: 'explicit',
      });
      consoleIssuer = app.issuer;
      console_ = await client.discovery(
        new URL(app.issuer),
        app.clientId,
        undefined,
        client.None(),
        insecure,
      );
      tv = await client.discovery(new URL(sesame.url), 'tv', undefined, client.None(), insecure);
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await sesame?.stop();
    });

    /** A person with a fresh browser enters the code (opening `url`) and signs in. */
    async function approve(
      url: string,
      options: { typeCode?: string; consent?: 'allow' | 'deny' } = {},
    ): Promise<{ page: Page; violations: string[] }> {
      const context = await browser.newContext();
      const violations = await cspViolations(context);
      const page = await context.newPage();
      await page.goto(url);
      if (options.typeCode !== undefined) {
        await page.getByLabel('Code').fill(options.typeCode);
        await page.getByRole('button', { name: 'Continue' }).click();
      }
      await page.getByRole('button', { name: 'Continue' }).click();
      await logIn(page, 'alice');
      if (options.consent === 'deny') {
        await page.getByRole('button', { name: 'Deny' }).click();
      } else if (options.consent === 'allow') {
        await allow(page);
      }
      return { page, violations };
    }

    const tokenEndpoint = (config: client.Configuration) => config.serverMetadata().token_endpoint!;

    /** One poll by hand (openid-client waits the interval first, and retries for us). */
    async function poll(config: client.Configuration, deviceCode: string, clientId: string) {
      const response = await fetch(tokenEndpoint(config), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: DEVICE_CODE, device_code: deviceCode, client_id: clientId }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    test('both issuers announce the device authorization endpoint', () => {
      assert.equal(
        tv.serverMetadata().device_authorization_endpoint,
        `${sesame.url}/api/oidc/device-authorization`,
      );
      assert.equal(
        console_.serverMetadata().device_authorization_endpoint,
        `${sesame.url}/application/o/device`,
      );
      assert.ok(tv.serverMetadata().grant_types_supported?.includes(DEVICE_CODE));
    });

    test('a TV signs in through verification_uri_complete on the global issuer; its device code is single-use', async () => {
      const started = await client.initiateDeviceAuthorization(tv, {
        scope: 'openid profile email offline_access',
      });
      assert.equal(started.verification_uri, `${sesame.url}/device`);
      assert.equal(started.interval, 5);
      assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(
        started.verification_uri_complete,
        `${sesame.url}/device?user_code=${encodeURIComponent(started.user_code)}`,
      );
      const polled = client.pollDeviceAuthorizationGrant(tv, started);
      const { page, violations } = await approve(started.verification_uri_complete, { consent: 'allow' });
      await page.getByText('Your device is signed in').waitFor();
      assert.match(await page.locator('body').innerText(), /Living room TV on your device can continue now/);
      const tokens = await polled;
      // openid-client has validated the ID token (issuer, audience, signature, expiry).
      assert.equal(tokens.claims()?.iss, sesame.url);
      assert.equal(tokens.claims()?.email, 'alice@example.com');
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      const info = await client.fetchUserInfo(tv, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.email, 'alice@example.com');
      assert.deepEqual(violations, []);
      // The device code has been exchanged: polling again gets nothing.
      const again = await poll(tv, started.device_code, 'tv');
      assert.equal(again.status, 400);
      assert.equal(again.body.error, 'invalid_grant');
      await page.context().close();
    });

    test('a command line client shows verification_uri; a mistyped code gets a clear page, the right one signs in', async () => {
      const cli = await client.discovery(
        new URL(sesame.url),
        'cli',
        'cli-secret-0123456789',
        client.ClientSecretPost('cli-secret-0123456789'),
        insecure,
      );
      const started = await client.initiateDeviceAuthorization(cli, { scope: 'openid' });
      const polled = client.pollDeviceAuthorizationGrant(cli, started);
      const context = await browser.newContext();
      const page = await context.newPage();
      const first = await page.goto(started.verification_uri);
      assert.equal(first?.status(), 200);
      const headers = first.headers();
      assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/);
      assert.equal(headers['x-frame-options'], 'DENY');
      await page.getByLabel('Code').fill('BBBB-BBBB');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('That code is not valid').waitFor();
      assert.equal(await page.getByLabel('Code').inputValue(), 'BBBB-BBBB');
      // Typed in lower case and without the dash: the engine normalises it.
      await page.getByLabel('Code').fill(started.user_code.replace('-', '').toLowerCase());
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('Connect Backup CLI?').waitFor();
      assert.match(await page.locator('code.user-code').innerText(), new RegExp(started.user_code));
      await page.getByRole('button', { name: 'Continue' }).click();
      await logIn(page, 'alice');
      await page.getByText('Your device is signed in').waitFor();
      const tokens = await polled;
      assert.equal(tokens.claims()?.aud, 'cli');
      await context.close();
    });

    test('a console signs in at its application issuer', async () => {
      const started = await client.initiateDeviceAuthorization(console_, { scope: 'openid email' });
      assert.equal(started.verification_uri, `${consoleIssuer}device`);
      const polled = client.pollDeviceAuthorizationGrant(console_, started);
      const { page, violations } = await approve(started.verification_uri_complete!, { consent: 'allow' });
      await page.getByText('Your device is signed in').waitFor();
      const tokens = await polled;
      assert.equal(tokens.claims()?.iss, consoleIssuer);
      assert.equal(tokens.claims()?.email, 'alice@example.com');
      assert.deepEqual(violations, []);
      await page.context().close();
    });

    test('a device polling faster than the interval is told to slow down', async () => {
      const started = await client.initiateDeviceAuthorization(tv, { scope: 'openid' });
      const first = await poll(tv, started.device_code, 'tv');
      assert.equal(first.body.error, 'authorization_pending');
      const second = await poll(tv, started.device_code, 'tv');
      assert.equal(second.status, 400);
      assert.equal(second.body.error, 'slow_down');
    });

    test('of parallel polls on every node, one is pending and one gets the tokens', async () => {
      // On PostgreSQL, half the polls go to a second node of the same installation.
      const other =
        engine === 'postgres' ? await startTestSesame(engine, CLIENTS, { nodeOf: sesame }) : undefined;
      try {
        const started = await client.initiateDeviceAuthorization(tv, { scope: 'openid' });
        const endpoints = [
          tokenEndpoint(tv),
          tokenEndpoint(tv).replace(sesame.url, other?.nodeUrl ?? sesame.url),
        ];
        const pollAll = () =>
          Promise.all(
            Array.from({ length: 20 }, async (_, index) => {
              const response = await fetch(endpoints[index % 2]!, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({
                  grant_type: DEVICE_CODE,
                  device_code: started.device_code,
                  client_id: 'tv',
                }),
              });
              const body = (await response.json()) as { error?: string; access_token?: string };
              return body.error ?? (body.access_token ? 'tokens' : 'nothing');
            }),
          );
        const pending = await pollAll();
        assert.equal(
          pending.filter((answer) => answer === 'authorization_pending').length,
          1,
          pending.join(),
        );
        assert.equal(pending.filter((answer) => answer === 'slow_down').length, 19, pending.join());
        const { page } = await approve(started.verification_uri_complete!, { consent: 'allow' });
        await page.getByText('Your device is signed in').waitFor();
        await page.context().close();
        const done = await pollAll();
        assert.equal(done.filter((answer) => answer === 'tokens').length, 1, done.join());
        assert.equal(done.filter((answer) => answer === 'invalid_grant').length, 19, done.join());
      } finally {
        await other?.stop();
      }
    });

    test('denied consent and a cancelled confirmation give access_denied', async () => {
      const denied = await client.initiateDeviceAuthorization(tv, { scope: 'openid' });
      const deniedPoll = rejectsWith(client.pollDeviceAuthorizationGrant(tv, denied), 'access_denied');
      const { page } = await approve(denied.verification_uri_complete!, { consent: 'deny' });
      await page.getByText('The request was denied. Your device was not signed in.').waitFor();
      await deniedPoll;
      await page.context().close();

      const cancelled = await client.initiateDeviceAuthorization(tv, { scope: 'openid' });
      const context = await browser.newContext();
      const other = await context.newPage();
      await other.goto(cancelled.verification_uri_complete!);
      await other.getByRole('button', { name: 'Cancel' }).click();
      await other.getByText('The sign-in was cancelled').waitFor();
      await rejectsWith(client.pollDeviceAuthorizationGrant(tv, cancelled), 'access_denied');
      // The code cannot be used again after that.
      await other.goto(cancelled.verification_uri_complete!);
      await other.getByText('That code has already been used').waitFor();
      await context.close();
    });

    test('a client without the device_code grant type is refused', async () => {
      const web = await client.discovery(
        new URL(sesame.url),
        'web',
        'web-secret-0123456789',
        undefined,
        insecure,
      );
      await rejectsWith(client.initiateDeviceAuthorization(web, { scope: 'openid' }), 'unauthorized_client');
    });

    test('the admin API and the CLI make device clients without redirect URIs, and switch one to the device grant', async () => {
      const { token } = await new ApiTokenService(sesame.running.store).create(
        { name: 'automation', scopes: ['*:write'] },
        'test',
      );
      const created = await fetch(`${sesame.url}/api/v1/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Kiosk', public: true, grant_types: [DEVICE_CODE] }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { application } = (await created.json()) as {
        application: { provider: { client_id: string }; urls: { issuer: string } };
      };
      const cliAdded = await runSesame([
        'apps',
        'add',
        'Printer',
        '-c',
        sesame.running.config.configFile,
        '--grant-type',
        DEVICE_CODE,
        '--grant-type',
        'refresh_token',
        '--json',
      ]);
      assert.equal(cliAdded.code, 0, cliAdded.stderr);
      const printer = JSON.parse(cliAdded.stdout) as {
        client_id: string;
        client_secret: string;
        issuer: string;
      };
      // An application that signs in through the browser gets the device grant too (a PATCH of its
      // provider); dropping authorization_code drops the code response type with it.
      const photos = await sesame.addApplication({
        name: 'Photos',
        redirectUris: [{ url: 'https://photos.example.com/cb', matching_mode: 'strict' }],
      });
      const patched = await fetch(`${sesame.url}/api/v1/providers/${photos.clientId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: [DEVICE_CODE] }),
      });
      assert.equal(patched.status, 200, await patched.clone().text());
      for (const [issuer, clientId, secret] of [
        [photos.issuer, photos.clientId, photos.clientSecret],
        [application.urls.issuer, application.provider.client_id, undefined],
        [printer.issuer, printer.client_id, printer.client_secret],
      ] as const) {
        const config = await client.discovery(new URL(issuer), clientId, secret, undefined, insecure);
        const started = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
        assert.match(started.verification_uri, /\/application\/o\/[a-z-]+\/device$/);
      }
    });

    test('bad input at /device gets a page, never a server error', async () => {
      const forged = await fetch(`${sesame.url}/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user_code: 'BCDF-GHJK', confirm: 'yes' }),
      });
      assert.equal(forged.status, 400);
      assert.match(forged.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await forged.text(), /This page had expired or the form was not sent from it/);
      for (const [path, init] of [
        ['/device?user_code=' + 'x'.repeat(5000), undefined],
        ['/device?user_code=a&user_code=b', undefined],
        ['/device/not-an-interaction', undefined],
        ['/device', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
        [`/application/o/nope/device`, undefined],
      ] as const) {
        const response = await fetch(`${sesame.url}${path}`, init);
        assert.ok(response.status < 500, `${path}: ${response.status}`);
      }
    });
  });
}
