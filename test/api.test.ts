// The admin API over HTTP: token authentication and scopes, applications with their guide, validation
// errors that name the field, and the OpenAPI document generated from the same schemas.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiTokenService } from '../src/api/tokens.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let writer: string;
let reader: string;

before(async () => {
  sesame = await startTestSesame('sqlite');
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
