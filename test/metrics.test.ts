// telemetry.metrics on a real Sesame: the Prometheus endpoint on its own listener, with Authelia's
// metric names (requests, OpenID Connect endpoints, first-factor logins) and Sesame's (requests by
// route, tokens by grant type); with server.workers, the primary reports every worker's, summed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, SESAME_BIN } from './support/cli.ts';
import { jarRequest } from './support/flows.ts';
import { freePort, startTestSesame, type TestSesame } from './support/sesame.ts';

const PASSWORD = 'correct horse battery staple';
const REDIRECT_URI = 'https://app.example.com/callback';

/** The samples of a Prometheus exposition, keyed `name{label="value",…}` with labels sorted. */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, key, value]) => `${key}="${value}"`)
      .sort()
      .join(',');
    result.set(labels ? `${match[1]}{${labels}}` : match[1]!, Number(match[3]));
  }
  return result;
}

async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return samples(await response.text());
}

const moved = (before: Map<string, number>, after: Map<string, number>, key: string) =>
  (after.get(key) ?? 0) - (before.get(key) ?? 0);

/** Opens an authorization in a fresh browser and submits the login form with `password`. */
async function logIn(sesame: TestSesame, password: string): Promise<number> {
  const jar = new Map<string, string>();
  const start = new URL(`${sesame.url}/api/oidc/authorization`);
  start.search = new URLSearchParams({
    client_id: 'app',
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  let answer = await jarRequest(jar, start.href);
  while (answer.location) answer = await jarRequest(jar, answer.location);
  const action = /<form method="post" action="([^"]*\/login)"/.exec(answer.body)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  assert.ok(action && csrf, answer.body);
  const submitted = await jarRequest(jar, new URL(action, sesame.url).href, {
    csrf,
    username: 'alice',
    password,
  });
  return submitted.status;
}

describe('telemetry.metrics in one process', () => {
  let sesame: TestSesame;
  let metricsUrl: string;

  before(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    sesame = await startTestSesame(
      'sqlite',
      `    clients:
      - client_id: app
        client_secret: app-secret-0123456789
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${REDIRECT_URI}']
      - client_id: machine
        client_secret: machine-secret-0123456789
        grant_types: [client_credentials]
        response_types: []
`,
      {
        topLevelYaml: `telemetry:\n  metrics:\n    enabled: true\n    address: tcp://127.0.0.1:${port}/metrics\n`,
      },
    );
    await sesame.addUser({ username: 'alice', email: 'alice@example.com', password: PASSWORD });
  });
  after(() => sesame.stop());

  test('requests, OpenID Connect endpoints, logins and tokens move their counters', async () => {
    const first = await scrape(metricsUrl);
    for (let index = 0; index < 3; index++) await (await fetch(`${sesame.url}/healthz`)).arrayBuffer();
    for (let index = 0; index < 2; index++)
      await (await fetch(`${sesame.url}/.well-known/openid-configuration`)).arrayBuffer();
    assert.equal(await logIn(sesame, 'wrong password'), 401);
    assert.equal(await logIn(sesame, PASSWORD), 303);
    const token = await fetch(`${sesame.url}/api/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('machine:machine-secret-0123456789').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const tokenBody = await token.text();
    assert.equal(token.status, 200, tokenBody);
    const authz = await fetch(`${sesame.url}/api/authz/auth-request`, {
      headers: { 'x-original-url': 'https://app.example.com/', 'x-original-method': 'GET' },
    });
    await authz.arrayBuffer();
    const second = await scrape(metricsUrl);

    const delta = (key: string) => moved(first, second, key);
    assert.ok(delta('authelia_request{code="200",method="GET"}') >= 5);
    assert.equal(delta('sesame_request_duration_seconds_count{code="200",method="GET",route="/healthz"}'), 3);
    assert.equal(
      delta('authelia_request_duration_openid_connect_count{code="200",endpoint="openid_configuration"}'),
      2,
    );
    assert.equal(delta('authelia_request_duration_openid_connect_count{code="200",endpoint="token"}'), 1);
    assert.equal(delta('authelia_authn{banned="false",success="false"}'), 1);
    assert.equal(delta('authelia_authn{banned="false",success="true"}'), 1);
    assert.equal(delta('authelia_authn_duration_count{success="true"}'), 1);
    assert.equal(delta('sesame_tokens_issued_total{grant_type="client_credentials"}'), 1);
    assert.equal(delta(`authelia_authz{code="${authz.status}"}`), 1);
    assert.ok(second.has('process_cpu_user_seconds_total'));
  });

  test('only the configured path answers, and the public listener has no metrics', async () => {
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/other'))).status, 404);
    assert.equal((await fetch(metricsUrl, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${sesame.url}/metrics`)).status, 404);
  });
});

/** One request on a connection of its own, so that the cluster hands it to the next worker. */
function healthz(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/healthz`, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('telemetry.metrics with two workers', () => {
  let primary: ChildProcess;
  let url: string;
  let metricsUrl: string;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-metrics-cluster-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const config = join(dir, 'sesame.yml');
    writeFileSync(
      config,
      `server:
  address: tcp://127.0.0.1:${port}/
  workers: 2
telemetry:
  metrics:
    enabled: true
    address: tcp://127.0.0.1:${metricsPort}/metrics
storage:
  encryption_key: metrics-test-encryption-key-0123456789
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: metrics-test-hmac-secret-0123456789-0123456789
`,
    );
    primary = spawn(process.execPath, [SESAME_BIN, 'start', '--config', config], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      primary.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"Sesame is ready"')) resolve();
      });
      primary.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
  });
  after(async () => {
    const exited = new Promise((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    await exited;
  });

  test('the primary’s endpoint sums what every worker counted', async () => {
    const key = 'sesame_request_duration_seconds_count{code="200",method="GET",route="/healthz"}';
    const first = await scrape(metricsUrl);
    const statuses = [];
    for (let index = 0; index < 6; index++) statuses.push(await healthz(url));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    assert.equal(moved(first, await scrape(metricsUrl), key), 6);
  });
});
