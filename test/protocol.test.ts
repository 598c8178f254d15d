// Protocol details: form-posted authorization and logout requests in both URL worlds, regular
// expression redirect URIs matched in linear time (RE2), and patterns RE2 cannot compile refused
// wherever redirect URIs are registered.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { readUsersFile, syncUsersFile } from '../src/auth/users-file.ts';
import { loadConfig } from '../src/config/load.ts';
import { openStore } from '../src/services/install.ts';
import type { ConfigError } from '../src/config/report.ts';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { hashSecret } from '../src/crypto/digest.ts';
import { cleanEnv, runSesame, SESAME_BIN } from './support/cli.ts';
import { authorize, insecure, logIn, PASSWORD } from './support/flows.ts';
import { freePort, skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const CATASTROPHIC = 'https://(a+)+\\.example\\.com/cb';

/** Submits a form from a blank page, as an app's own page would post it. */
async function postForm(page: Page, action: string, fields: Record<string, string>): Promise<void> {
  await page.goto('about:blank');
  await page.evaluate(
    ({ action, fields }) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = action;
      for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    },
    { action, fields },
  );
}

async function backAtApp(rp: RelyingParty, before: number, page: Page): Promise<URL> {
  for (const deadline = Date.now() + 10_000; rp.hits.length <= before;) {
    if (Date.now() > deadline)
      throw new Error(`the browser did not come back; it is at ${page.url()}:\n${await page.content()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const hit = rp.hits[before]!;
  // Let the app's page finish loading, so that the next navigation is not cut short by this one.
  await page.waitForURL((url) => url.origin === hit.url.origin, { timeout: 5_000 }).catch(() => undefined);
  await page.waitForLoadState('load');
  const url = new URL(hit.url.href);
  if (hit.method === 'POST') for (const [key, value] of hit.body) url.searchParams.set(key, value);
  return url;
}

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`form-posted front-channel requests on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let rp: RelyingParty;
    let browser: Browser;
    let page: Page;
    let app: { slug: string; clientId: string; clientSecret?: string; issuer: string };

    before(async () => {
      rp = await startRelyingParty();
      sesame = await startTestSesame(
        engine,
        `    clients:
      - client_id: poster
        client_secret: poster-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/poster/callback']
        post_logout_redirect_uris: ['${rp.origin}/logged-out']
        scopes: [openid, profile, email]
`,
      );
      await sesame.addUser({ username: 'alice', password: PASSWORD, email: 'alice@example.com' });
      app = await sesame.addApplication({
        name: 'Posted',
        consentMode: 'implicit',
        authorizationPolicy: 'one_factor',
        redirectUris: [{ url: `${rp.origin}/posted/callback`, matching_mode: 'strict' }],
        postLogoutRedirectUris: [{ url: `${rp.origin}/logged-out`, matching_mode: 'strict' }],
      });
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
    });

    after(async () => {
      await browser?.close();
      await sesame?.stop();
      await rp?.close();
    });

    /** A code flow started by a form POST to the authorization endpoint, then logout by POST. */
    async function postedFlow(config: client.Configuration, redirectUri: string, login: boolean) {
      const metadata = config.serverMetadata();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const hits = rp.hits.length;
      await postForm(page, metadata.authorization_endpoint!, {
        client_id: config.clientMetadata().client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      if (login) {
        await page.getByLabel('Username or email').waitFor();
        await logIn(page, 'alice');
      }
      const callback = await backAtApp(rp, hits, page);
      assert.equal(callback.pathname, new URL(redirectUri).pathname);
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      assert.equal(tokens.claims()!.iss, metadata.issuer);
      assert.equal(tokens.claims()!.email, 'alice@example.com');
      return tokens;
    }

    test('a POSTed authorization request runs a full code flow, and a POSTed logout ends the session (global issuer)', async () => {
      const config = await client.discovery(
        new URL(sesame.url),
        'poster',
        'poster-secret-0123456789',
        undefined,
        insecure,
      );
      const tokens = await postedFlow(config, `${rp.origin}/poster/callback`, true);

      const hits = rp.hits.length;
      await postForm(page, config.serverMetadata().end_session_endpoint!, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${rp.origin}/logged-out`,
      });
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      assert.equal((await backAtApp(rp, hits, page)).pathname, '/logged-out');
      // Signed out: the next authorization asks for the password again.
      await postedFlow(config, `${rp.origin}/poster/callback`, true);
    });

    test('the same in the per-application world: /application/o/authorize/ and /application/o/<slug>/end-session/', async () => {
      const config = await client.discovery(
        new URL(`${app.issuer}.well-known/openid-configuration`),
        app.clientId,
        app.clientSecret,
        undefined,
        insecure,
      );
      assert.equal(config.serverMetadata().authorization_endpoint, `${sesame.url}/application/o/authorize`);
      // Already signed in from the previous test: single sign-on survives the POST.
      const tokens = await postedFlow(config, `${rp.origin}/posted/callback`, false);
      const hits = rp.hits.length;
      await postForm(page, `${sesame.url}/application/o/${app.slug}/end-session/`, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${rp.origin}/logged-out`,
      });
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      assert.equal((await backAtApp(rp, hits, page)).pathname, '/logged-out');
      // The Authentik-style paths with their trailing slash take a POST too.
      const posted = await fetch(`${sesame.url}/application/o/authorize/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: app.clientId, response_type: 'code' }).toString(),
        redirect: 'manual',
      });
      assert.equal(posted.status, 303);
    });

    test('a POST that is not a form gets invalid_request, not 404', async () => {
      const answer = await fetch(`${sesame.url}/api/oidc/authorization`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'poster' }),
      });
      assert.equal(answer.status, 400);
      assert.equal(((await answer.json()) as { error: string }).error, 'invalid_request');
    });
  });
}

describe('regular expression redirect URIs', () => {
  let sesame: TestSesame;
  let token: string;

  before(async () => {
    sesame = await startTestSesame('sqlite');
    token = (
      await new ApiTokenService(sesame.running.store).create({ name: 't', scopes: ['*:write'] }, 'test')
    ).token;
  });
  after(async () => {
    await sesame?.stop();
  });

  async function api(method: string, path: string, body: unknown) {
    const response = await fetch(`${sesame.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('the admin API accepts a nested quantifier (RE2 runs it in linear time) and refuses what RE2 cannot compile', async () => {
    const accepted = await api('POST', '/applications', {
      name: 'Nested',
      redirect_uris: [{ url: CATASTROPHIC, matching_mode: 'regex' }],
    });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    for (const pattern of ['https://(a)\\1\\.example\\.com/cb', 'https://(?=x)x\\.example\\.com/cb']) {
      const refused = await api('POST', '/applications', {
        name: 'Refused',
        redirect_uris: [{ url: pattern, matching_mode: 'regex' }],
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(String(refused.body.error_description), /not a valid RE2 regular expression/);
      const fields = refused.body.fields as { field: string }[];
      assert.ok(
        fields.some((entry) => entry.field.startsWith('redirect_uris')),
        JSON.stringify(fields),
      );
      const patched = await api(
        'PATCH',
        `/providers/${(accepted.body.application as { provider: { client_id: string } }).provider.client_id}`,
        {
          redirect_uris: [{ url: pattern, matching_mode: 'regex' }],
        },
      );
      assert.equal(patched.status, 400, JSON.stringify(patched.body));
      assert.match(String(patched.body.error_description), /not a valid RE2 regular expression/);
    }
    // A redirect URI longer than any accepted redirect_uri could never match: refused at once.
    const long = await api('POST', '/applications', {
      name: 'Long',
      redirect_uris: [{ url: `https://app.example.com/${'a'.repeat(2100)}`, matching_mode: 'strict' }],
    });
    assert.equal(long.status, 400, JSON.stringify(long.body));
    assert.match(String(long.body.error_description), /at most 2048 characters/);
    // An algorithm no key of this server can sign with is refused, not left to fail every request.
    const clientId = (accepted.body.application as { provider: { client_id: string } }).provider.client_id;
    const es512 = await api('PATCH', `/providers/${clientId}`, { id_token_signed_response_alg: 'ES512' });
    assert.equal(es512.status, 400, JSON.stringify(es512.body));
    assert.match(String(es512.body.error_description), /ES512 needs a signing key/);
    const rs512 = await api('PATCH', `/providers/${clientId}`, { id_token_signed_response_alg: 'RS512' });
    assert.equal(rs512.status, 200, JSON.stringify(rs512.body));
  });

  test('the CLI and the configuration file refuse a backreference or a lookahead, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-re2-'));
    const base = `server:
  external_url: https://sso.example.com
storage:
  encryption_key: re2-test-encryption-key-0123456789
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: re2-test-hmac-secret-0123456789-0123456789
`;
    const file = join(dir, 'sesame.yml');
    writeFileSync(file, base);
    const cli = await runSesame([
      'apps',
      'add',
      'Back',
      '-c',
      file,
      '--redirect-uri-regex',
      'https://(a)\\1/cb',
    ]);
    assert.equal(cli.code, 1, cli.stdout);
    assert.match(cli.stderr, /not a valid RE2 regular expression/);

    const withClient = join(dir, 'client.yml');
    writeFileSync(
      withClient,
      `${base}    clients:
      - client_id: looking
        client_secret: looking-secret-0123456789
        redirect_uris:
          - url: 'https://(?=x)x\\.example\\.com/cb'
            matching_mode: regex
`,
    );
    assert.throws(
      () => loadConfig(withClient, {}),
      (error: ConfigError) => {
        const text = error.message;
        assert.match(
          text,
          /client\.yml:14 identity_providers\.oidc\.clients\[0\]\.redirect_uris\[0\]: '.*' is not a valid RE2 regular expression/,
        );
        return true;
      },
    );
  });
});

describe('a crafted redirect_uri against a catastrophic pattern', () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
  });

  test('is answered with an error, and the server keeps answering other requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-redos-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'sesame.yml'),
      `server:
  address: tcp://127.0.0.1:${port}/
log:
  level: warn
storage:
  encryption_key: redos-test-encryption-key-0123456789
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: redos-test-hmac-secret-0123456789-0123456789
    clients:
      - client_id: nested
        client_secret: nested-secret-0123456789
        redirect_uris:
          - url: '${CATASTROPHIC}'
            matching_mode: regex
`,
    );
    // Its own process: a stalled event loop there cannot stall this test's timers.
    child = spawn(process.execPath, [SESAME_BIN, 'start', '-c', join(dir, 'sesame.yml')], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}`;
    for (let ready = false; !ready;) {
      ready = await fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      );
    }
    const authorize = (redirectUri: string) =>
      fetch(
        `${url}/api/oidc/authorization?${new URLSearchParams({
          client_id: 'nested',
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
        })}`,
        { signal: AbortSignal.timeout(30_000), redirect: 'manual' },
      );
    // Backtracking engines take exponential time on these; RE2 does not (and the longer one is
    // refused without being matched at all).
    const [crafted, overLong, health] = await Promise.all([
      authorize(`https://${'a'.repeat(2000)}!`),
      authorize(`https://${'a'.repeat(5000)}!`),
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) }),
    ]);
    assert.equal(health.status, 200);
    for (const answer of [crafted, overLong]) {
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), /invalid_redirect_uri/);
    }
    const matching = await authorize('https://aaaa.example.com/cb');
    assert.equal(matching.status, 303, await matching.text());
  });
});

describe('client keys taken from Authelia do what they say', () => {
  let sesame: TestSesame;
  before(async () => {
    sesame = await startTestSesame(
      'sqlite',
      `    clients:
      - client_id: modes
        client_secret: modes-secret-0123456789
        redirect_uris: ['https://modes.example.com/cb']
        response_modes: [form_post]
      - client_id: pkce
        client_secret: pkce-secret-0123456789
        redirect_uris: ['https://pkce.example.com/cb']
        pkce_challenge_method: S256
      - client_id: pushed
        client_secret: pushed-secret-0123456789
        redirect_uris: ['https://pushed.example.com/cb']
        require_pushed_authorization_requests: true
      - client_id: rs512
        client_secret: rs512-secret-0123456789
        redirect_uris: ['https://rs512.example.com/cb']
        id_token_signed_response_alg: RS512
        userinfo_signed_response_alg: PS384
      - client_id: pkjwt
        token_endpoint_auth_method: private_key_jwt
        token_endpoint_auth_signing_alg: PS512
        jwks_uri: https://pkjwt.example.com/jwks
        redirect_uris: ['https://pkjwt.example.com/cb']
`,
    );
  });
  after(async () => {
    await sesame?.stop();
  });

  /** Where the authorization endpoint sends the browser: the login page, or the app with an error. */
  async function authorize(clientId: string, extra: Record<string, string> = {}) {
    const response = await fetch(
      `${sesame.url}/api/oidc/authorization?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: `https://${clientId}.example.com/cb`,
        response_type: 'code',
        scope: 'openid',
        state: 'state-0123456789',
        ...extra,
      })}`,
      { redirect: 'manual' },
    );
    assert.equal(response.status, 303, await response.text());
    return new URL(response.headers.get('location')!, sesame.url);
  }

  test('response_modes: a mode the client does not list is refused, one it lists is served', async () => {
    const refused = await authorize('modes');
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.match(refused.searchParams.get('error_description') ?? '', /response_mode query is not allowed/);
    const served = await authorize('modes', { response_mode: 'form_post' });
    assert.match(served.pathname, /^\/interaction\//);
  });

  test('pkce_challenge_method S256 makes PKCE mandatory for the client', async () => {
    const refused = await authorize('pkce');
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.match(refused.searchParams.get('error_description') ?? '', /PKCE/);
    const served = await authorize('pkce', {
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    assert.match(served.pathname, /^\/interaction\//);
  });

  test('every signing algorithm the configuration accepts is one the provider serves (no invalid_client_metadata)', async () => {
    for (const clientId of ['rs512', 'pkjwt']) {
      const served = await authorize(clientId);
      assert.match(served.pathname, /^\/interaction\//, `${clientId}: ${served.href}`);
    }
  });

  test('require_pushed_authorization_requests refuses a request that was not pushed first', async () => {
    const refused = await authorize('pushed');
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.match(refused.searchParams.get('error_description') ?? '', /[Pp]ushed/);
  });
});

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`profile, address and phone claims on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let rp: RelyingParty;
    let browser: Browser;
    let flow: { config: client.Configuration; redirectUri: string };

    before(async () => {
      rp = await startRelyingParty();
      sesame = await startTestSesame(
        engine,
        `    clients:
      - client_id: contacts
        client_secret: contacts-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/contacts/callback']
        scopes: [openid, profile, email, address, phone]
`,
      );
      // The users file as Authelia 4.39 writes it, loaded the way Sesame loads it at start.
      const dir = mkdtempSync(join(tmpdir(), 'sesame-claims-'));
      const usersFile = join(dir, 'users.yml');
      writeFileSync(
        usersFile,
        `users:
  carol:
    password: '${await hashSecret(PASSWORD, 'pbkdf2', { iterations: 1000 })}'
    displayname: Carol Danvers
    given_name: Carol
    middle_name: Susan
    family_name: Danvers
    nickname: cap
    gender: female
    birthdate: '1968-03-01'
    website: https://carol.example.com
    profile: https://carol.example.com/about
    zoneinfo: America/New_York
    locale: en-US
    phone_number: '+1 (425) 555-1212'
    phone_extension: '42'
    address:
      street_address: 1 Main Street
      locality: Boston
      region: MA
      postal_code: '02110'
      country: USA
`,
      );
      await syncUsersFile(sesame.running.store, readUsersFile(usersFile), usersFile);
      flow = {
        config: await client.discovery(
          new URL(sesame.url),
          'contacts',
          'contacts-secret-0123456789',
          undefined,
          insecure,
        ),
        redirectUri: `${rp.origin}/contacts/callback`,
      };
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await sesame?.stop();
      await rp?.close();
    });

    async function userinfo(page: Page, scope: string, username?: string) {
      const { callback, verifier, state, nonce } = await authorize(page, rp, flow, { scope }, async (at) => {
        if (username) await logIn(at, username);
        // Implicit consent never asks, also when scopes beyond an earlier grant are requested.
        await at.waitForURL(
          (url) => !url.pathname.startsWith('/interaction/') || !url.pathname.endsWith('/login'),
        );
        assert.ok(!new URL(at.url()).pathname.startsWith('/interaction/'), `consent was asked: ${at.url()}`);
      });
      const tokens = await client.authorizationCodeGrant(flow.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      return client.fetchUserInfo(flow.config, tokens.access_token, tokens.claims()!.sub);
    }

    test('openid profile answers every standard profile claim the users file holds', async () => {
      const page = await (await browser.newContext()).newPage();
      const profile = await userinfo(page, 'openid profile', 'carol');
      assert.equal(profile.name, 'Carol Danvers');
      assert.equal(profile.given_name, 'Carol');
      assert.equal(profile.family_name, 'Danvers');
      assert.equal(profile.middle_name, 'Susan');
      assert.equal(profile.nickname, 'cap');
      assert.equal(profile.preferred_username, 'carol');
      assert.equal(profile.gender, 'female');
      assert.equal(profile.birthdate, '1968-03-01');
      assert.equal(profile.website, 'https://carol.example.com');
      assert.equal(profile.profile, 'https://carol.example.com/about');
      assert.equal(profile.zoneinfo, 'America/New_York');
      assert.equal(profile.locale, 'en-US');
      assert.equal(profile.address, undefined, 'address needs the address scope');
      assert.equal(profile.phone_number, undefined, 'phone_number needs the phone scope');

      // address and phone are served end to end (single sign-on: no second login).
      const contact = await userinfo(page, 'openid address phone');
      assert.deepEqual(contact.address, {
        street_address: '1 Main Street',
        locality: 'Boston',
        region: 'MA',
        postal_code: '02110',
        country: 'USA',
      });
      assert.equal(contact.phone_number, '+1 (425) 555-1212;ext=42');
      assert.equal(contact.phone_number_verified, false);
      assert.equal(contact.given_name, undefined, 'profile claims need the profile scope');
    });

    test('the admin API sets the same claims for a database user', async () => {
      const token = (
        await new ApiTokenService(sesame.running.store).create({ name: 'c', scopes: ['*:write'] }, 'test')
      ).token;
      const call = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${sesame.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const created = await call('POST', '/users', {
        username: 'dave',
        password: PASSWORD,
        given_name: 'Dave',
        family_name: 'Lister',
        claims: { locale: 'en-GB', phone_number: '+44 20 7946 0000' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const patched = await call('PATCH', '/users/dave', {
        claims: { address: { locality: 'London', country: 'UK' }, locale: '' },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual((patched.body as { claims: unknown }).claims, {
        phone_number: '+44 20 7946 0000',
        address: { locality: 'London', country: 'UK' },
      });
      const page = await (await browser.newContext()).newPage();
      const info = await userinfo(page, 'openid profile address phone', 'dave');
      assert.equal(info.given_name, 'Dave');
      assert.equal(info.family_name, 'Lister');
      assert.equal(info.locale, undefined, 'an empty string removed it');
      assert.equal(info.phone_number, '+44 20 7946 0000');
      assert.deepEqual(info.address, { locality: 'London', country: 'UK' });
    });
  });
}

test('sesame users add --claim sets further standard claims, and refuses one that is not standard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-claims-cli-'));
  const file = join(dir, 'sesame.yml');
  writeFileSync(
    file,
    `storage:
  encryption_key: claims-cli-encryption-key-0123456789
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: claims-cli-hmac-secret-0123456789-0123456789
`,
  );
  const added = await runSesame([
    'users',
    'add',
    'erin',
    '-c',
    file,
    '--random',
    '--claim',
    'phone_number=+1 555 0100',
    '--claim',
    'address.locality=Boston',
    '--claim',
    'address.country=USA',
  ]);
  assert.equal(added.code, 0, added.stderr);
  const store = openStore(loadConfig(file, {}));
  try {
    const erin = (await store.users.findByUsername('erin'))!;
    assert.deepEqual(erin.claims, {
      phone_number: '+1 555 0100',
      address: { locality: 'Boston', country: 'USA' },
    });
  } finally {
    await store.close();
  }
  const refused = await runSesame([
    'users',
    'add',
    'frank',
    '-c',
    file,
    '--random',
    '--claim',
    'shoe_size=42',
  ]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /claim shoe_size/);
});
