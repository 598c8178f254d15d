// The admin API over HTTP: token authentication and scopes, applications with their guide, validation
// errors that name the field, and the OpenAPI document generated from the same schemas.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiTokenService } from '../src/services/tokens.ts';
import { verifySecret } from '../src/crypto/digest.ts';
import { launchBrowser } from './support/browser.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let writer: string;
let reader: string;

before(async () => {
  sesame = await startTestSesame(
    'sqlite',
    `    clients:
      - client_id: from-file
        client_secret: from-file-secret-0123456789
        authorization_policy: one_factor
        redirect_uris: ['https://file.example.com/callback']
`,
  );
  const tokens = new ApiTokenService(sesame.running.store);
  writer = (await tokens.create({ name: 'automation', scopes: ['*:write'] }, 'test')).token;
  reader = (await tokens.create({ name: 'dashboard', scopes: ['applications:read'] }, 'test')).token;
});

after(async () => {
  await sesame?.stop();
});

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function api(method: string, path: string, token?: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${sesame.url}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

interface GuideBody {
  client_id: string;
  client_secret?: string;
  issuer: string;
  settings: { name: string; value: string }[];
  env: string;
}

describe('authentication', () => {
  test('no token, a malformed token or an unknown token gets 401 with a Bearer challenge', async () => {
    for (const token of [undefined, 'not-a-sesame-token', `sesame_${'A'.repeat(43)}`]) {
      const answer = await api('GET', '/applications', token);
      assert.equal(answer.status, 401, String(token));
      assert.equal(answer.body.error, 'invalid_token');
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="sesame"/);
    }
  });

  test('a read scope reads but cannot write', async () => {
    assert.equal((await api('GET', '/applications', reader)).status, 200);
    const write = await api('POST', '/applications', reader, {
      name: 'Nope',
      redirect_uris: ['https://n.example/cb'],
    });
    assert.equal(write.status, 403);
    assert.equal(write.body.error, 'insufficient_scope');
    assert.match(String(write.body.error_description), /applications:write/);
  });

  test('revoked and expired tokens stop working at once', async () => {
    const tokens = new ApiTokenService(sesame.running.store);
    const { token, record } = await tokens.create({ name: 'short-lived', scopes: ['*:read'] }, 'test');
    assert.equal((await api('GET', '/applications', token)).status, 200);
    await tokens.revoke(record.id, 'test');
    assert.equal((await api('GET', '/applications', token)).status, 401);

    let now = new Date();
    const clocked = new ApiTokenService(sesame.running.store, () => now);
    const expiring = await clocked.create(
      { name: 'expiring', scopes: ['*:read'], expiresAt: new Date(now.getTime() + 60_000) },
      'test',
    );
    assert.ok(await clocked.authenticate(expiring.token));
    now = new Date(now.getTime() + 61_000);
    assert.equal(await clocked.authenticate(expiring.token), undefined);
  });

  test('only a hash of the token is stored', async () => {
    const rows = await sesame.running.store.apiTokens.list();
    assert.ok(rows.length >= 2);
    for (const row of rows) assert.ok(!JSON.stringify(row).includes(writer.slice(7)));
  });
});

describe('applications', () => {
  test('create from a preset: the secret is in the answer once, the guide later shows real values without it', async () => {
    const created = await api('POST', '/applications', writer, {
      preset: 'lobechat',
      app_url: 'https://chat.example.com/',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const guide = created.body.guide as GuideBody;
    const application = created.body.application as {
      slug: string;
      preset: string;
      provider: { client_id: string };
    };
    assert.equal(application.slug, 'lobechat');
    assert.equal(application.preset, 'lobechat');
    assert.ok(guide.client_secret && guide.client_secret.length >= 64);
    const settings = Object.fromEntries(guide.settings.map(({ name, value }) => [name, value]));
    assert.equal(settings.AUTH_AUTHENTIK_ID, application.provider.client_id);
    assert.equal(settings.AUTH_AUTHENTIK_SECRET, guide.client_secret);
    assert.equal(settings.AUTH_AUTHENTIK_ISSUER, `${sesame.url}/application/o/lobechat/`);
    assert.equal(settings.NEXTAUTH_URL, 'https://chat.example.com/api/auth');

    // Stored as a digest only.
    const client = await sesame.running.store.clients.findByClientId(application.provider.client_id);
    assert.match(client!.secretDigest!, /^\$argon2id\$/);
    assert.ok(!client!.secretDigest!.includes(guide.client_secret));

    const later = await api('GET', '/applications/lobechat/guide', reader);
    assert.equal(later.status, 200);
    assert.equal(later.headers.get('cache-control'), 'no-store');
    const again = later.body as unknown as GuideBody;
    assert.equal(again.client_secret, undefined);
    const laterSettings = Object.fromEntries(again.settings.map(({ name, value }) => [name, value]));
    assert.equal(laterSettings.AUTH_AUTHENTIK_ID, application.provider.client_id);
    assert.equal(laterSettings.AUTH_AUTHENTIK_ISSUER, `${sesame.url}/application/o/lobechat/`);
    assert.ok(!again.env.includes(guide.client_secret));
    assert.match(again.env, /^NEXT_AUTH_SSO_PROVIDERS=authentik$/m);
    assert.equal(Buffer.from(laterSettings.NEXT_AUTH_SECRET!, 'base64').length, 32);

    // The new issuer is live without a restart.
    const discovery = await fetch(`${sesame.url}/application/o/lobechat/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.equal(
      ((await discovery.json()) as { issuer: string }).issuer,
      `${sesame.url}/application/o/lobechat/`,
    );
  });

  test('an application without a preset gets the generic guide: client id, issuer, discovery URL', async () => {
    const created = await api('POST', '/applications', writer, {
      name: 'Wiki',
      redirect_uris: [
        'https://wiki.example.com/callback',
        { url: '^https://wiki\\.example\\.com/.*$', matching_mode: 'regex' },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const guide = (await api('GET', '/applications/wiki/guide', reader)).body as unknown as GuideBody & {
      discovery_url: string;
      redirect_uris: unknown;
    };
    assert.equal(guide.issuer, `${sesame.url}/application/o/wiki/`);
    assert.equal(guide.discovery_url, `${sesame.url}/application/o/wiki/.well-known/openid-configuration`);
    assert.deepEqual(guide.settings, []);
    assert.deepEqual(guide.redirect_uris, [
      { url: 'https://wiki.example.com/callback', matching_mode: 'strict' },
      { url: '^https://wiki\\.example\\.com/.*$', matching_mode: 'regex' },
    ]);
  });

  test('validation errors name the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { preset: 'myspace', app_url: 'https://x.example' },
        'preset',
        /unknown preset 'myspace' \(allowed: lobechat/,
      ],
      [{ preset: 'romm' }, 'app_url', /needs app_url/],
      [{ redirect_uris: ['https://x.example/cb'] }, 'name', /name/],
      [{ name: 'X', redirect_uris: ['https://x.example/cb'], colour: 'red' }, 'colour', /Unrecognized key/i],
      [
        { name: 'X', redirect_uris: [{ url: 'https://x.example/cb', matching_mode: 'fuzzy' }] },
        'redirect_uris.0',
        /strict|regex/,
      ],
      [{ name: 'Bad Slug', slug: 'Bad Slug', redirect_uris: ['https://x.example/cb'] }, 'slug', /lowercase/],
      [{ name: 'Relative', redirect_uris: ['/callback'] }, 'redirect_uris', /absolute/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await api('POST', '/applications', writer, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error, 'invalid_request');
      const fields = answer.body.fields as { field: string; message: string }[];
      const named = fields.find((entry) => entry.field === field || entry.field.startsWith(`${field}.`));
      assert.ok(named, `${JSON.stringify(body)} → ${JSON.stringify(fields)}`);
      assert.match(String(answer.body.error_description), message);
    }
    const badQuery = await api('GET', '/applications?limit=0', reader);
    assert.equal(badQuery.status, 400);
    assert.equal((badQuery.body.fields as { field: string }[])[0]!.field, 'limit');
  });

  test('list pages, get shows one, delete removes it and its issuer', async () => {
    const first = await api('GET', '/applications?limit=1', reader);
    assert.equal((first.body.items as unknown[]).length, 1);
    assert.equal(first.body.next_offset, 1);
    const all = await api('GET', '/applications', reader);
    const slugs = (all.body.items as { slug: string }[]).map((item) => item.slug);
    assert.ok(slugs.includes('lobechat') && slugs.includes('wiki'));
    assert.equal(all.body.next_offset, undefined);

    const wiki = await api('GET', '/applications/wiki', reader);
    assert.equal((wiki.body.urls as { issuer: string }).issuer, `${sesame.url}/application/o/wiki/`);
    assert.equal((await api('DELETE', '/applications/wiki', writer)).status, 204);
    const gone = await api('GET', '/applications/wiki', reader);
    assert.equal(gone.status, 404);
    assert.match(String(gone.body.error_description), /no application with slug 'wiki'/);
    const issuer = await fetch(`${sesame.url}/application/o/wiki/.well-known/openid-configuration`);
    assert.equal(issuer.status, 404);

    const events = await sesame.running.store.events.list({ type: 'application.deleted' });
    assert.equal(events[0]!.actor, 'token:automation');
  });
});

test('the OpenAPI 3.1 document is served and describes every operation with its schemas', async () => {
  const response = await fetch(`${sesame.url}/api/v1/openapi.json`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        }
      >
    >;
  };
  assert.equal(document.openapi, '3.1.0');
  assert.equal(document.paths['/applications']!.post!.operationId, 'createApplication');
  assert.ok(document.paths['/applications/{slug}/guide']!.get);
  const body = document.paths['/applications']!.post!.requestBody!.content['application/json']!.schema;
  assert.ok('preset' in body.properties && 'redirect_uris' in body.properties);
  const unknown = await api('GET', '/nothing-here', writer);
  assert.equal(unknown.status, 404);
});

describe('users and groups', () => {
  test('create (a generated password is returned once), read, change, password, factors, delete', async () => {
    const created = await api('POST', '/users', writer, {
      username: 'dora',
      email: 'dora@example.com',
      display_name: 'Dora',
      groups: ['staff'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const password = created.body.password as string;
    assert.ok(password.length >= 16);
    const dora = (await sesame.running.store.users.findByUsername('dora'))!;
    assert.ok(await verifySecret(password, (await sesame.running.store.passwords.get(dora.id))!.digest));

    const duplicate = await api('POST', '/users', writer, { username: 'DORA' });
    assert.equal(duplicate.status, 409);
    const badEmail = await api('POST', '/users', writer, { username: 'eve', email: 'not-an-email' });
    assert.equal(badEmail.status, 400);
    assert.equal((badEmail.body.fields as { field: string }[])[0]!.field, 'email');
    const badName = await api('POST', '/users', writer, { username: 'has space' });
    assert.equal((badName.body.fields as { field: string }[])[0]!.field, 'username');

    const read = await api('GET', '/users/dora', writer);
    assert.deepEqual(read.body.groups, ['staff']);
    assert.deepEqual(read.body.factors, { totp: false, passkeys: 0, recovery_codes: 0 });
    const patched = await api('PATCH', '/users/dora', writer, { groups: ['staff', 'wiki'], disabled: true });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.groups, ['staff', 'wiki']);
    assert.equal(patched.body.disabled, true);
    const search = await api('GET', '/users?search=DOR', writer);
    assert.deepEqual(
      (search.body.items as { username: string }[]).map((user) => user.username),
      ['dora'],
    );

    const set = await api('POST', '/users/dora/password', writer, { password: 'a new long password' });
    assert.equal(set.status, 200);
    assert.equal(set.body.password, undefined);
    const short = await api('POST', '/users/dora/password', writer, { password: 'short' });
    assert.equal(short.status, 400);
    assert.equal((short.body.fields as { field: string }[])[0]!.field, 'password');
    assert.equal((await api('POST', '/users/dora/reset-factors', writer)).status, 204);
    assert.equal((await api('GET', '/users/dora/sessions', writer)).status, 200);
    assert.deepEqual((await api('GET', '/users/dora/consents', writer)).body.items, []);
    assert.equal((await api('DELETE', '/users/dora/consents/some-client', writer)).status, 404);
    assert.equal((await api('DELETE', '/users/dora', writer)).status, 204);
    assert.equal((await api('GET', '/users/dora', writer)).status, 404);
    const types = (await sesame.running.store.events.list({ subject: 'dora' })).map((event) => event.type);
    assert.ok(
      ['user.created', 'user.updated', 'user.password_set', 'user.deleted'].every((type) =>
        types.includes(type),
      ),
    );
  });

  test('groups: create, list with members, refuse duplicates, delete', async () => {
    assert.equal((await api('POST', '/groups', writer, { name: 'editors' })).status, 201);
    assert.equal((await api('POST', '/groups', writer, { name: 'editors' })).status, 409);
    const bad = await api('POST', '/groups', writer, { name: 'no spaces allowed' });
    assert.equal((bad.body.fields as { field: string }[])[0]!.field, 'name');
    const list = await api('GET', '/groups', writer);
    const names = (list.body.items as { name: string; is_admin: boolean }[]).map((group) => group.name);
    assert.ok(names.includes('editors') && names.includes('admins'));
    assert.equal((await api('DELETE', '/groups/editors', writer)).status, 204);
    assert.equal((await api('DELETE', '/groups/editors', writer)).status, 404);
    const lastAdmins = await api('DELETE', '/groups/admins', writer);
    assert.equal(lastAdmins.status, 409);
  });
});

describe('providers, keys, events and tokens', () => {
  test('providers: file clients are listed read-only; database clients change and renew their secret', async () => {
    const app = await sesame.addApplication({
      name: 'Notes',
      redirectUris: [{ url: 'https://notes.example.com/cb', matching_mode: 'strict' }],
    });
    const list = await api('GET', '/providers', writer);
    const byId = new Map(
      (list.body.items as { client_id: string; read_only: boolean }[]).map((item) => [item.client_id, item]),
    );
    assert.equal(byId.get('from-file')?.read_only, true);
    assert.equal(byId.get(app.clientId)?.read_only, false);
    const readOnly = await api('PATCH', '/providers/from-file', writer, { scopes: ['openid'] });
    assert.equal(readOnly.status, 409);
    assert.equal(readOnly.body.error, 'read_only');

    const changed = await api('PATCH', `/providers/${app.clientId}`, writer, {
      redirect_uris: ['https://notes.example.com/new-callback'],
      authorization_policy: 'two_factor',
      allowed_groups: ['staff'],
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.redirect_uris, [
      { url: 'https://notes.example.com/new-callback', matching_mode: 'strict' },
    ]);
    assert.equal(changed.body.issuer, `${sesame.url}/application/o/notes/`);
    const badPolicy = await api('PATCH', `/providers/${app.clientId}`, writer, {
      authorization_policy: 'three_factor',
    });
    assert.equal((badPolicy.body.fields as { field: string }[])[0]!.field, 'authorization_policy');
    const badUri = await api('PATCH', `/providers/${app.clientId}`, writer, {
      redirect_uris: ['relative/path'],
    });
    assert.equal((badUri.body.fields as { field: string }[])[0]!.field, 'redirect_uris');

    const renewed = await api('POST', `/providers/${app.clientId}/secret`, writer);
    const secret = renewed.body.client_secret as string;
    const digest = (await sesame.running.store.clients.findByClientId(app.clientId))!.secretDigest!;
    assert.ok(await verifySecret(secret, digest));
    assert.equal(await verifySecret(app.clientSecret!, digest), false, 'the old secret no longer works');
  });

  test('keys rotate and the new key is published at once, through the JWKS cache', async () => {
    // The key set is cached with an ETag; a revalidation gets 304.
    const first = await fetch(`${sesame.url}/jwks.json`);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    const cached = await fetch(`${sesame.url}/jwks.json`);
    assert.equal(cached.headers.get('etag'), etag);
    assert.deepEqual(await cached.json(), await first.json());
    assert.equal(
      (await fetch(`${sesame.url}/jwks.json`, { headers: { 'if-none-match': etag } })).status,
      304,
    );
    const before = await api('GET', '/keys', writer);
    const eventsBefore = await sesame.running.store.events.list({ type: 'keys.rotated' });
    const rotated = await api('POST', '/keys/rotate', writer);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const added = rotated.body.added as string[];
    assert.ok(added.length > 0);
    // One rotation, one event, credited to the token that asked for it.
    const rotations = (await sesame.running.store.events.list({ type: 'keys.rotated' })).filter(
      (event) => !eventsBefore.some((old) => old.id === event.id),
    );
    assert.deepEqual(
      rotations.map((event) => event.actor),
      ['token:automation'],
    );
    assert.deepEqual((rotations[0]!.details as { added: string[] }).added, added);
    const after = await api('GET', '/keys', writer);
    assert.equal(
      (after.body.items as unknown[]).length,
      (before.body.items as unknown[]).length + added.length,
    );
    const fresh = await fetch(`${sesame.url}/jwks.json`);
    assert.notEqual(fresh.headers.get('etag'), etag);
    const jwks = (await fresh.json()) as { keys: { kid: string }[] };
    assert.ok(added.every((kid) => jwks.keys.some((key) => key.kid === kid)));
    assert.ok(
      (after.body.items as { public_jwk: Record<string, unknown> }[]).every(
        (key) => !('d' in key.public_jwk),
      ),
    );
  });

  test('events filter by type and page with next_before', async () => {
    const first = await api('GET', '/events?limit=2', writer);
    assert.equal((first.body.items as unknown[]).length, 2);
    const next = first.body.next_before as number;
    const second = await api('GET', `/events?limit=2&before=${next}`, writer);
    assert.ok((second.body.items as { id: number }[]).every((event) => event.id < next));
    const typed = await api('GET', '/events?type=keys.rotated', writer);
    assert.ok(
      (typed.body.items as { type: string; actor: string }[]).every((event) => event.type === 'keys.rotated'),
    );
    assert.equal((typed.body.items as { actor: string }[])[0]!.actor, 'token:automation');
  });

  test('tokens: create through the API, list without the secret, revoke', async () => {
    const created = await api('POST', '/tokens', writer, { name: 'ci', scopes: ['events:read'] });
    assert.equal(created.status, 201);
    const token = created.body.token as string;
    assert.equal((await api('GET', '/events', token)).status, 200);
    assert.equal((await api('GET', '/users', token)).status, 403);
    const listed = await api('GET', '/tokens', writer);
    assert.ok(!JSON.stringify(listed.body).includes(token));
    assert.equal((await api('DELETE', `/tokens/${created.body.id as string}`, writer)).status, 204);
    assert.equal((await api('GET', '/events', token)).status, 401);
    const bad = await api('POST', '/tokens', writer, { name: 'x', scopes: ['everything'] });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.fields as { field: string }[])[0]!.field, 'scopes');
  });
});

test('browser sessions: administrators use the API with the CSRF header; anyone else gets 403', async () => {
  await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
  await sesame.addUser({ username: 'joe', password: PASSWORD });
  const browser = await launchBrowser();
  try {
    for (const [username, isAdmin] of [
      ['root', true],
      ['joe', false],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${sesame.url}/portal/security`);
      await logIn(page, username);
      await page.waitForURL(`${sesame.url}/portal/security`);
      const session = (await (await context.request.get(`${sesame.url}/api/v1/session`)).json()) as {
        username: string;
        is_admin: boolean;
        csrf_token: string;
      };
      assert.equal(session.username, username);
      assert.equal(session.is_admin, isAdmin);
      const list = await context.request.get(`${sesame.url}/api/v1/users`);
      if (!isAdmin) {
        assert.equal(list.status(), 403);
        assert.equal(((await list.json()) as { error: string }).error, 'insufficient_scope');
        await context.close();
        continue;
      }
      assert.equal(list.status(), 200);
      const sessions = (await (await context.request.get(`${sesame.url}/api/v1/sessions`)).json()) as {
        items: { id: string; username: string }[];
      };
      const mine = sessions.items.find((entry) => entry.username === 'root')!;
      assert.ok(mine);
      const noCsrf = await context.request.post(`${sesame.url}/api/v1/groups`, { data: { name: 'forged' } });
      assert.equal(noCsrf.status(), 403);
      const withCsrf = await context.request.post(`${sesame.url}/api/v1/groups`, {
        data: { name: 'real' },
        headers: { 'x-csrf-token': session.csrf_token },
      });
      assert.equal(withCsrf.status(), 201);
      const events = await sesame.running.store.events.list({ type: 'group.created' });
      assert.equal(events[0]!.actor, 'user:root');
      // Revoking the session signs the browser out.
      const revoked = await api('DELETE', `/sessions/${mine.id}`, writer);
      assert.equal(revoked.status, 204);
      assert.equal((await context.request.get(`${sesame.url}/api/v1/users`)).status(), 401);
      assert.equal((await api('DELETE', `/sessions/${mine.id}`, writer)).status, 404);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('an administrator signed in through the browser cannot lock themselves out through the API', async () => {
  await sesame.addUser({ username: 'solo', password: PASSWORD, groups: ['admins'] });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${sesame.url}/portal/security`);
    await logIn(page, 'solo');
    await page.waitForURL(`${sesame.url}/portal/security`);
    const { csrf_token } = (await (await context.request.get(`${sesame.url}/api/v1/session`)).json()) as {
      csrf_token: string;
    };
    const patch = (data: Record<string, unknown>) =>
      context.request.patch(`${sesame.url}/api/v1/users/solo`, {
        data,
        headers: { 'x-csrf-token': csrf_token },
      });
    const disable = await patch({ disabled: true });
    assert.equal(disable.status(), 409);
    const demote = await patch({ groups: [] });
    assert.equal(demote.status(), 400);
    assert.equal(((await demote.json()) as { fields: { field: string }[] }).fields[0]!.field, 'groups');
    const user = await sesame.running.store.users.findByUsername('solo');
    assert.equal(user!.disabled, false);
    assert.deepEqual(user!.groups, ['admins']);
    // Another administrator (here an API token) may; disabling ends the user's sessions at once.
    assert.equal((await api('PATCH', '/users/solo', writer, { disabled: true })).status, 200);
    assert.deepEqual(await sesame.running.store.artifacts.listSessions({ accountId: user!.id }), []);
    await context.close();
  } finally {
    await browser.close();
  }
});
