// Authelia's `log` settings on a real Sesame: text or JSON lines, into a file named with a date
// placeholder (mode 0600), reopened on SIGHUP after a rotation, and never a secret in it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatGoLayout, logFilePath, toText } from '../src/lib/log-format.ts';
import { loggerFor } from '../src/lib/logger.ts';
import { startSesame } from '../src/server/runtime.ts';
import { cleanEnv, SESAME_BIN } from './support/cli.ts';
import { freePort } from './support/sesame.ts';

/** A configuration file with this `log` section, in a fresh folder. */
async function configWithLog(log: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-logging-'));
  const port = await freePort();
  const path = join(dir, 'sesame.yml');
  writeFileSync(
    path,
    `server:
  address: tcp://127.0.0.1:${port}/
log:
${log}
storage:
  encryption_key: logging-test-encryption-key-0123456789
  local:
    path: db.sqlite3
authentication_backend:
  password_hashing:
    argon2: { memory: 8192, iterations: 1, parallelism: 1 }
identity_providers:
  oidc:
    hmac_secret: logging-test-hmac-secret-0123456789-0123456789
`,
  );
  return { path, dir, url: `http://127.0.0.1:${port}` };
}

async function startLogging(log: string) {
  const { path, dir, url } = await configWithLog(log);
  const running = await startSesame({ path, env: {}, print: () => {} });
  return { running, dir, url };
}

/** `sesame start` until its log file says it is ready; what it wrote to standard output. */
async function startProcessUntilReady(log: string): Promise<{ stdout: string; file: string }> {
  const { path, dir } = await configWithLog(log);
  const child = spawn(process.execPath, [SESAME_BIN, 'start', '--config', path], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const file = join(dir, 'sesame.log');
  try {
    for (let tries = 0; tries < 300; tries++) {
      if (existsSync(file) && readFileSync(file, 'utf8').includes('Sesame is ready')) break;
      if (child.exitCode !== null) assert.fail(`sesame start exited: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { stdout, file: readFileSync(file, 'utf8') };
}

/** Requests that carry secrets where a careless log would print them. */
async function leakyRequests(url: string): Promise<void> {
  const answers = await Promise.all([
    fetch(`${url}/healthz?code=code-secret-1&password=password-secret-2`, {
      headers: { authorization: 'Bearer header-secret-3', cookie: 'sid=cookie-secret-4' },
    }),
    fetch(`${url}/api/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=x&client_secret=body-secret-5',
    }),
  ]);
  await Promise.all(answers.map((answer) => answer.arrayBuffer()));
}

const SECRETS = /code-secret-1|password-secret-2|header-secret-3|cookie-secret-4|body-secret-5/;

describe('log.file_path, log.format and log.keep_stdout', () => {
  test('text lines into a dated 0600 file, without secrets; SIGHUP reopens it after a rotation', async () => {
    const { running, dir, url } = await startLogging(
      '  level: info\n  format: text\n  file_path: sesame.{datetime:2006}.log',
    );
    const file = join(dir, `sesame.${new Date().getFullYear()}.log`);
    try {
      await leakyRequests(url);
      const text = readFileSync(file, 'utf8');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(text, /^time=\S+ level=info msg="Sesame is ready" /m);
      assert.match(
        text,
        /level=info msg=request .*url="?\/healthz\?code=%5Bredacted%5D&password=%5Bredacted%5D/,
      );
      assert.doesNotMatch(text, SECRETS);
      for (const line of text.trim().split('\n')) assert.match(line, /^time=\S+ level=\w+ msg=/);

      renameSync(file, `${file}.1`);
      process.kill(process.pid, 'SIGHUP');
      await new Promise((resolve) => setImmediate(resolve));
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      assert.ok(existsSync(file), 'the log file was not reopened');
      assert.match(readFileSync(file, 'utf8'), /msg=request .*url=\/healthz /);
    } finally {
      await running.close();
    }
  });

  test('keep_stdout: false writes to the file only, true to both', async () => {
    const only = await startProcessUntilReady('  format: json\n  file_path: sesame.log');
    assert.match(only.file, /"msg":"Sesame is ready"/);
    assert.doesNotMatch(only.stdout, /Sesame is ready/);
    const both = await startProcessUntilReady('  format: json\n  file_path: sesame.log\n  keep_stdout: true');
    assert.match(both.file, /"msg":"Sesame is ready"/);
    assert.match(both.stdout, /"msg":"Sesame is ready"/);
  });

  test('JSON lines into the file, without secrets', async () => {
    const { running, dir, url } = await startLogging(
      '  level: info\n  format: json\n  file_path: sesame.log',
    );
    try {
      await leakyRequests(url);
      const lines = readFileSync(join(dir, 'sesame.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; url?: string });
      assert.ok(lines.some((line) => line.msg === 'Sesame is ready'));
      assert.ok(lines.some((line) => line.url?.startsWith('/healthz?code=%5Bredacted%5D')));
      assert.doesNotMatch(JSON.stringify(lines), SECRETS);
    } finally {
      await running.close();
    }
  });
});

test('a log file that cannot be opened stops the start with the reason', () => {
  assert.throws(
    () => loggerFor({ level: 'info', file_path: join(tmpdir(), 'no-such-folder-for-sesame', 'x.log') }),
    /^Error: log\.file_path: cannot open .*no-such-folder-for-sesame\/x\.log \(ENOENT\): its folder must exist/,
  );
});

describe('the text format and the date placeholders', () => {
  test('logfmt: quoted when needed, errors as their message (and stack from error up)', () => {
    const line = toText(
      JSON.stringify({
        level: 50,
        time: '2026-01-02T03:04:05.000Z',
        service: 'sesame',
        msg: 'request failed',
        status: 500,
        err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      }),
    );
    assert.equal(
      line,
      'time=2026-01-02T03:04:05.000Z level=error msg="request failed" status=500 error=boom stack="Error: boom\\n    at x"\n',
    );
  });

  test('%d and {datetime} are RFC 3339; {datetime:<Go layout>} follows the layout', () => {
    const date = new Date(2026, 0, 2, 15, 4, 5, 7);
    assert.match(logFilePath('/l/a.%d.log', date), /^\/l\/a\.2026-01-02T15:04:05(Z|[+-]\d\d:\d\d)\.log$/);
    assert.equal(logFilePath('/l/a.{datetime}.log', date), logFilePath('/l/a.%d.log', date));
    assert.equal(
      formatGoLayout('2006-01-02 15:04:05.000 Jan January Mon _2 03PM', date),
      '2026-01-02 15:04:05.007 Jan January Fri  2 03PM',
    );
    assert.equal(logFilePath('/l/plain.log', date), '/l/plain.log');
  });
});
