// server.workers: a primary and two workers on one SQLite database, as `sesame start` runs them.
// A change made through one worker applies on the other at once; a crashed worker is replaced; a
// SIGTERM stops them all.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, runSesame, SESAME_BIN } from './support/cli.ts';
import { freePort } from './support/sesame.ts';

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** One request on a connection of its own, so that the cluster hands it to the next worker. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
    });
    req.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(what);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two workers (server.workers: 2)', () => {
  let primary: ChildProcess;
  let output = '';
  let url: string;
  let cwd: string;

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'sesame-cluster-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, [SESAME_BIN, 'start'], {
      cwd,
      env: cleanEnv({
        SESAME_SERVER_ADDRESS: `tcp://127.0.0.1:${port}/`,
        SESAME_SERVER_EXTERNAL_URL: url,
        SESAME_SERVER_WORKERS: '2',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    primary.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => /"workers":2,.*"Sesame is ready"/.test(output), `not ready:\n${output}`);
  });

  after(() => {
    if (primary.exitCode === null) {
      primary.kill('SIGKILL');
      for (const pid of childrenOf(primary.pid!)) process.kill(pid, 'SIGKILL');
    }
  });

  test('the primary prepares once and two workers serve', async () => {
    assert.equal(childrenOf(primary.pid!).length, 2);
    assert.equal(output.match(/Sesame created the first administrator/g)?.length, 1, output);
    for (let index = 0; index < 4; index++) assert.equal((await request(`${url}/healthz`)).status, 200);
  });

  test('a provider changed through one worker is used by the other at once', async () => {
    const created = await runSesame(
      ['tokens', 'create', 'cluster', '--scope', '*:write', '--json', '-c', 'data/sesame.yml'],
      { cwd },
    );
    assert.equal(created.code, 0, created.stderr);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const api = (method: string, path: string, body: unknown) =>
      request(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const app = await api('POST', '/applications', {
      name: 'Spread',
      redirect_uris: ['https://spread.example.com/one'],
    });
    assert.equal(app.status, 201, app.body);
    const clientId = (JSON.parse(app.body) as { application: { provider: { client_id: string } } })
      .application.provider.client_id;
    const authorize = async (redirectUri: string) =>
      (
        await request(
          `${url}/api/oidc/authorization?${new URLSearchParams({
            client_id: clientId,
            redirect_uri: redirectUri,
            response_type: 'code',
            scope: 'openid',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString()}`,
        )
      ).status;
    // Both workers look the client up (and cache it): connections alternate between them.
    for (let index = 0; index < 4; index++)
      assert.equal(await authorize('https://spread.example.com/one'), 303);

    const changed = await api('PATCH', `/providers/${clientId}`, {
      redirect_uris: ['https://spread.example.com/two'],
    });
    assert.equal(changed.status, 200, changed.body);
    // No waiting: the worker that made the change told the other through the primary.
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push(await authorize('https://spread.example.com/two'));
    assert.deepEqual(statuses, [303, 303, 303, 303]);
    assert.equal(await authorize('https://spread.example.com/one'), 400);
  });

  test('a worker that dies is replaced', async () => {
    const [victim] = childrenOf(primary.pid!);
    process.kill(victim!, 'SIGKILL');
    await eventually(() => {
      const children = childrenOf(primary.pid!);
      return children.length === 2 && !children.includes(victim!);
    }, 'no new worker was started');
    await eventually(
      () => (output.match(/"Sesame is ready"/g)?.length ?? 0) >= 4,
      'the new worker never got ready',
    );
    for (let index = 0; index < 4; index++) assert.equal((await request(`${url}/healthz`)).status, 200);
  });

  test('SIGTERM stops the primary and its workers', async () => {
    const workers = childrenOf(primary.pid!);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    assert.equal(await exited, 0);
    await eventually(() => workers.every((pid) => !existsProcess(pid)), 'workers outlived the primary', 5000);
  });
});

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
