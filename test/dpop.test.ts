// DPoP (RFC 9449) with a real client (openid-client 6): tokens bound to the client's key work only
// with a proof made with that key, a proof works once (also across nodes), nonces handed out by one
// node are accepted by the other, and a client that must use DPoP is refused without it. On SQLite,
// on PostgreSQL, and on two nodes sharing one PostgreSQL schema or one MySQL database (requests
// alternate between them).
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { authorize, insecure, logIn, PASSWORD, rejectsWith, type Flow } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const SECRET = 'dpop-secret-0123456789';

const setups = [
  { name: 'SQLite, one node', engine: 'sqlite', nodes: 1 },
  { name: 'PostgreSQL, one node', engine: 'postgres', nodes: 1 },
  { name: 'PostgreSQL, two nodes on one schema', engine: 'postgres', nodes: 2 },
  // (MySQL has its own way to record a proof once: see ArtifactRepository.claim.)
  { name: 'MySQL, two nodes on one database', engine: 'mysql', nodes: 2 },
] as const;

/** A DPoP proof made by hand, to send the very same proof more than once. */
async function proof(
  keys: client.CryptoKeyPair,
  htm: string,
  htu: string,
  claims: { accessToken?: string; nonce?: string } = {},
): Promise<string> {
  const ath = claims.accessToken && createHash('sha256').update(claims.accessToken).digest('base64url');
  return new SignJWT({ htm, htu, jti: randomUUID(), ath, nonce: claims.nonce })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt()
    .sign(keys.privateKey);
}

for (const setup of setups) {
  describe(`DPoP: ${setup.name}`, { skip: await skipWithout(setup.engine) }, () => {
    const nodes: TestSesame[] = [];
    let rp: RelyingParty;
    let browser: Browser;
    let page: Page;
    let spa: Flow;
    let machine: client.Configuration;
    let required: client.Configuration;

    /**
     * openid-client's configuration whose requests go to the index-th node. The forwarded host stays
     * the issuer's, as a load balancer in front of the nodes keeps it (proofs name the issuer's URLs).
     */
    async function configOn(index: number, clientId: string, secret?: string, auth?: client.ClientAuth) {
      const config = await client.discovery(new URL(nodes[0]!.url), clientId, secret, auth, insecure);
      config[client.customFetch] = (url, options) => send(index, url, options as RequestInit);
      return config;
    }

    /** A request to the index-th node. */
    function send(index: number, url: string, init: RequestInit): Promise<Response> {
      const target = new URL(url);
      const headers = new Headers(init.headers);
      headers.set('x-forwarded-host', target.host);
      target.host = new URL(nodes[index % nodes.length]!.nodeUrl).host;
      return fetch(target, { ...init, headers });
    }

    before(async () => {
      rp = await startRelyingParty();
      const yaml = `    clients:
      - client_id: spa
        authorization_policy: one_factor
        public: true
        consent_mode: implicit
        grant_types: [authorization_code, refresh_token]
        scopes: [openid, profile, email, groups, offline_access]
        redirect_uris: ['${rp.origin}/callback']
      - client_id: machine
        client_secret: ${SECRET}
        grant_types: [client_credentials]
        response_types: []
      - client_id: dpop-only
        client_secret: ${SECRET}
        dpop_bound_access_tokens: true
        grant_types: [client_credentials]
        response_types: []
`;
      // The test plays the load balancer: it names the host the client addressed.
      const serverYaml = "  trusted_proxies: ['127.0.0.1']";
      nodes.push(await startTestSesame(setup.engine, yaml, { serverYaml }));
      if (setup.nodes === 2)
        nodes.push(await startTestSesame(setup.engine, yaml, { serverYaml, nodeOf: nodes[0] }));
      await nodes[0]!.addUser({ username: 'alice', password: PASSWORD, email: 'alice@example.com' });
      spa = {
        config: await configOn(0, 'spa', undefined, client.None()),
        redirectUri: `${rp.origin}/callback`,
      };
      machine = await configOn(1, 'machine', SECRET);
      required = await configOn(1, 'dpop-only', SECRET);
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
    });

    after(async () => {
      await browser?.close();
      for (const node of nodes.reverse()) await node.stop();
      await rp?.close();
    });

    /** A code flow whose token request carries a proof of `keys`. */
    let signedIn = false;
    async function signIn(keys: client.CryptoKeyPair) {
      const { callback, verifier, state, nonce } = await authorize(page, rp, spa, {}, async (current) => {
        // (The browser keeps its session: only the first flow shows the sign-in page.)
        if (!signedIn) await logIn(current, 'alice');
        signedIn = true;
      });
      return client.authorizationCodeGrant(
        spa.config,
        callback,
        { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
        undefined,
        { DPoP: client.getDPoPHandle(spa.config, keys) },
      );
    }

    test('both issuers’ discovery documents list the DPoP algorithms', async () => {
      const application = await nodes[0]!.addApplication({
        name: 'Notes',
        slug: 'notes',
        redirectUris: [{ url: `${rp.origin}/notes`, matching_mode: 'strict' }],
        consentMode: 'implicit',
        launchUrl: rp.origin,
      });
      for (const issuer of [`${nodes[0]!.url}/`, application.issuer]) {
        const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
        const metadata = (await (await send(1, url, {})).json()) as Record<string, unknown>;
        assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256', 'Ed25519', 'EdDSA'], url);
      }
    });

    test('an access token bound to a key works at userinfo only with a proof of that key', async () => {
      const keys = await client.randomDPoPKeyPair();
      const tokens = await signIn(keys);
      assert.equal(tokens.token_type, 'dpop');
      const sub = tokens.claims()!.sub;
      const info = await client.fetchUserInfo(spa.config, tokens.access_token, sub, {
        DPoP: client.getDPoPHandle(spa.config, keys),
      });
      assert.equal(info.email, 'alice@example.com');
      // Another key's proof, and no proof at all (a bearer presentation), are refused.
      const other = client.getDPoPHandle(spa.config, await client.randomDPoPKeyPair());
      await assert.rejects(client.fetchUserInfo(spa.config, tokens.access_token, sub, { DPoP: other }));
      const userinfo = spa.config.serverMetadata().userinfo_endpoint!;
      for (const index of [0, 1]) {
        const bearer = await send(index, userinfo, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
        assert.equal(bearer.status, 401);
        assert.match(bearer.headers.get('www-authenticate') ?? '', /invalid_token/);
      }
    });

    test('a proof is accepted once: sent again, or 10 times at once on both nodes, only one passes', async () => {
      const keys = await client.randomDPoPKeyPair();
      const tokens = await signIn(keys);
      const userinfo = spa.config.serverMetadata().userinfo_endpoint!;
      // (oidc-provider does not say why a token is refused; the fresh proofs below pass on both nodes.)
      const present = async (index: number, dpop: string) => {
        const headers = { authorization: `DPoP ${tokens.access_token}`, dpop };
        const answer = await send(index, userinfo, { headers });
        if (answer.status === 200) return 200;
        assert.match(answer.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        return answer.status;
      };
      const once = await proof(keys, 'GET', userinfo, { accessToken: tokens.access_token });
      assert.equal(await present(0, once), 200);
      assert.equal(await present(1, once), 401);
      for (const index of [0, 1])
        assert.equal(
          await present(index, await proof(keys, 'GET', userinfo, { accessToken: tokens.access_token })),
          200,
        );
      const shared = await proof(keys, 'GET', userinfo, { accessToken: tokens.access_token });
      const statuses = await Promise.all(Array.from({ length: 10 }, (_, index) => present(index, shared)));
      assert.deepEqual(statuses.toSorted(), [200, ...Array<number>(9).fill(401)]);
    });

    test('a nonce handed out by one node is accepted by the other; a made-up one is not', async () => {
      const keys = await client.randomDPoPKeyPair();
      const tokens = await signIn(keys);
      const userinfo = spa.config.serverMetadata().userinfo_endpoint!;
      const present = (index: number, dpop: string) =>
        send(index, userinfo, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop } });
      const first = await present(
        0,
        await proof(keys, 'GET', userinfo, { accessToken: tokens.access_token }),
      );
      const nonce = first.headers.get('dpop-nonce');
      assert.ok(nonce, 'the answer offers a nonce');
      const withNonce = await proof(keys, 'GET', userinfo, { accessToken: tokens.access_token, nonce });
      assert.equal((await present(1, withNonce)).status, 200);
      const madeUp = await proof(keys, 'GET', userinfo, {
        accessToken: tokens.access_token,
        nonce: 'x'.repeat(43),
      });
      const refused = await present(1, madeUp);
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('www-authenticate') ?? '', /use_dpop_nonce/);
    });

    test('a public client’s refresh token refreshes only with its key', async () => {
      const keys = await client.randomDPoPKeyPair();
      const tokens = await signIn(keys);
      assert.ok(tokens.refresh_token);
      const other = client.getDPoPHandle(spa.config, await client.randomDPoPKeyPair());
      await rejectsWith(
        client.refreshTokenGrant(spa.config, tokens.refresh_token, {}, { DPoP: other }),
        'invalid_grant',
      );
      await rejectsWith(client.refreshTokenGrant(spa.config, tokens.refresh_token), 'invalid_grant');
      const refreshed = await client.refreshTokenGrant(
        spa.config,
        tokens.refresh_token,
        {},
        { DPoP: client.getDPoPHandle(spa.config, keys) },
      );
      assert.equal(refreshed.token_type, 'dpop');
    });

    test('client credentials: bound when a proof comes, introspection shows the key, a DPoP-only client needs one', async () => {
      const keys = await client.randomDPoPKeyPair();
      const bearer = await client.clientCredentialsGrant(machine);
      assert.equal(bearer.token_type, 'bearer');
      const bound = await client.clientCredentialsGrant(
        machine,
        {},
        { DPoP: client.getDPoPHandle(machine, keys) },
      );
      assert.equal(bound.token_type, 'dpop');
      const introspected = await client.tokenIntrospection(machine, bound.access_token);
      assert.equal(introspected.active, true);
      assert.deepEqual(introspected.cnf, {
        jkt: await calculateJwkThumbprint(await exportJWK(keys.publicKey)),
      });
      await rejectsWith(client.clientCredentialsGrant(required), 'invalid_grant');
      const allowed = await client.clientCredentialsGrant(
        required,
        {},
        { DPoP: client.getDPoPHandle(required, keys) },
      );
      assert.equal(allowed.token_type, 'dpop');
    });
    test('an application’s client can be made to require DPoP (its setting reaches the engine)', async () => {
      const application = await nodes[0]!.addApplication({
        name: 'Reports',
        slug: 'reports',
        redirectUris: [{ url: `${rp.origin}/reports`, matching_mode: 'strict' }],
        grantTypes: ['authorization_code', 'client_credentials'],
        settings: { dpop_bound_access_tokens: true },
      });
      const config = await client.discovery(
        new URL(application.issuer),
        application.clientId,
        application.clientSecret,
        undefined,
        insecure,
      );
      await rejectsWith(client.clientCredentialsGrant(config), 'invalid_grant');
      const keys = await client.randomDPoPKeyPair();
      const bound = await client.clientCredentialsGrant(
        config,
        {},
        { DPoP: client.getDPoPHandle(config, keys) },
      );
      assert.equal(bound.token_type, 'dpop');
    });
  });
}
