// `sesame start` as a newcomer runs it, and the server basics: health, readiness, request ids,
// logs without secrets, trusted proxies, graceful shutdown, users file loading.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { hashSecret, verifySecret } from '../src/crypto/digest.ts';
import { loadConfig } from '../src/config/load.ts';
import { openStore } from '../src/services/install.ts';
import { startSesame } from '../src/server/runtime.ts';
import { createLogger } from '../src/lib/logger.ts';
import { cleanEnv, SESAME_BIN } from './support/cli.ts';

interface Started {
  child: ChildProcess;
  stdout: () => string;
  url: string;
}

/** Starts `sesame start` in `cwd` on a free port and waits until it logs that it is ready. */
function startProcess(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(process.execPath, [SESAME_BIN, 'start', ...args], {
    cwd,
    env: cleanEnv({ SESAME_SERVER_ADDRESS: 'tcp://127.0.0.1:0/', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready in time:\n${stdout}\n${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = logLines(stdout).find((line) => line.msg === 'Sesame is ready');
      if (ready) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, url: ready.url as string });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited with ${code}:\n${stdout}\n${stderr}`), { code, stderr }));
    });
  });
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

describe('first start in an empty folder', () => {
  test('writes a private config, prints the first admin once, serves health, and a restart keeps everything', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sesame-start-'));
    const first = await startProcess(cwd);
    const configPath = join(cwd, 'data', 'sesame.yml');
    const configText = readFileSync(configPath, 'utf8');
    assert.equal(statSync(configPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(cwd, 'data', 'db.sqlite3')).mode & 0o777, 0o600);
    const password = /password: (\S+)/.exec(first.stdout())?.[1];
    assert.ok(password, `no administrator password printed:\n${first.stdout()}`);
    assert.match(first.stdout(), /username: admin/);

    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${first.url}/readyz?code=super-secret-code`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    assert.equal(ready.status, 200);
    assert.equal(ready.headers.get('x-request-id'), 'trace-42');
    const generatedId = (
      await fetch(`${first.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } })
    ).headers.get('x-request-id');
    assert.match(generatedId!, /^[0-9a-f-]{36}$/);

    // The server replaced itself once (same process) with its memory settings; a user's own
    // MALLOC_ARENA_MAX would have been kept.
    const pid = first.child.pid!;
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /--max-semi-space-size=4\0/);
    assert.ok(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('MALLOC_ARENA_MAX=2'));

    assert.equal(await stop(first.child, 'SIGINT'), 0);
    const lines = logLines(first.stdout());
    const request = lines.find((line) => line.request_id === 'trace-42');
    assert.equal(request?.url, '/readyz?code=%5Bredacted%5D');
    assert.ok(
      lines.some(
        (line) => line.msg === 'shutting down: finishing requests in flight' && line.signal === 'SIGINT',
      ),
    );
    const logsOnly = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of [password, 'super-secret-code', ...configText.match(/[A-Za-z0-9]{64}/g)!])
      assert.ok(!logsOnly.includes(secret), 'a secret reached the log');

    const second = await startProcess(cwd);
    try {
      assert.doesNotMatch(second.stdout(), /password:/, 'no second administrator is created');
      assert.equal(readFileSync(configPath, 'utf8'), configText, 'the configuration is not regenerated');
    } finally {
      assert.equal(await stop(second.child), 0);
    }
    const store = openStore(loadConfig(configPath, {}));
    try {
      const admin = (await store.users.findByUsername('admin'))!;
      assert.deepEqual(admin.groups, ['admins']);
      assert.equal(await verifySecret(password, (await store.passwords.get(admin.id))!.digest), true);
      assert.equal(await store.users.count(), 1);
    } finally {
      await store.close();
    }
  });

  test('a bad configuration never starts a server', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sesame-bad-'));
    const file = join(cwd, 'bad.yml');
    writeFileSync(file, 'server:\n  adress: tcp://:9091/\nstorage:\n  encryption_key: short\n');
    const error = (await startProcess(cwd, ['--config', file]).then(
      () => assert.fail('it started'),
      (failure: unknown) => failure,
    )) as { code: number; stderr: string };
    assert.equal(error.code, 1);
    assert.ok(
      error.stderr.includes(`${file}:2 server.adress: unknown key (did you mean 'address'?)`),
      error.stderr,
    );
    assert.ok(
      error.stderr.includes(`${file}:4 storage.encryption_key: must be at least 20 characters`),
      error.stderr,
    );
    assert.match(error.stderr, /storage: no storage backend is configured/);
    // (identity_providers is optional: a forward-auth-only installation has none.)
    assert.doesNotMatch(error.stderr, /identity_providers/);
  });
});

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => logLines(text) };
}

function writeConfig(extra = '', files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-server-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const file = join(dir, 'sesame.yml');
  writeFileSync(
    file,
    `server:
  address: tcp://127.0.0.1:0/
storage:
  encryption_key: server-test-encryption-key-0123456789
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: server-test-hmac-secret-0123456789-0123456789
${extra}`,
  );
  return file;
}

describe('in-process server', () => {
  test('X-Forwarded-For is believed only from trusted proxies', async () => {
    for (const [trusted, expected] of [
      ['[]', '127.0.0.1'],
      ['[127.0.0.1]', '203.0.113.9'],
    ] as const) {
      const log = capture();
      const running = await startSesame({
        path: writeConfig(),
        env: { SESAME_SERVER_TRUSTED_PROXIES: trusted.slice(1, -1) },
        logger: createLogger('info', log.stream),
        print: () => {},
      });
      try {
        await fetch(`${running.url}/healthz`, {
          headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'proxy-test' },
        });
      } finally {
        await running.close();
      }
      const line = log.lines().find((entry) => entry.request_id === 'proxy-test');
      assert.equal(line?.ip, expected, `trusted_proxies ${trusted}`);
    }
  });

  test('endpoint URLs follow X-Forwarded-Proto/Host only from trusted proxies', async () => {
    for (const trusted of ['', '127.0.0.1']) {
      const running = await startSesame({
        path: writeConfig(),
        env: trusted ? { SESAME_SERVER_TRUSTED_PROXIES: trusted } : {},
        logger: createLogger('silent'),
        print: () => {},
      });
      try {
        // Twice each, interleaved: discovery documents are cached, and a cached answer must
        // never reach a request whose forwarded headers (or their absence) call for another.
        for (let round = 0; round < 2; round++) {
          const forwarded = await fetch(`${running.url}/.well-known/openid-configuration`, {
            headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sso.example.com' },
          });
          const discovery = (await forwarded.json()) as { token_endpoint: string };
          const expected = trusted ? 'https://sso.example.com/' : `${running.url}/`;
          assert.ok(
            discovery.token_endpoint.startsWith(expected),
            `${trusted || 'no proxy'}: ${discovery.token_endpoint}`,
          );
          const direct = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as {
            token_endpoint: string;
          };
          assert.ok(direct.token_endpoint.startsWith(`${running.url}/`), `direct: ${direct.token_endpoint}`);
        }
      } finally {
        await running.close();
      }
    }
  });

  test('stylesheets and scripts are served compressed; pages never are', async () => {
    const running = await startSesame({
      path: writeConfig(),
      logger: createLogger('silent'),
      print: () => {},
    });
    try {
      const plain = await fetch(`${running.url}/assets/pico.min.css`, {
        headers: { 'accept-encoding': 'identity' },
      });
      assert.equal(plain.headers.get('content-encoding'), null);
      const css = Buffer.from(await plain.arrayBuffer());
      for (const [encoding, decode] of [
        ['br', brotliDecompressSync],
        ['gzip', gunzipSync],
      ] as const) {
        // node:http, not fetch: fetch would decode the body and hide what was sent.
        const sent = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
          http
            .get(
              `${running.url}/assets/pico.min.css`,
              { headers: { 'accept-encoding': encoding } },
              (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () =>
                  resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }),
                );
              },
            )
            .on('error', reject);
        });
        assert.equal(sent.encoding, encoding);
        assert.ok(
          sent.body.length < css.length / 4,
          `${encoding}: ${sent.body.length} of ${css.length} bytes`,
        );
        assert.deepEqual(decode(sent.body), css);
      }
      // The login page (holds a CSRF token), reached by following the portal's redirects.
      let location = `${running.url}/portal/login`;
      const cookies: string[] = [];
      let page: Response | undefined;
      for (let hop = 0; hop < 5 && !page; hop++) {
        const response = await fetch(location, {
          headers: { 'accept-encoding': 'br, gzip', cookie: cookies.join('; ') },
          redirect: 'manual',
        });
        cookies.push(...response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!));
        if (response.status >= 300 && response.status < 400) {
          // (The configured external URL is not the test's port: stay on the running server.)
          const next = new URL(response.headers.get('location')!, location);
          location = `${running.url}${next.pathname}${next.search}`;
        } else page = response;
      }
      assert.match(await page!.text(), /<form[^>]*>[\s\S]*csrf/i);
      assert.equal(page!.headers.get('content-encoding'), null);
    } finally {
      await running.close();
    }
  });

  test('/readyz answers 503 when the database is gone', async () => {
    const running = await startSesame({
      path: writeConfig(),
      logger: createLogger('silent'),
      print: () => {},
    });
    try {
      await running.store.close();
      const response = await fetch(`${running.url}/readyz`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: 'unavailable', reason: 'storage is not reachable' });
      assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
    } finally {
      await running.app.close();
    }
  });

  test('an Authelia users file is loaded at start and kept in step with the file', async () => {
    const digest = await hashSecret('bob-password', 'pbkdf2', { iterations: 1000 });
    const usersFile = (disabled: boolean, extraUser = '') => `users:
  bob:
    displayname: Bob Builder
    password: '${digest}'
    email: bob@example.com
    groups: [admins, builders]
    disabled: ${disabled}
${extraUser}`;
    const config = writeConfig('authentication_backend:\n  file:\n    path: users.yml\n', {
      'users.yml': usersFile(false, `  carol:\n    password: '${digest}'\n`),
    });
    const printed: string[] = [];
    let running = await startSesame({
      path: config,
      logger: createLogger('silent'),
      print: (text) => printed.push(text),
    });
    try {
      const bob = (await running.store.users.findByUsername('bob'))!;
      assert.equal(bob.source, 'file');
      assert.equal(bob.displayName, 'Bob Builder');
      assert.equal(bob.emailVerified, true);
      assert.deepEqual(bob.groups, ['admins', 'builders']);
      assert.equal((await running.store.passwords.get(bob.id))?.digest, digest);
      assert.equal(printed.length, 0, 'bob is an administrator from the file: no bootstrap admin');
    } finally {
      await running.close();
    }

    writeFileSync(join(config, '..', 'users.yml'), usersFile(true));
    running = await startSesame({
      path: config,
      logger: createLogger('silent'),
      print: (text) => printed.push(text),
    });
    try {
      assert.equal((await running.store.users.findByUsername('bob'))?.disabled, true);
      assert.equal(
        await running.store.users.findByUsername('carol'),
        undefined,
        'removed from the file, removed here',
      );
      assert.equal(printed.length, 1, 'no enabled administrator is left, so one is created');
    } finally {
      await running.close();
    }

    writeFileSync(
      join(config, '..', 'users.yml'),
      'users:\n  dave:\n    password: hunter2\n    groups: nope\n',
    );
    await assert.rejects(startSesame({ path: config, logger: createLogger('silent') }), (error: Error) => {
      assert.match(
        error.message,
        /users\.yml:3 users\.dave\.password: must be a digest, not a plaintext password/,
      );
      assert.match(error.message, /users\.yml:4 users\.dave\.groups: must be a list, not a string/);
      return true;
    });
  });
});
