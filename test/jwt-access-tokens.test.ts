// JWT access tokens (RFC 9068) and resource indicators (RFC 8707), end to end: openid-client 6 as
// the application (Chromium on the pages for the code flow), jose as the resource server verifying
// tokens offline against the issuer's JWKS, on SQLite and PostgreSQL, on both issuers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { allow, authorize, insecure, logIn, rejectsWith, type Flow } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const API = 'https://api.example.com';
const FILES = 'https://files.example.com/v1';

/** How a resource server checks a token: signature by the issuer's published keys, typ, iss, aud. */
async function verifyAsResourceServer(config: client.Configuration, token: string, audience: string) {
  const metadata = config.serverMetadata();
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri!));
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    typ: 'at+jwt',
    issuer: metadata.issuer,
    audience,
  });
  return { payload, protectedHeader };
}

function isJwt(token: string): boolean {
  return token.split('.').length === 3;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`JWT access tokens on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let rp: RelyingParty;
    let browser: Browser;
    let page: Page;
    let alice: { id: string };
    let app: { slug: string; clientId: string; clientSecret?: string; issuer: string };

    const machine = (clientId: string) =>
      client.discovery(new URL(sesame.url), clientId, `${clientId}-secret-0123456789`, undefined, insecure);

    before(async () => {
      rp = await startRelyingParty();
      const machineClient = (id: string, extra: string) => `
      - client_id: ${id}
        client_secret: ${id}-secret-0123456789
        grant_types: [client_credentials]
        scopes: [profile]${extra}`;
      sesame = await startTestSesame(
        engine,
        `    clients:${machineClient(
          'reports',
          `
        audience: ['${API}', '${FILES}']
        access_token_signed_response_alg: RS256`,
        )}${machineClient(
          'backup',
          `
        audience: ['${API}', '${FILES}']
        requested_audience_mode: implicit
        access_token_signed_response_alg: ES256`,
        )}${machineClient(
          'legacy',
          `
        audience: ['${API}']`,
        )}
      - client_id: dashboard
        client_secret: dashboard-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/dashboard/callback']
        scopes: [openid, profile, email]
        audience: ['${API}']
        access_token_signed_response_alg: PS256
      - client_id: notes
        client_secret: notes-secret-0123456789
        authorization_policy: one_factor
        consent_mode: explicit
        redirect_uris: ['${rp.origin}/notes/callback']
        grant_types: [authorization_code, refresh_token]
        scopes: [openid, profile, offline_access]
        audience: ['${API}', '${FILES}']
        requested_audience_mode: implicit
        access_token_signed_response_alg: ES256`,
      );
      alice = await sesame.addUser({
        username: 'alice',
        displayName: 'Alice Liddell',
        email: 'alice@example.com',
        password: 'correct horse battery staple',
      });
      app = await sesame.addApplication({
        name: 'Grafana',
        redirectUris: [{ url: `${rp.origin}/grafana/callback`, matching_mode: 'strict' }],
        grantTypes: ['authorization_code', 'client_credentials'],
        settings: { access_token_signed_response_alg: 'EdDSA', audience: [API] },
      });
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
    });

    after(async () => {
      await browser?.close();
      await sesame?.stop();
      await rp?.close();
    });

    test('client_credentials with a resource: an RFC 9068 JWT a resource server verifies offline', async () => {
      const config = await machine('reports');
      const tokens = await client.clientCredentialsGrant(config, { resource: API, scope: 'profile' });
      assert.ok(isJwt(tokens.access_token), 'a JWT');
      const { payload, protectedHeader } = await verifyAsResourceServer(config, tokens.access_token, API);
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.iss, sesame.url);
      assert.equal(payload.aud, API);
      assert.equal(payload.client_id, 'reports');
      assert.equal(payload.sub, 'reports', 'a client acting for itself is the subject');
      assert.equal(payload.scope, 'profile');
      assert.equal(typeof payload.jti, 'string');
      assert.ok(payload.exp! > payload.iat!);
      // Signed by one of the issuer's own keys: verifying against another audience fails.
      await assert.rejects(verifyAsResourceServer(config, tokens.access_token, FILES));
    });

    test('a resource outside the audiences is refused with invalid_target', async () => {
      const config = await machine('reports');
      await rejectsWith(
        client.clientCredentialsGrant(config, { resource: 'https://evil.example.com' }),
        'invalid_target',
      );
      await rejectsWith(
        client.clientCredentialsGrant(await machine('legacy'), { resource: FILES }),
        'invalid_target',
      );
    });

    test('explicit mode without a resource, and a client without the setting: opaque tokens', async () => {
      const explicit = await client.clientCredentialsGrant(await machine('reports'), {});
      assert.ok(!isJwt(explicit.access_token), 'explicit: no audience requested, no JWT');
      const legacy = await client.clientCredentialsGrant(await machine('legacy'), { resource: API });
      assert.ok(!isJwt(legacy.access_token), 'no access_token_signed_response_alg: opaque');
      const introspected = await client.tokenIntrospection(await machine('legacy'), legacy.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.aud, API);
    });

    test('implicit mode without a resource: every audience; with one: just that one', async () => {
      const config = await machine('backup');
      const all = await client.clientCredentialsGrant(config, {});
      const { payload, protectedHeader } = await verifyAsResourceServer(config, all.access_token, FILES);
      assert.equal(protectedHeader.alg, 'ES256');
      assert.deepEqual(payload.aud, [API, FILES]);
      assert.deepEqual((await client.tokenIntrospection(config, all.access_token)).aud, [API, FILES]);
      const one = await client.clientCredentialsGrant(config, { resource: FILES });
      assert.equal(decodeJwt(one.access_token).aud, FILES);
      await rejectsWith(
        client.clientCredentialsGrant(config, { resource: `${API}/other` }),
        'invalid_target',
      );
    });

    test('introspection answers for a JWT access token until it is revoked', async () => {
      const config = await machine('reports');
      const tokens = await client.clientCredentialsGrant(config, { resource: FILES });
      const active = await client.tokenIntrospection(config, tokens.access_token);
      assert.equal(active.active, true);
      assert.equal(active.client_id, 'reports');
      assert.equal(active.aud, FILES);
      assert.equal(active.exp, decodeJwt(tokens.access_token).exp);
      await client.tokenRevocation(config, tokens.access_token);
      assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    });

    test('per-application issuer: its JWT carries its iss and verifies against its JWKS', async () => {
      const config = await client.discovery(
        new URL(app.issuer),
        app.clientId,
        app.clientSecret,
        undefined,
        insecure,
      );
      const tokens = await client.clientCredentialsGrant(config, { resource: API });
      const { payload, protectedHeader } = await verifyAsResourceServer(config, tokens.access_token, API);
      assert.equal(payload.iss, app.issuer);
      assert.equal(payload.iss, `${sesame.url}/application/o/${app.slug}/`);
      assert.equal(protectedHeader.alg, 'EdDSA');
      await rejectsWith(
        client.clientCredentialsGrant(config, { resource: 'https://elsewhere.example.com' }),
        'invalid_target',
      );
    });

    test('code flow in the browser: resource → JWT for the user; none → opaque token for userinfo', async () => {
      const flow: Flow = {
        config: await client.discovery(
          new URL(sesame.url),
          'dashboard',
          'dashboard-secret-0123456789',
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin}/dashboard/callback`,
      };
      const first = await authorize(page, rp, flow, { scope: 'openid profile', resource: API }, (current) =>
        logIn(current, 'alice'),
      );
      const tokens = await client.authorizationCodeGrant(flow.config, first.callback, {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
        expectedNonce: first.nonce,
      });
      assert.equal(tokens.claims()!.sub, alice.id);
      const { payload, protectedHeader } = await verifyAsResourceServer(
        flow.config,
        tokens.access_token,
        API,
      );
      assert.equal(protectedHeader.alg, 'PS256');
      assert.equal(payload.sub, alice.id);
      assert.equal(payload.client_id, 'dashboard');
      assert.equal(payload.aud, API);
      assert.equal((await client.tokenIntrospection(flow.config, tokens.access_token)).sub, alice.id);

      const second = await authorize(page, rp, flow, { scope: 'openid profile' });
      const plain = await client.authorizationCodeGrant(flow.config, second.callback, {
        pkceCodeVerifier: second.verifier,
        expectedState: second.state,
        expectedNonce: second.nonce,
      });
      assert.ok(!isJwt(plain.access_token));
      const userinfo = await client.fetchUserInfo(flow.config, plain.access_token, alice.id);
      assert.equal(userinfo.name, 'Alice Liddell');
      const refused = await authorize(page, rp, flow, {
        scope: 'openid profile',
        resource: 'https://evil.example.com',
      });
      await rejectsWith(
        client.authorizationCodeGrant(flow.config, refused.callback, {
          pkceCodeVerifier: refused.verifier,
          expectedState: refused.state,
        }),
        'invalid_target',
      );
    });

    test('implicit mode in the code flow: consent, every audience, and refresh keeps them', async () => {
      const flow: Flow = {
        config: await client.discovery(
          new URL(sesame.url),
          'notes',
          'notes-secret-0123456789',
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin}/notes/callback`,
      };
      const { callback, verifier, state, nonce } = await authorize(
        page,
        rp,
        flow,
        { scope: 'openid profile offline_access', prompt: 'consent' },
        async (current) => {
          await current.getByText('Allow notes?').waitFor();
          await allow(current);
        },
      );
      const tokens = await client.authorizationCodeGrant(flow.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const first = await verifyAsResourceServer(flow.config, tokens.access_token, FILES);
      assert.deepEqual(first.payload.aud, [API, FILES]);
      assert.equal(first.payload.sub, alice.id);
      assert.ok(tokens.refresh_token);
      const refreshed = await client.refreshTokenGrant(flow.config, tokens.refresh_token);
      const second = await verifyAsResourceServer(flow.config, refreshed.access_token, API);
      assert.equal(second.payload.sub, alice.id);
      assert.notEqual(second.payload.jti, first.payload.jti);
    });
  });
}

describe('JWT access tokens for an application, set through the admin API and the CLI', () => {
  let sesame: TestSesame;
  let apiToken: string;

  before(async () => {
    sesame = await startTestSesame('sqlite');
    apiToken = (
      await new ApiTokenService(sesame.running.store).create(
        { name: 'automation', scopes: ['*:write'] },
        'test',
      )
    ).token;
  });

  after(async () => {
    await sesame?.stop();
  });

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${sesame.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('PATCH /providers/{id} and `sesame apps update` set audience, mode and algorithm', async () => {
    const app = await sesame.addApplication({
      name: 'Inventory',
      slug: 'inventory',
      redirectUris: [{ url: 'https://inventory.example.com/cb', matching_mode: 'strict' }],
      grantTypes: ['authorization_code', 'client_credentials'],
    });
    const config = await client.discovery(
      new URL(app.issuer),
      app.clientId,
      app.clientSecret,
      undefined,
      insecure,
    );
    assert.ok(!isJwt((await client.clientCredentialsGrant(config, {})).access_token), 'opaque by default');
    await rejectsWith(client.clientCredentialsGrant(config, { resource: FILES }), 'invalid_target');

    const patched = await api('PATCH', `/providers/${app.clientId}`, {
      access_token_signed_response_alg: 'ES256',
      audience: [FILES],
      requested_audience_mode: 'implicit',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const shown = await api('GET', `/providers/${app.clientId}`);
    assert.deepEqual(shown.body.audience, [FILES]);
    assert.equal(shown.body.requested_audience_mode, 'implicit');
    const tokens = await client.clientCredentialsGrant(config, {});
    const { payload } = await verifyAsResourceServer(config, tokens.access_token, FILES);
    assert.equal(payload.iss, app.issuer);

    // The YAML client's rules: an audience is a URI; the algorithm needs a key.
    const notUri = await api('PATCH', `/providers/${app.clientId}`, { audience: ['files'] });
    assert.equal(notUri.status, 400);
    assert.equal((notUri.body.fields as { field: string }[])[0]!.field, 'audience.0');
    const noKey = await api('PATCH', `/providers/${app.clientId}`, {
      access_token_signed_response_alg: 'ES384',
    });
    assert.equal(noKey.status, 400, JSON.stringify(noKey.body));
    assert.match(noKey.body.error_description as string, /ES384 needs a signing key/);

    const file = sesame.running.config.configFile;
    const cleared = await runSesame([
      'apps',
      'update',
      'inventory',
      '--access-token-signed-response-alg',
      'none',
      '--audience',
      JSON.stringify([API]),
      '-c',
      file,
    ]);
    assert.equal(cleared.code, 0, cleared.stderr);
    // Another process changed the client: this server sees it within its change poll (a second).
    let opaque = await client.clientCredentialsGrant(config, {});
    for (const deadline = Date.now() + 5000; isJwt(opaque.access_token) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      opaque = await client.clientCredentialsGrant(config, {});
    }
    assert.ok(!isJwt(opaque.access_token), 'back to opaque');
    assert.equal((await client.tokenIntrospection(config, opaque.access_token)).aud, API);
    const bad = await runSesame([
      'apps',
      'update',
      'inventory',
      '--requested-audience-mode',
      'maybe',
      '-c',
      file,
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--requested-audience-mode/);
  });
  test("the provider page's Audiences and Requested audience mode fields: saved and used", async () => {
    await sesame.addUser({ username: 'root', password: 'correct horse battery staple', groups: ['admins'] });
    const app = await sesame.addApplication({
      name: 'Ledger',
      slug: 'ledger',
      redirectUris: [{ url: 'https://ledger.example.com/cb', matching_mode: 'strict' }],
      grantTypes: ['authorization_code', 'client_credentials'],
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${sesame.url}/admin/providers/${app.clientId}`);
      await logIn(page, 'root');
      await page.waitForURL(`${sesame.url}/admin/providers/${app.clientId}`);
      await page.getByText('More settings').click();
      await page.getByLabel('Audiences').fill('["not a uri"]');
      await page.getByRole('button', { name: 'Save provider' }).click();
      assert.match((await page.locator('#audience-error').textContent())!, /absolute URI/);
      await page.getByLabel('Audiences').fill(JSON.stringify([API]));
      await page.getByLabel('Requested audience mode').selectOption('implicit');
      await page.getByLabel('Access token signing algorithm').selectOption('EdDSA');
      await page.getByRole('button', { name: 'Save provider' }).click();
      await page.getByText('Saved.').waitFor();
    } finally {
      await browser.close();
    }
    const config = await client.discovery(
      new URL(app.issuer),
      app.clientId,
      app.clientSecret,
      undefined,
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(config, {});
    const { payload, protectedHeader } = await verifyAsResourceServer(config, tokens.access_token, API);
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload.iss, app.issuer);
  });
});
