// A bounded, seeded fuzz of every route of a real Sesame (on SQLite): malformed requests of many kinds,
// unauthenticated and as a signed-in administrator, against live login, second-factor and consent
// interactions. Bad input must get a 4xx, never a 5xx, and nothing stored before may be lost.
// Replay a failure with SESAME_FUZZ_SEED=<the seed printed>.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { ApiTokenService } from '../src/services/tokens.ts';
import { createLogger } from '../src/lib/logger.ts';
import { PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const SEED = Number(process.env.SESAME_FUZZ_SEED ?? 20261201);
/** SQLite by default; SESAME_FUZZ_ENGINE=postgres fuzzes the same routes over PostgreSQL. */
const ENGINE = process.env.SESAME_FUZZ_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** Malformed requests sent (sampled evenly from every route); page forms cost one more, for a token. */
const BUDGET = Number(process.env.SESAME_FUZZ_BUDGET ?? 2200);

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    some: <T>(list: readonly T[], count: number): T[] =>
      [...list]
        .map((item) => ({ item, key: next() }))
        .sort((a, b) => a.key - b.key)
        .slice(0, count)
        .map(({ item }) => item),
  };
}
const random = prng(SEED);

// --- the server's error log, by request id -------------------------------------------------------

const errors = new Map<string, string[]>();
const unattributed: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { level: number; request_id?: string; msg?: string; err?: unknown };
      if (entry.level < 50) continue;
      const text = `${entry.msg ?? ''} ${JSON.stringify(entry.err ?? '')}`.slice(0, 600);
      if (entry.request_id) errors.set(entry.request_id, [...(errors.get(entry.request_id) ?? []), text]);
      else unattributed.push(text);
    }
    done();
  },
});

// --- raw HTTP with a small cookie jar --------------------------------------------------------------

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// A connection per request: one request's fate (a 413 closes its connection) never spills into the next.
const agent = new Agent({ keepAlive: false, maxSockets: 8 });
let sesame: TestSesame;
let requestCount = 0;

/** node:http rather than fetch: paths, methods and bytes go out exactly as written. */
function send(sent: Sent, id = `fuzz-${requestCount}`): Promise<Answer> {
  requestCount += 1;
  const { port } = new URL(sesame.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: sent.method,
        path: sent.path,
        // (Framed by its length whatever the method: node sends a DELETE's body unframed otherwise.)
        headers: {
          'x-request-id': id,
          ...(sent.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(sent.body)) }),
          ...sent.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    // No answer at all (the connection closed): reported as status 0.
    req.on('error', (error) => resolve({ status: 0, headers: {}, body: String(error) }));
    req.end(sent.body);
  });
}

class Jar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();
  header(path: string): string {
    return [...this.cookies.values()]
      .filter((cookie) => path.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
  keep(answer: Answer) {
    const lines = answer.headers['set-cookie'] ?? [];
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=.*1970/i.test(a));
      if (gone || value === '') this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { name, value, path });
    }
  }
  async send(sent: Sent): Promise<Answer> {
    const cookie = this.header(sent.path.split('?')[0]!);
    const answer = await send({
      ...sent,
      headers: { ...(cookie ? { cookie } : {}), ...sent.headers },
    });
    this.keep(answer);
    return answer;
  }
  /** GETs `path` and follows redirects on this server; returns the last answer and where it came from. */
  async walk(path: string, first?: Sent): Promise<{ answer: Answer; path: string }> {
    let answer = await this.send(first ?? { method: 'GET', path });
    let at = first?.path ?? path;
    for (let hops = 0; answer.status >= 300 && answer.status < 400; hops++) {
      assert.ok(hops < 12, `too many redirects from ${path}`);
      const location = new URL(String(answer.headers.location), sesame.url);
      if (location.origin !== new URL(sesame.url).origin) break;
      at = location.pathname + location.search;
      answer = await this.send({ method: 'GET', path: at });
    }
    return { answer, path: at };
  }
}

const FORM = 'application/x-www-form-urlencoded';
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Signs `username` in through the portal, the way a browser does; returns its jar. */
async function signIn(username: string): Promise<Jar> {
  const jar = new Jar();
  const login = await jar.walk('/portal/login');
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(login.answer.body)?.[1];
  assert.ok(action, login.answer.body);
  const done = await jar.walk(action, {
    method: 'POST',
    path: action,
    headers: { 'content-type': FORM },
    body: form({ csrf: csrfOf(login.answer.body), username, password: PASSWORD }),
  });
  assert.equal(done.answer.status, 200, `${done.path}: ${done.answer.body.slice(0, 300)}`);
  return jar;
}

interface LiveInteraction {
  jar: Jar;
  uid: string;
  csrf: string;
}

/** Starts an authorization for `clientId` and walks to its interaction page (login, second factor or consent). */
async function startInteraction(clientId: string, jar = new Jar(), login?: string): Promise<LiveInteraction> {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile',
    state: 'fuzz-state-0123456789',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  let page = await jar.walk(`/api/oidc/authorization?${query}`);
  if (login) {
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page.answer.body)?.[1];
    assert.ok(action, page.answer.body);
    page = await jar.walk(action, {
      method: 'POST',
      path: action,
      headers: { 'content-type': FORM },
      body: form({ csrf: csrfOf(page.answer.body), username: login, password: PASSWORD }),
    });
  }
  const uid = /^\/interaction\/([^/?]+)/.exec(page.path)?.[1];
  assert.ok(uid, `${page.path}: ${page.answer.body.slice(0, 300)}`);
  return { jar, uid, csrf: csrfOf(page.answer.body) };
}

// --- what the server routes ------------------------------------------------------------------------

/** Every route and its methods, read from Fastify's route tree (`printRoutes`). */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (match[3]) found.push({ path: stack.join('').replace(/^\/?/, '/'), methods: match[3].split(', ') });
  }
  return found;
}

const FIELDS = [
  'username',
  'password',
  'name',
  'email',
  'code',
  'method',
  'decision',
  'response',
  'pending',
  'groups',
  'display_name',
  'given_name',
  'family_name',
  'slug',
  'provider',
  'redirect_uris',
  'scopes',
  'client_type',
  'consent_mode',
  'authorization_policy',
  'expires_days',
  'new_password',
  'current_password',
  'confirm_password',
  'disabled',
  'description',
  'user',
  'client_id',
  'client_secret',
  'grant_type',
  'refresh_token',
  'token',
  'scope',
  'redirect_uri',
  'response_type',
  'state',
  'q',
  'type',
  'limit',
  'offset',
  'return',
];
const WRONG_TYPES: Record<string, unknown> = {
  number: 12345,
  object: { nested: 'x' },
  array: ['a', 'b'],
  boolean: true,
  null: null,
};
const SPECIAL = [
  '',
  ' ',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C3%28',
  '%00',
  '..%2f..%2fetc%2fpasswd',
  '\u00e9\u{1F600}',
  'nul\u0000inside',
  'lone \ud800 surrogate',
];

/** Odd values for a path parameter: an unknown record, traversal, bad encodings, a NUL, a long one. */
const ODD_PARAMETERS = [
  'no-such-record',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%zz',
  '%C3%28',
  '%00',
  'a'.repeat(3000),
];

/** A malformed request: what it is called in the report and the request itself. */
interface Payload {
  kind: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  method?: string;
}

/** A value the route might accept for a field, so that the one malformed field is what it meets. */
function plausible(field: string): string {
  if (/uri|url/.test(field)) return 'https://fuzz.example.com/callback';
  if (/email/.test(field)) return 'fuzz@example.com';
  if (/password/.test(field)) return PASSWORD;
  if (/days|limit|offset/.test(field)) return '7';
  return `fuzz-${random.int(1000)}`;
}

/**
 * The malformed requests for one route and method. `known` are the fields its form or schema names
 * (the rest of a body is made of them, so the route reads past its first field); a few others join.
 */
function payloadsFor(method: string, protocol: boolean, known: string[]): Payload[] {
  const fields = [...new Set([...random.some(known, 6), ...random.some(FIELDS, known.length > 0 ? 1 : 5)])];
  const one = random.pick(fields);
  const base = Object.fromEntries(fields.map((field) => [field, plausible(field)]));
  const repeated = fields.map((field) => `${field}=a&${field}=b`).join('&');
  const payloads: Payload[] = [
    { kind: 'plain' },
    { kind: 'query: repeated fields', query: repeated },
    { kind: 'query: invalid percent-encoding', query: `${one}=%&${fields[0]}=%zz&${fields.at(-1)}=%E0%A4%A` },
    { kind: 'query: invalid UTF-8', query: `${one}=%C3%28%FF%FE&${fields[0]}=%ED%A0%80` },
    { kind: 'query: over-long', query: `${one}=${'x'.repeat(random.pick([4000, 8000, 12000]))}` },
    { kind: 'query: array and object syntax', query: `${one}[]=1&${fields[0]}[x]=2&${fields.at(-1)}=` },
    {
      kind: 'authorization: malformed',
      headers: {
        authorization: random.pick([
          `Basic ${Buffer.from('nocolon').toString('base64')}`,
          'Basic !!!not-base64!!!',
          `Basic ${Buffer.from(':').toString('base64')}`,
          `Basic ${Buffer.from('%zz:%E0%A4%A').toString('base64')}`,
          `Basic ${Buffer.from([0xff, 0x3a, 0xfe]).toString('base64')}`,
          'Bearer',
          'Bearer garbage garbage',
          `Bearer ${'x'.repeat(5000)}`,
          'Digest username="x"',
        ]),
      },
    },
    {
      kind: 'cookie: malformed',
      headers: {
        cookie: random.pick([
          'sesame_session=garbage; sesame_session.sig=garbage',
          'sesame_session=%zz; sesame_interaction=%E0%A4%A; sesame_interaction.sig=',
          `sesame_session=${'a'.repeat(4000)}`,
          'sesame_portal_login=not.signed; sesame_once=x',
          '=;;=; sesame_session',
        ]),
      },
    },
    { kind: 'method: mismatch', method: random.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']) },
    {
      kind: 'headers: odd',
      headers: random.pick<Record<string, string>>([
        { range: 'bytes=garbage', 'if-none-match': '"', 'if-modified-since': 'yesterday' },
        {
          'x-forwarded-proto': 'gopher',
          'x-forwarded-host': 'evil.example.com:99999',
          'x-forwarded-for': '::zz',
        },
        {
          accept: 'application/x-nothing;q=abc, */*;q=-1',
          'accept-language': '@@@',
          'accept-encoding': 'x;q=z',
        },
        { origin: 'null', referer: '%zz', 'x-request-id': '../../etc/passwd', 'x-csrf-token': '%00' },
        { expect: '100-continue' },
      ]),
    },
    { kind: 'query: many fields', query: Array.from({ length: 1500 }, (_, i) => `f${i}=${i}`).join('&') },
    { kind: 'query: prototype keys', query: '__proto__[x]=1&constructor[prototype][y]=2&__proto__=z' },
  ];
  if (method === 'GET' || method === 'HEAD') return payloads;

  const limit = protocol ? 40 * 1024 : 48 * 1024;
  const typeName = random.pick(Object.keys(WRONG_TYPES));
  const wrong = WRONG_TYPES[typeName];
  const json = (body: Record<string, unknown>) => JSON.stringify(body);
  payloads.push(
    { kind: 'form: repeated fields', headers: { 'content-type': FORM }, body: `${form(base)}&${repeated}` },
    {
      kind: 'form: array and object syntax',
      headers: { 'content-type': FORM },
      body: `${form(base)}&${one}[]=1&${fields[0]}[x]=2&${fields.at(-1)}[]=`,
    },
    {
      kind: 'form: invalid percent-encoding',
      headers: { 'content-type': FORM },
      body: `${form(base)}&${one}=%&${fields[0]}=%zz&${fields.at(-1)}=%E0%A4%A&%=x`,
    },
    {
      kind: 'form: invalid UTF-8',
      headers: { 'content-type': FORM },
      body: Buffer.concat([
        Buffer.from(`${form({ ...base, [one]: '' })}`),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      ]),
    },
    {
      kind: 'form: empty values',
      headers: { 'content-type': FORM },
      body: form(Object.fromEntries(fields.map((field) => [field, '']))),
    },
    {
      kind: 'form: huge value',
      headers: { 'content-type': FORM },
      body: form({ ...base, [one]: 'x'.repeat(limit) }),
    },
    {
      kind: 'form: special value',
      headers: { 'content-type': FORM },
      body: form({ ...base, [one]: random.pick(SPECIAL) }),
    },
    {
      kind: `json: one ${typeName} field`,
      headers: { 'content-type': 'application/json' },
      body: json({ ...base, [one]: wrong }),
    },
    {
      kind: `json: ${typeName} fields`,
      headers: { 'content-type': 'application/json' },
      body: json(Object.fromEntries(fields.map((field) => [field, wrong]))),
    },
    {
      kind: 'json: not an object',
      headers: { 'content-type': 'application/json' },
      body: random.pick(['[]', '"text"', 'null', '123', 'true', '[{"a":1}]']),
    },
    {
      kind: 'json: malformed',
      headers: { 'content-type': 'application/json' },
      body: random.pick([
        '{"a":',
        '{a:1}',
        '\u0000',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":1}}',
      ]),
    },
    {
      kind: 'json: huge value',
      headers: { 'content-type': 'application/json' },
      body: json({ ...base, [one]: 'x'.repeat(protocol ? limit : 900 * 1024) }),
    },
    {
      kind: 'json: special value',
      headers: { 'content-type': 'application/json' },
      body: json({ ...base, [one]: random.pick(SPECIAL) }),
    },
    { kind: 'body: no content type', body: form(base) },
    {
      kind: 'body: wrong content type',
      headers: {
        'content-type': random.pick([
          'text/plain',
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          `${FORM}; charset=utf-16`,
          'application/x-www-form-urlencoded, application/json',
          'garbage',
        ]),
      },
      body: random.pick([form(base), json(base), '--x\r\n\r\n']),
    },
    { kind: 'form body sent as JSON', headers: { 'content-type': 'application/json' }, body: form(base) },
    { kind: 'JSON sent as a form', headers: { 'content-type': FORM }, body: json(base) },
    { kind: 'body: empty', headers: { 'content-type': random.pick([FORM, 'application/json']) }, body: '' },
    {
      kind: 'body: content encoding',
      headers: {
        'content-type': random.pick([FORM, 'application/json']),
        'content-encoding': random.pick(['gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown']),
      },
      body: random.pick([form(base), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff])]),
    },
    {
      kind: 'json: deeply nested',
      headers: { 'content-type': 'application/json' },
      body: json({ ...base, [one]: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) as unknown }),
    },
    {
      kind: 'json: deeper than a parser goes',
      headers: { 'content-type': 'application/json' },
      body: `{"${one}":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
    },
    {
      kind: 'form: many fields',
      headers: { 'content-type': FORM },
      body: `${form(base)}&${Array.from({ length: 5000 }, (_, i) => `${i}=`).join('&')}`,
    },
    {
      kind: 'json: many fields',
      headers: { 'content-type': 'application/json' },
      body: json({ ...base, ...Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`f${i}`, i])) }),
    },
    {
      kind: 'json: prototype keys',
      headers: { 'content-type': 'application/json' },
      body: `{"__proto__":{"${one}":"x"},"constructor":{"prototype":{"${one}":"y"}},"${one}":"z"}`,
    },
  );
  return payloads;
}

// --- the cases ------------------------------------------------------------------------------------

interface Context {
  name: string;
  jar?: Jar;
  /** Fields a form of this route needs to get past the door (a CSRF token), fetched fresh per request. */
  formFields?: () => Promise<Record<string, string>> | Record<string, string>;
  headers?: () => Record<string, string>;
}

interface Case {
  context: Context;
  method: string;
  path: string;
  payload: Payload;
}

interface Offender {
  method: string;
  path: string;
  context: string;
  kind: string;
  status: number;
  body: string;
  logged: string[];
}

/** Adds the context's form fields (its CSRF token) to a payload's body, keeping the payload's shape. */
function withFields(payload: Payload, fields: Record<string, string>): Payload {
  if (payload.body === undefined || Object.keys(fields).length === 0) return payload;
  const type = payload.headers?.['content-type'] ?? '';
  if (type === 'application/json' && typeof payload.body === 'string' && payload.kind.startsWith('json: ')) {
    // (Malformed JSON stays as it is.)
    const object = /^\{"[a-z]/.test(payload.body) && !payload.kind.endsWith('malformed');
    if (object)
      return { ...payload, body: `{${JSON.stringify(fields).slice(1, -1)},${payload.body.slice(1)}` };
  }
  if (type === FORM) {
    const prefix = Buffer.from(`${form(fields)}&`);
    return { ...payload, body: Buffer.concat([prefix, Buffer.from(payload.body)]) };
  }
  return payload;
}

async function run(item: Case): Promise<Offender | undefined> {
  const { context, payload } = item;
  const method = payload.method ?? item.method;
  const fields = context.formFields && method !== 'GET' ? await context.formFields() : {};
  const shaped = withFields(payload, fields);
  const path = shaped.query ? `${item.path}${item.path.includes('?') ? '&' : '?'}${shaped.query}` : item.path;
  const id = `fuzz-${requestCount}`;
  const sent: Sent = {
    method,
    path,
    headers: { ...context.headers?.(), ...shaped.headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : shaped.body,
  };
  if (context.jar && !shaped.headers?.cookie) {
    const cookie = context.jar.header(path.split('?')[0]!);
    if (cookie) sent.headers!.cookie = cookie;
  }
  const answer = await send(sent, id);
  if (answer.status > 0 && answer.status < 500) return undefined;
  // Give the log line a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    method,
    path: path.length > 160 ? `${path.slice(0, 160)}…` : path,
    context: context.name,
    kind: payload.kind,
    status: answer.status,
    body: answer.body.slice(0, 200),
    logged: errors.get(id) ?? [],
  };
}

// --- the server ---------------------------------------------------------------------------------

let keeper: { user: unknown; application: unknown; client: unknown };
const snapshot = async () => ({
  user: await sesame.running.store.users.findByUsername('keeper'),
  application: await sesame.running.store.applications.findBySlug('keeper'),
  client: await sesame.running.store.clients.findByClientId(keeperClientId),
});
let keeperClientId: string;
let keeperSecret: string | undefined;
let admin: Jar;
let apiToken: string;

before(async () => {
  sesame = await startTestSesame(
    ENGINE,
    `    clients:
      - client_id: web
        client_secret: web-secret-0123456789
        authorization_policy: one_factor
        consent_mode: explicit
        redirect_uris: ['${REDIRECT_URI}']
      - client_id: strict
        client_secret: strict-secret-0123456789
        authorization_policy: two_factor
        consent_mode: explicit
        redirect_uris: ['${REDIRECT_URI}']
`,
    { logger: createLogger('error', logStream) },
  );
  await sesame.addUser({
    username: 'boss',
    password: PASSWORD,
    groups: ['admins'],
    email: 'boss@example.com',
  });
  await sesame.addUser({
    username: 'keeper',
    password: PASSWORD,
    email: 'keeper@example.com',
    groups: ['keepers'],
  });
  await sesame.addUser({
    username: 'target',
    password: PASSWORD,
    email: 'target@example.com',
    groups: ['staff'],
  });
  const totpUser = await sesame.addUser({ username: 'otto', password: PASSWORD });
  const { secret } = await sesame.running.factors.totp.begin('otto');
  const previous = await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 });
  assert.ok(await sesame.running.factors.totp.confirm(totpUser.id, secret, previous));
  ({ clientId: keeperClientId, clientSecret: keeperSecret } = await sesame.addApplication({
    name: 'Keeper',
    slug: 'keeper',
    redirectUris: [{ url: REDIRECT_URI, matching_mode: 'strict' }],
  }));
  await sesame.addApplication({
    name: 'Target',
    slug: 'target',
    redirectUris: [{ url: REDIRECT_URI, matching_mode: 'strict' }],
  });
  keeper = await snapshot();
  ({ token: apiToken } = await new ApiTokenService(sesame.running.store).create(
    { name: 'fuzz', scopes: ['*:write'] },
    'test',
  ));
  admin = await signIn('boss');
});

after(async () => {
  agent.destroy();
  await sesame?.stop();
});

test(`malformed requests to every route get no 5xx, and nothing stored is lost (${ENGINE}, seed ${SEED})`, async () => {
  const started = performance.now();
  const targetApplication = (await sesame.running.store.applications.findBySlug('target'))!;
  const targetClient = (await sesame.running.store.clients.get(targetApplication.clientRef!))!;
  const real: Record<string, string> = {
    slug: 'target',
    username: 'target',
    name: 'staff',
    client_id: targetClient.clientId,
    clientId: targetClient.clientId,
  };
  const anonymous: Context = { name: 'anonymous' };
  const adminPage: Context = {
    name: 'administrator',
    jar: admin,
    // Page forms take a single-use token: fetch a page for a fresh one each time.
    formFields: async () => ({
      csrf: csrfOf((await admin.send({ method: 'GET', path: '/admin/groups' })).body),
    }),
  };
  const apiCsrf = JSON.parse((await admin.send({ method: 'GET', path: '/api/v1/session' })).body) as {
    csrf_token: string;
  };
  const adminApi: Context = {
    name: 'administrator',
    jar: admin,
    headers: () => ({ 'x-csrf-token': apiCsrf.csrf_token }),
  };
  const tokenApi: Context = {
    name: 'API token',
    headers: () => ({ authorization: `Bearer ${apiToken}` }),
  };

  const routes = routesOf(sesame.running.app.printRoutes({ commonPrefix: false }));
  assert.ok(routes.length > 60, sesame.running.app.printRoutes({ commonPrefix: false }));
  const withReal = (template: string) =>
    template.replace(/:([A-Za-z_]+)/g, (_match, name: string) => real[name] ?? 'fuzz-unknown');

  // The fields each route reads: the admin API's from its OpenAPI document, the pages' from their forms.
  const fieldsOf = new Map<string, string[]>();
  const openapi = JSON.parse((await send({ method: 'GET', path: '/api/v1/openapi.json' })).body) as {
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>
    >;
  };
  for (const [path, operations] of Object.entries(openapi.paths))
    for (const [method, operation] of Object.entries(operations)) {
      const schema = (
        operation.requestBody as { content?: Record<string, { schema?: { properties?: object } }> }
      )?.content?.['application/json']?.schema;
      const names = [
        ...Object.keys(schema?.properties ?? {}),
        ...(operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      ];
      fieldsOf.set(`${method.toUpperCase()} /api/v1${path.replace(/\{([^}]+)\}/g, ':$1')}`, names);
    }
  const harvest = (page: string, html: string) => {
    for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
      const action = /action="([^"]*)"/.exec(match[1]!)?.[1]?.replace(/&amp;/g, '&').split('?')[0] || page;
      const names = [...match[2]!.matchAll(/\bname="([^"]+)"/g)]
        .map((name) => name[1]!)
        .filter((n) => n !== 'csrf');
      fieldsOf.set(`POST ${action}`, [...new Set([...(fieldsOf.get(`POST ${action}`) ?? []), ...names])]);
    }
  };
  for (const route of routes.filter((r) => r.methods.includes('GET') && /^\/(admin|portal)\b/.test(r.path))) {
    const page = withReal(route.path);
    harvest(page, (await admin.send({ method: 'GET', path: page })).body);
  }

  /**
   * Requests for one context, method and path; a share of each group is sent, a smaller one where
   * most requests stop at the door (a stranger on a signed-in page) or meet the same 404.
   */
  const groups: { weight: number; cases: Case[] }[] = [];
  const add = (
    contexts: Context[],
    path: string,
    methods: string[],
    protocol = false,
    template = path,
    odd = false,
  ) => {
    for (const context of contexts)
      for (const method of methods.filter((m) => m !== 'HEAD')) {
        const known = fieldsOf.get(`${method} ${path}`) ?? fieldsOf.get(`${method} ${template}`) ?? [];
        // (A signed-in key rotation reads no body and succeeds every time, at the cost of new keys.)
        const rotation = context !== anonymous && path.endsWith('/rotate') ? 0.1 : 1;
        const weight = (context === anonymous && !protocol ? 0.3 : 1) * (odd ? 0.5 : 1) * rotation;
        const cases = payloadsFor(method, protocol, known).map((payload) => ({
          context,
          method,
          path,
          payload,
        }));
        groups.push({ weight, cases });
      }
  };

  // The protocol endpoints of both URL worlds (the wildcard routes), each with GET and POST.
  const protocolPaths = [
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
    '/jwks.json',
    '/api/oidc/authorization',
    '/api/oidc/token',
    '/api/oidc/userinfo',
    '/api/oidc/introspection',
    '/api/oidc/revocation',
    '/api/oidc/end-session',
    '/api/oidc/pushed-authorization-request',
    '/api/oidc/no-such-endpoint',
    '/application/o/authorize/',
    '/application/o/token/',
    '/application/o/userinfo/',
    '/application/o/introspect/',
    '/application/o/revoke/',
    '/application/o/keeper/',
    '/application/o/keeper/.well-known/openid-configuration',
    '/application/o/keeper/jwks/',
    '/application/o/keeper/end-session/',
    '/application/o/keeper/par',
    '/application/o/no-such-app/',
    '/application/o/%zz/',
    '/application/o/..%2F..%2F/',
  ];
  const PROTOCOL_FIELDS = [
    'client_id',
    'client_secret',
    'grant_type',
    'code',
    'code_verifier',
    'refresh_token',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
    'token',
    'token_type_hint',
    'request_uri',
    'id_token_hint',
    'post_logout_redirect_uri',
    'client_assertion',
    'client_assertion_type',
  ];
  // As a stranger, and as a real confidential client of each world (its credentials are right; the
  // rest of the request is not).
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
  });
  const globalClient: Context = { name: 'client web', headers: () => basic('web', 'web-secret-0123456789') };
  const applicationClient: Context = {
    name: 'client keeper',
    headers: () => basic(keeperClientId, keeperSecret!),
  };
  for (const path of protocolPaths) {
    for (const method of ['GET', 'POST']) fieldsOf.set(`${method} ${path}`, PROTOCOL_FIELDS);
    const client = path.startsWith('/application/') ? applicationClient : globalClient;
    add([anonymous, client], path, ['GET', 'POST'], true);
  }
  // Returning to the authorization endpoint with a live interaction's uid (both worlds).
  for (const [path, clientId] of [
    ['/api/oidc/authorization', 'web'],
    ['/application/o/authorize', keeperClientId],
  ] as const) {
    const live = await startInteraction(clientId);
    const resume = `${path}/${live.uid}`;
    fieldsOf.set(`GET ${resume}`, PROTOCOL_FIELDS);
    add([{ name: 'interaction', jar: live.jar }, anonymous], resume, ['GET', 'POST'], true);
  }

  // Login, second factor and consent on live interactions: with their cookies and CSRF token, and
  // without them (a stranger holding the uid).
  const interactionFor: Record<string, () => Promise<LiveInteraction>> = {
    login: () => startInteraction('web'),
    passkey: () => startInteraction('web'),
    abort: () => startInteraction('strict', new Jar(), 'target'),
    'second-factor': () => startInteraction('strict', new Jar(), 'otto'),
    consent: () => startInteraction('web', admin),
  };
  for (const route of routes.filter(({ path }) => path.startsWith('/interaction/:uid'))) {
    const step = route.path.split('/')[3] ?? 'login';
    // A few interactions per route, its requests dealt out among them: a request that passes (an
    // abort, a consent) ends its interaction, and those after it would only meet the expired page.
    const lives = await Promise.all([1, 2, 3].map(() => (interactionFor[step] ?? interactionFor.login!)()));
    const first = lives[0]!;
    harvest(
      `/interaction/${first.uid}`,
      (await first.jar.send({ method: 'GET', path: `/interaction/${first.uid}` })).body,
    );
    const path = route.path.replace(':uid', first.uid);
    const holders = lives.map((live): Context => ({
      name: 'interaction',
      jar: live.jar,
      formFields: () => ({ csrf: live.csrf }),
    }));
    const before = groups.length;
    add([holders[0]!], path, route.methods);
    for (const group of groups.slice(before))
      group.cases = group.cases.map((item, index) => ({
        ...item,
        context: holders[index % holders.length]!,
        path: route.path.replace(':uid', lives[index % lives.length]!.uid),
      }));
    add([anonymous], path, route.methods);
    // A made-up uid, traversal and bad encodings in its place.
    for (const value of random.some(ODD_PARAMETERS, 2))
      add([anonymous], route.path.replace(':uid', value), route.methods, false, path, true);
  }

  // Everything else Fastify routes: the portal, the admin UI and API, assets and health.
  for (const route of routes) {
    if (
      route.path.includes('*') ||
      route.path.startsWith('/interaction/') ||
      protocolPaths.includes(route.path)
    )
      continue;
    const api = route.path.startsWith('/api/v1/');
    const contexts = api ? [anonymous, adminApi, tokenApi] : [anonymous, adminPage];
    const names = route.path.match(/:[A-Za-z_]+/g) ?? [];
    // With real records (which the administrator's requests may change), and with odd values.
    add(contexts, withReal(route.path), route.methods, false, route.path);
    for (const odd of names.length === 0 ? [] : random.some(ODD_PARAMETERS, 2))
      add(
        contexts,
        names.reduce((path, name, index) => path.replace(name, index === 0 ? odd : 'x'), route.path),
        route.methods,
        false,
        route.path,
        true,
      );
  }
  // Paths nobody routes, and traversal towards the files beside the assets.
  for (const path of ['/no-such-page', '/assets/..%2F..%2Fpackage.json', '/portal/..%2Fadmin', '/admin/%zz'])
    add([anonymous, adminPage], path, ['GET', 'POST']);

  // Bounded: every group's repeated fields and wrong JSON type (the kinds that have found the most),
  // then the same share of the rest of every group (by its weight); the same sample for the same seed.
  const core = (item: Case) => /^(json: one |form: repeated|query: repeated)/.test(item.payload.kind);
  const total = groups.reduce((sum, group) => sum + group.cases.length, 0);
  const always = groups.flatMap((group) => group.cases.filter(core));
  const weighted = groups.reduce(
    (sum, group) => sum + group.cases.filter((c) => !core(c)).length * group.weight,
    0,
  );
  const share = Math.min(1, Math.max(0, BUDGET - always.length) / weighted);
  const chosen = [
    ...always,
    ...groups.flatMap(({ weight, cases }) => {
      const rest = cases.filter((item) => !core(item));
      return random.some(rest, Math.max(1, Math.round(rest.length * share * weight)));
    }),
  ];
  const offenders: Offender[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < chosen.length) {
        const offender = await run(chosen[next++]!);
        if (offender) offenders.push(offender);
      }
    }),
  );

  const failures = offenders;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: seed ${SEED}, ${chosen.length} of ${total} cases, ${requestCount} requests in ${seconds} s; ` +
      `${failures.length} answered 5xx`,
  );
  assert.deepEqual(
    failures.map((offender) => JSON.stringify(offender)),
    [],
    `${failures.length} answers were 5xx (seed ${SEED}); unattributed errors: ${JSON.stringify(unattributed.slice(0, 5))}`,
  );

  const health = await send({ method: 'GET', path: '/healthz' });
  assert.equal(health.status, 200, health.body);
  assert.deepEqual(await snapshot(), keeper, 'the records made before the fuzz changed');
  // Still usable, not merely present: the keeper signs in.
  await signIn('keeper');
});

test('an admin API body of thousands of unknown keys gets a short 400 that names a few', async () => {
  for (const type of ['application/json', FORM]) {
    const keys = Array.from({ length: 6000 }, (_, i) => `k${i}`);
    const answer = await send({
      method: 'POST',
      path: '/api/v1/groups',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': type },
      body:
        type === FORM
          ? keys.map((key) => `${key}=1`).join('&')
          : JSON.stringify(Object.fromEntries(keys.map((key) => [key, 1]))),
    });
    assert.equal(answer.status, 400, `${type}: ${answer.body.slice(0, 300)}`);
    const body = JSON.parse(answer.body) as { error_description: string; fields: { field: string }[] };
    assert.ok(answer.body.length < 4096, `${type}: an answer of ${answer.body.length} characters`);
    assert.equal(body.fields[1]?.field, 'k0');
    assert.match(body.error_description, /k0: Unrecognized key; .* and \d+ more$/);
  }
});

test('an admin form sent as JSON with a field that is not text is refused with 400, and nothing is made', async () => {
  const groupsBefore = (await sesame.running.store.groups.list()).length;
  for (const [index, value] of [123, { nested: 'x' }, true, ['a', { b: 1 }]].entries()) {
    const csrf = csrfOf((await admin.send({ method: 'GET', path: '/admin/groups' })).body);
    const answer = await admin.send({
      method: 'POST',
      path: '/admin/groups',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf, name: value, is_admin: index === 0 ? 7 : undefined }),
    });
    assert.equal(answer.status, 400, `${JSON.stringify(value)}: ${answer.body.slice(0, 300)}`);
    assert.match(answer.body, /must be text|more than once/);
  }
  // A list where a list belongs (the rows of redirect URIs) still holds text only.
  for (const entry of [5, ['https://b.example.com/cb'], { url: 'https://b.example.com/cb' }]) {
    const csrf = csrfOf((await admin.send({ method: 'GET', path: '/admin/providers/new' })).body);
    const answer = await admin.send({
      method: 'POST',
      path: '/admin/providers',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        csrf,
        name: 'Listy',
        redirect_uri_url: ['https://a.example.com/cb', entry],
        redirect_uri_mode: ['strict', 'strict'],
      }),
    });
    assert.equal(answer.status, 400, `${JSON.stringify(entry)}: ${answer.body.slice(0, 300)}`);
  }
  assert.equal((await sesame.running.store.clients.list()).filter((c) => c.name === 'Listy').length, 0);
  assert.equal((await sesame.running.store.groups.list()).length, groupsBefore);
});
