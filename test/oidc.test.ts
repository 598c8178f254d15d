// Single sign-on end to end: headless Chromium on the login and consent pages, openid-client v6 as
// the application, on SQLite, on PostgreSQL and on MySQL (MariaDB).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, jwtVerify, createRemoteJWKSet } from 'jose';
import * as client from 'openid-client';
import { UserAdminService } from '../src/services/users.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { allow, authorize, insecure, logIn, PASSWORD, rejectsWith, type Flow } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const LIBRECHAT_DIGEST =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`OpenID Connect on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let rp: RelyingParty;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let romm: { slug: string; clientId: string; clientSecret?: string; issuer: string };
    let lobechat: { slug: string; clientId: string; clientSecret?: string; issuer: string };
    let rommFlow: Flow;
    let alice: { id: string };
    let machineKey: {
      privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
      publicJwk: Record<string, unknown>;
    };

    /** A flow for a client of the global issuer, already logged in through SSO. */
    async function globalFlow(
      clientId: string,
      secret: string | undefined,
      path: string,
      auth?: client.ClientAuth,
    ): Promise<Flow> {
      return {
        config: await client.discovery(new URL(sesame.url), clientId, secret, auth, insecure),
        redirectUri: `${rp.origin}/${path}/callback`,
      };
    }

    async function completeFlow(flow: Flow) {
      const { callback, verifier, state, nonce } = await authorize(page, rp, flow);
      return client.authorizationCodeGrant(flow.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
    }

    before(async () => {
      rp = await startRelyingParty();
      const pair = await generateKeyPair('ES256', { extractable: true });
      machineKey = {
        privateKey: pair.privateKey,
        publicJwk: { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' },
      };
      sesame = await startTestSesame(
        engine,
        `    clients:
      - client_id: librechat
        client_name: LibreChat
        client_secret: '${LIBRECHAT_DIGEST}'
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/oauth/openid/callback']
        post_logout_redirect_uris: ['${rp.origin}/logged-out']
        scopes: [openid, profile, email, groups, offline_access]
        grant_types: [authorization_code, refresh_token]
        userinfo_signed_response_alg: none
      - client_id: wiki
        authorization_policy: one_factor
        client_secret: wiki-secret-0123456789
        consent_mode: implicit
        subject_mode: username
        redirect_uris: ['${rp.origin}/wiki/callback']
      - client_id: forum
        authorization_policy: one_factor
        client_secret: forum-secret-0123456789
        consent_mode: implicit
        sector_identifier_uri: https://forum.example.com/sector.json
        redirect_uris: ['${rp.origin}/forum/callback']
      - client_id: denied
        client_secret: denied-secret-0123456789
        authorization_policy: deny
        redirect_uris: ['${rp.origin}/denied/callback']
      - client_id: machine
        client_secret: machine-secret-0123456789
        grant_types: [client_credentials]
        response_types: []
        scopes: [groups]
      - client_id: machine-post
        client_secret: machine-secret-0123456789
        token_endpoint_auth_method: client_secret_post
        grant_types: [client_credentials]
        response_types: []
      - client_id: machine-jwt
        client_secret: machine-secret-0123456789
        token_endpoint_auth_method: client_secret_jwt
        grant_types: [client_credentials]
        response_types: []
      - client_id: machine-pkjwt
        token_endpoint_auth_method: private_key_jwt
        jwks: [${JSON.stringify(machineKey.publicJwk)}]
        grant_types: [client_credentials]
        response_types: []
      - client_id: spa
        authorization_policy: one_factor
        public: true
        consent_mode: implicit
        grant_types: [authorization_code, refresh_token]
        scopes: [openid, profile, email, groups, offline_access]
        redirect_uris: ['${rp.origin}/spa/callback']
      - client_id: signed-userinfo
        authorization_policy: one_factor
        client_secret: signed-secret-0123456789
        consent_mode: implicit
        userinfo_signed_response_alg: RS256
        redirect_uris: ['${rp.origin}/signed/callback']
      - client_id: backchannel
        authorization_policy: one_factor
        client_secret: backchannel-secret-0123456789
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/backchannel/callback']
        backchannel_logout_uri: '${rp.origin}/backchannel/logout'
`,
      );
      alice = await sesame.addUser({
        username: 'alice',
        password: PASSWORD,
        email: 'alice@example.com',
        emailVerified: true,
        displayName: 'Alice Liddell',
        givenName: 'Alice',
        familyName: 'Liddell',
        groups: ['family'],
      });
      romm = await sesame.addApplication({
        name: 'RomM',
        consentMode: 'pre-configured',
        preConfiguredConsentDuration: 3600,
        redirectUris: [{ url: `${rp.origin}/api/oauth/openid`, matching_mode: 'strict' }],
        postLogoutRedirectUris: [{ url: `${rp.origin}/logged-out`, matching_mode: 'strict' }],
      });
      lobechat = await sesame.addApplication({
        name: 'LobeChat',
        redirectUris: [
          {
            url: `${rp.origin.replace('127.0.0.1', '(127\\.0\\.0\\.1|localhost)')}/api/auth/callback/authentik`,
            matching_mode: 'regex',
          },
        ],
        consentMode: 'implicit',
      });
      // RomM's way: OIDC_SERVER_APPLICATION_URL without the slash + /.well-known/openid-configuration.
      rommFlow = {
        config: await client.discovery(
          new URL(`${sesame.url}/application/o/romm/.well-known/openid-configuration`),
          romm.clientId,
          romm.clientSecret,
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin}/api/oauth/openid`,
      };
      browser = await launchBrowser();
      context = await browser.newContext();
      page = await context.newPage();
    });

    after(async () => {
      await browser?.close();
      await sesame?.stop();
      await rp?.close();
    });

    test('discovery: each issuer is exactly the URL apps are given', async () => {
      assert.equal(rommFlow.config.serverMetadata().issuer, `${sesame.url}/application/o/romm/`);
      assert.equal(
        rommFlow.config.serverMetadata().authorization_endpoint,
        `${sesame.url}/application/o/authorize`,
      );
      assert.equal(rommFlow.config.serverMetadata().jwks_uri, `${sesame.url}/application/o/romm/jwks`);
      const global = await client.discovery(
        new URL(sesame.url),
        'librechat',
        'insecure_secret',
        undefined,
        insecure,
      );
      assert.equal(global.serverMetadata().issuer, sesame.url);
      assert.equal(global.serverMetadata().token_endpoint, `${sesame.url}/api/oidc/token`);
      const unknown = await fetch(`${sesame.url}/application/o/nope/.well-known/openid-configuration`);
      assert.equal(unknown.status, 404);
    });

    test('login with consent, userinfo, refresh with rotation, introspection, revocation', async () => {
      const { callback, verifier, state, nonce } = await authorize(
        page,
        rp,
        rommFlow,
        {},
        async (current) => {
          await current.getByText('to continue to RomM').waitFor();
          await logIn(current, 'alice');
          await current.getByText('Allow RomM?').waitFor();
          assert.match(await current.content(), /See your email address/);
          assert.match(await current.content(), /remembered for 1h/);
          await allow(current);
        },
      );
      assert.equal(callback.searchParams.get('iss'), romm.issuer);
      const tokens = await client.authorizationCodeGrant(rommFlow.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.iss, `${sesame.url}/application/o/romm/`);
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, 'Alice Liddell');
      assert.deepEqual(claims.groups, ['family']);
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');

      const userinfo = await client.fetchUserInfo(rommFlow.config, tokens.access_token, claims.sub);
      assert.equal(userinfo.preferred_username, 'alice');
      assert.equal(userinfo.given_name, 'Alice');

      const refreshed = await client.refreshTokenGrant(rommFlow.config, tokens.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
      const active = await client.tokenIntrospection(rommFlow.config, refreshed.access_token);
      assert.equal(active.active, true);
      assert.equal(active.sub, alice.id);

      // Reuse of a rotated refresh token revokes the grant.
      await rejectsWith(client.refreshTokenGrant(rommFlow.config, tokens.refresh_token), 'invalid_grant');
      assert.equal((await client.tokenIntrospection(rommFlow.config, refreshed.access_token)).active, false);

      const again = await authorize(page, rp, rommFlow);
      const second = await client.authorizationCodeGrant(rommFlow.config, again.callback, {
        pkceCodeVerifier: again.verifier,
        expectedState: again.state,
        expectedNonce: again.nonce,
      });
      await client.tokenRevocation(rommFlow.config, second.access_token);
      assert.equal((await client.tokenIntrospection(rommFlow.config, second.access_token)).active, false);
    });

    test('single sign-on: the other app, in the other URL world, needs no password', async () => {
      const librechat = {
        config: await client.discovery(
          new URL(sesame.url),
          'librechat',
          'insecure_secret',
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin}/oauth/openid/callback`,
      };
      const { callback, verifier, state, nonce } = await authorize(page, rp, librechat, {
        response_mode: 'form_post',
      });
      const tokens = await client.authorizationCodeGrant(librechat.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      assert.equal(tokens.claims()!.iss, sesame.url);
      assert.equal(tokens.claims()!.sub, alice.id);
      const userinfo = await client.fetchUserInfo(librechat.config, tokens.access_token, alice.id);
      assert.equal(userinfo.email, 'alice@example.com');

      const lobe = {
        config: await client.discovery(
          new URL(lobechat.issuer),
          lobechat.clientId,
          lobechat.clientSecret,
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin.replace('127.0.0.1', 'localhost')}/api/auth/callback/authentik`,
      };
      const viaRegex = await authorize(page, rp, lobe);
      assert.equal(viaRegex.callback.pathname, '/api/auth/callback/authentik');
      const lobeTokens = await client.authorizationCodeGrant(lobe.config, viaRegex.callback, {
        pkceCodeVerifier: viaRegex.verifier,
        expectedState: viaRegex.state,
        expectedNonce: viaRegex.nonce,
      });
      assert.equal(lobeTokens.claims()!.iss, lobechat.issuer);
    });

    test('failures: wrong secret, unregistered redirect URI, reused code, PKCE mismatch', async () => {
      const wrong = await fetch(`${sesame.url}/application/o/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${romm.clientId}:not-the-secret`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          redirect_uri: rommFlow.redirectUri,
        }),
      });
      assert.equal(wrong.status, 401);
      assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');

      const evil = client.buildAuthorizationUrl(rommFlow.config, {
        redirect_uri: 'https://evil.example.com/steal',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const response = await page.goto(evil.href);
      assert.equal(response?.status(), 400);
      assert.ok(page.url().startsWith(sesame.url), 'no redirect to an unregistered URI');
      assert.match(await page.content(), /redirect_uri/);

      const first = await authorize(page, rp, rommFlow);
      const tokens = await client.authorizationCodeGrant(rommFlow.config, first.callback, {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
        expectedNonce: first.nonce,
      });
      await rejectsWith(
        client.authorizationCodeGrant(rommFlow.config, first.callback, {
          pkceCodeVerifier: first.verifier,
          expectedState: first.state,
          expectedNonce: first.nonce,
        }),
        'invalid_grant',
      );
      assert.equal(
        (await client.tokenIntrospection(rommFlow.config, tokens.access_token)).active,
        false,
        'tokens issued from a replayed code are revoked',
      );

      const mismatch = await authorize(page, rp, rommFlow);
      await rejectsWith(
        client.authorizationCodeGrant(rommFlow.config, mismatch.callback, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: mismatch.state,
          expectedNonce: mismatch.nonce,
        }),
        'invalid_grant',
      );
    });

    test('a state shorter than minimum_parameter_entropy is refused at the redirect URI', async () => {
      const { callback } = await authorize(page, rp, rommFlow, { state: 'abc' });
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.match(
        callback.searchParams.get('error_description') ?? '',
        /state must be at least 8 characters/,
      );
    });

    test('a client whose policy is deny gets access_denied at its redirect URI', async () => {
      const denied = await globalFlow('denied', 'denied-secret-0123456789', 'denied');
      const { callback } = await authorize(page, rp, denied);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
    });

    test('an expired code is refused', async () => {
      const client_ = (await sesame.running.store.clients.findByClientId(romm.clientId))!;
      await sesame.running.store.clients.update(client_.id, { lifespans: { authorize_code: 1 } });
      try {
        const { callback, verifier, state, nonce } = await authorize(page, rp, rommFlow);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        await rejectsWith(
          client.authorizationCodeGrant(rommFlow.config, callback, {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
          }),
          'invalid_grant',
        );
      } finally {
        await sesame.running.store.clients.update(client_.id, { lifespans: {} });
      }
    });

    test('prompt=none without a session answers login_required at the redirect URI', async () => {
      const fresh = await browser.newContext();
      try {
        const { callback } = await authorize(await fresh.newPage(), rp, rommFlow, { prompt: 'none' });
        assert.equal(callback.searchParams.get('error'), 'login_required');
      } finally {
        await fresh.close();
      }
    });

    test('max_age=1 forces a new login and auth_time shows it', async () => {
      const fresh = await browser.newContext();
      const freshPage = await fresh.newPage();
      try {
        const first = await authorize(freshPage, rp, rommFlow, {}, async (current) => {
          await logIn(current, 'alice@example.com');
          await allow(current);
        });
        const firstTokens = await client.authorizationCodeGrant(rommFlow.config, first.callback, {
          pkceCodeVerifier: first.verifier,
          expectedState: first.state,
          expectedNonce: first.nonce,
        });
        await new Promise((resolve) => setTimeout(resolve, 2100));
        let askedForPassword = false;
        const second = await authorize(freshPage, rp, rommFlow, { max_age: '1' }, async (current) => {
          await current.getByLabel('Password').waitFor();
          askedForPassword = true;
          await logIn(current, 'alice');
          await allow(current);
        });
        assert.ok(askedForPassword);
        const secondTokens = await client.authorizationCodeGrant(rommFlow.config, second.callback, {
          pkceCodeVerifier: second.verifier,
          expectedState: second.state,
          expectedNonce: second.nonce,
          maxAge: 1,
        });
        assert.ok(
          secondTokens.claims()!.auth_time! > firstTokens.claims()!.auth_time!,
          `auth_time ${firstTokens.claims()!.auth_time} then ${secondTokens.claims()!.auth_time}`,
        );
      } finally {
        await fresh.close();
      }
    });

    test('a wrong password and an unknown user get the same answer', async () => {
      const fresh = await browser.newContext();
      const freshPage = await fresh.newPage();
      try {
        const answers: string[] = [];
        for (const [username, password] of [
          ['alice', 'wrong password'],
          ['nobody', PASSWORD],
        ] as const) {
          const url = client.buildAuthorizationUrl(rommFlow.config, {
            redirect_uri: rommFlow.redirectUri,
            scope: 'openid',
            code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
            code_challenge_method: 'S256',
          });
          await freshPage.goto(url.href);
          await logIn(freshPage, username, password);
          await freshPage.getByRole('alert').waitFor();
          answers.push((await freshPage.getByRole('alert').textContent()) ?? '');
        }
        assert.equal(answers[0], answers[1]);
        assert.equal(answers[0], 'The username or password is incorrect.');
        // A form whose CSRF token is not the page's is refused before the password is looked at.
        await freshPage
          .locator('form[action$="/login"] input[name=csrf]')
          .evaluate((input) => input.setAttribute('value', 'forged'));
        await freshPage.getByLabel('Password').fill(PASSWORD);
        const [response] = await Promise.all([
          freshPage.waitForResponse((candidate) => candidate.url().endsWith('/login')),
          freshPage.getByRole('button', { name: 'Sign in', exact: true }).click(),
        ]);
        assert.equal(response.status(), 403);
      } finally {
        await fresh.close();
      }
    });

    test('subject modes: username, and pairwise per sector', async () => {
      const subjects: string[] = [];
      for (const [clientId, secret] of [
        ['wiki', 'wiki-secret-0123456789'],
        ['forum', 'forum-secret-0123456789'],
      ] as const) {
        const flow = {
          config: await client.discovery(new URL(sesame.url), clientId, secret, undefined, insecure),
          redirectUri: `${rp.origin}/${clientId}/callback`,
        };
        const { callback, verifier, state, nonce } = await authorize(page, rp, flow);
        const tokens = await client.authorizationCodeGrant(flow.config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
        });
        const sub = tokens.claims()!.sub;
        assert.equal((await client.fetchUserInfo(flow.config, tokens.access_token, sub)).sub, sub);
        subjects.push(sub);
      }
      assert.equal(subjects[0], 'alice');
      assert.match(subjects[1]!, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(subjects[1], alice.id);
    });

    test('client credentials with every client authentication method', async () => {
      const machine = await client.discovery(
        new URL(sesame.url),
        'machine',
        'machine-secret-0123456789',
        undefined,
        insecure,
      );
      const basic = await client.clientCredentialsGrant(machine, { scope: 'groups' });
      assert.ok(basic.access_token);
      for (const [clientId, auth] of [
        ['machine-post', client.ClientSecretPost('machine-secret-0123456789')],
        ['machine-jwt', client.ClientSecretJwt('machine-secret-0123456789')],
      ] as const) {
        const configured = await client.discovery(new URL(sesame.url), clientId, undefined, auth, insecure);
        assert.ok((await client.clientCredentialsGrant(configured)).access_token, clientId);
      }
      const wrong = await client.discovery(
        new URL(sesame.url),
        'machine',
        'wrong-secret',
        undefined,
        insecure,
      );
      await rejectsWith(client.clientCredentialsGrant(wrong), 'invalid_client');
    });

    test('a public client: PKCE and no secret', async () => {
      const spa = await globalFlow('spa', undefined, 'spa', client.None());
      const tokens = await completeFlow(spa);
      assert.equal(tokens.claims()!.sub, alice.id);
      const refreshed = await client.refreshTokenGrant(spa.config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      const noPkce = client.buildAuthorizationUrl(spa.config, {
        redirect_uri: spa.redirectUri,
        scope: 'openid',
        state: client.randomState(),
      });
      const before = rp.hits.length;
      await page.goto(noPkce.href);
      await page.waitForTimeout(200);
      const hit = rp.hits[before];
      assert.equal(hit?.url.searchParams.get('error'), 'invalid_request', 'a public client must use PKCE');
    });

    test('userinfo as a signed JWT when the client asks for it', async () => {
      const flow = await globalFlow('signed-userinfo', 'signed-secret-0123456789', 'signed');
      const tokens = await completeFlow(flow);
      const response = await fetch(flow.config.serverMetadata().userinfo_endpoint!, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/jwt');
      const { payload, protectedHeader } = await jwtVerify(
        await response.text(),
        createRemoteJWKSet(new URL(`${sesame.url}/jwks.json`)),
        {
          issuer: sesame.url,
          audience: 'signed-userinfo',
        },
      );
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.sub, alice.id);
      assert.equal(payload.email, 'alice@example.com');
    });

    test('private_key_jwt client authentication', async () => {
      const machine = await client.discovery(
        new URL(sesame.url),
        'machine-pkjwt',
        undefined,
        client.PrivateKeyJwt(machineKey.privateKey),
        insecure,
      );
      assert.ok((await client.clientCredentialsGrant(machine)).access_token);
      const other = await generateKeyPair('ES256');
      const impostor = await client.discovery(
        new URL(sesame.url),
        'machine-pkjwt',
        undefined,
        client.PrivateKeyJwt(other.privateKey),
        insecure,
      );
      await rejectsWith(client.clientCredentialsGrant(impostor), 'invalid_client');
    });

    test('logout ends the session everywhere, tells back-channel clients, and returns to the app', async () => {
      await completeFlow(await globalFlow('backchannel', 'backchannel-secret-0123456789', 'backchannel'));
      const { callback, verifier, state, nonce } = await authorize(page, rp, rommFlow);
      const tokens = await client.authorizationCodeGrant(rommFlow.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const end = client.buildEndSessionUrl(rommFlow.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${rp.origin}/logged-out`,
      });
      await page.goto(end.href);
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.waitForURL(`${rp.origin}/logged-out`);
      const notice = rp.hits.find(
        (hit) => hit.method === 'POST' && hit.url.pathname === '/backchannel/logout',
      );
      assert.ok(notice, 'the back-channel client was told');
      const { payload } = await jwtVerify(
        notice.body.get('logout_token')!,
        createRemoteJWKSet(new URL(`${sesame.url}/jwks.json`)),
        {
          issuer: sesame.url,
          audience: 'backchannel',
        },
      );
      assert.equal(payload.sub, alice.id);
      assert.ok(
        (payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout'],
      );
      let asked = false;
      await authorize(page, rp, rommFlow, {}, async (current) => {
        await current.getByLabel('Password').waitFor();
        asked = true;
        await logIn(current, 'alice');
        await allow(current);
      });
      assert.ok(asked, 'after logout the password is asked again');
    });

    test('a disabled user cannot log in and their tokens stop working', async () => {
      const bob = await sesame.addUser({ username: 'bob', password: PASSWORD, email: 'bob@example.com' });
      const fresh = await browser.newContext();
      const freshPage = await fresh.newPage();
      try {
        const { callback, verifier, state, nonce } = await authorize(
          freshPage,
          rp,
          rommFlow,
          {},
          async (current) => {
            await logIn(current, 'bob');
            await allow(current);
          },
        );
        const tokens = await client.authorizationCodeGrant(rommFlow.config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
        });
        // Disabled the way an administrator does it (UI, API and CLI share the service).
        const { config, store, factors } = sesame.running;
        const admin = new UserAdminService(
          store,
          config.authentication_backend.password_hashing,
          factors,
          config.password_policy,
        );
        await admin.setDisabled('root', 'bob', true);
        await assert.rejects(client.fetchUserInfo(rommFlow.config, tokens.access_token, bob.id));
        await assert.rejects(
          client.refreshTokenGrant(rommFlow.config, tokens.refresh_token!),
          'invalid_grant',
        );
        // Enabled again, the account signs in anew: the tokens issued before stay revoked.
        await admin.setDisabled('root', 'bob', false);
        await assert.rejects(
          client.refreshTokenGrant(rommFlow.config, tokens.refresh_token!),
          'invalid_grant',
        );
        await admin.setDisabled('root', 'bob', true);
        const url = client.buildAuthorizationUrl(rommFlow.config, {
          redirect_uri: rommFlow.redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        await freshPage.goto(url.href);
        await logIn(freshPage, 'bob');
        await freshPage.getByRole('alert').waitFor();
      } finally {
        await fresh.close();
      }
    });
  });
}
