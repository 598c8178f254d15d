// Authelia's listener settings on a real Sesame: server.tls (HTTPS, and mutual TLS with
// client_certificates) checked at load and served to a real TLS client; server.timeouts and
// server.buffers observed on real sockets; server.headers.csp_template on the answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/report.ts';
import { createLogger } from '../src/lib/logger.ts';
import { startSesame, type RunningSesame } from '../src/server/runtime.ts';
import { createListener } from '../src/server/listener.ts';
import { freePort } from './support/sesame.ts';

const dir = mkdtempSync(join(tmpdir(), 'sesame-server-settings-'));
const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA (`<name>-ca.crt/.key`) and a certificate it signs (`<name>.crt/.key`) for `cn`. */
function issue(name: string, cn: string, extension: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.crt`,
    '-subj',
    `/CN=${name} CA`,
    '-days',
    '2',
  );
  openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(file(`${name}.ext`), `${extension}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${name}-ca.crt`,
    '-CAkey',
    `${name}-ca.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
}

function configFile(name: string, port: number, server: string): string {
  const path = file(`${name}.yml`);
  writeFileSync(
    path,
    `server:
  address: tcp://127.0.0.1:${port}/
${server}
log:
  level: silent
storage:
  encryption_key: settings-test-encryption-key-0123456789
  local:
    path: ${name}.sqlite3
authentication_backend:
  password_hashing:
    argon2: { memory: 8192, iterations: 1, parallelism: 1 }
identity_providers:
  oidc:
    hmac_secret: settings-test-hmac-secret-0123456789-0123456789
`,
  );
  return path;
}

async function start(name: string, server: string): Promise<{ running: RunningSesame; port: number }> {
  const port = await freePort();
  const running = await startSesame({
    path: configFile(name, port, server),
    env: {},
    logger: createLogger('silent'),
    print: () => {},
  });
  return { running, port };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpsGet(
  port: number,
  path: string,
  tls: { ca?: string; cert?: string; key?: string },
): Promise<Answer> {
  const read = (name?: string) => (name ? execFileSync('cat', [file(name)]).toString() : undefined);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: read(tls.ca),
        cert: read(tls.cert),
        key: read(tls.key),
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends `text` on a fresh connection; resolves with everything received once the server closes it. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

before(() => {
  issue('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1');
  issue('client', 'alice', 'extendedKeyUsage=clientAuth');
  issue('stranger', 'mallory', 'extendedKeyUsage=clientAuth');
});

describe('server.tls is checked when the configuration loads', () => {
  const problems = (server: string): string => {
    try {
      loadConfig(configFile('bad', 9, server), {});
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    assert.fail('the configuration loaded');
  };

  test('a missing file, a key that is not the certificate’s, a half configuration', () => {
    assert.match(
      problems('  tls:\n    key: nowhere.key\n    certificate: server.crt'),
      /bad\.yml:\d+ server\.tls\.key: .*nowhere\.key does not exist/,
    );
    assert.match(
      problems('  tls:\n    key: client.key\n    certificate: server.crt'),
      /server\.tls\.certificate: .*server\.crt does not belong to the key .*client\.key/,
    );
    assert.match(
      problems('  tls:\n    key: server.crt\n    certificate: server.crt'),
      /server\.tls\.key: .* is not a PEM private key/,
    );
    assert.match(
      problems('  tls:\n    key: server.key'),
      /server\.tls\.certificate: is required when key is set/,
    );
    assert.match(
      problems(
        '  tls:\n    key: server.key\n    certificate: server.crt\n    client_certificates: [server.key]',
      ),
      /server\.tls\.client_certificates\[0\]: .*holds no PEM certificate/,
    );
  });
});

describe('HTTPS with server.tls', () => {
  let sesame: { running: RunningSesame; port: number };
  before(async () => {
    sesame = await start('tls', '  tls:\n    key: server.key\n    certificate: server.crt');
  });
  after(() => sesame.running.close());

  test('serves HTTPS, names https URLs, and the early answers (discovery) work over it', async () => {
    assert.equal(sesame.running.url, `https://127.0.0.1:${sesame.port}`);
    assert.equal(sesame.running.config.externalUrl, `https://127.0.0.1:${sesame.port}`);
    const health = await httpsGet(sesame.port, '/healthz', { ca: 'server-ca.crt' });
    assert.equal(health.status, 200);
    assert.equal(health.headers['x-frame-options'], 'DENY');
    for (let round = 0; round < 2; round++) {
      const discovery = await httpsGet(sesame.port, '/.well-known/openid-configuration', {
        ca: 'server-ca.crt',
      });
      assert.equal(discovery.status, 200);
      assert.equal(
        (JSON.parse(discovery.body) as { issuer: string }).issuer,
        `https://127.0.0.1:${sesame.port}`,
      );
    }
  });

  test('a client that does not trust the certificate, or speaks plain HTTP, gets nothing', async () => {
    await assert.rejects(httpsGet(sesame.port, '/healthz', {}), /self-signed|unable to verify|certificate/i);
    const plain = await rawExchange(sesame.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.doesNotMatch(plain, /HTTP\/1\.1 200/);
  });
});

describe('mutual TLS with server.tls.client_certificates', () => {
  let sesame: { running: RunningSesame; port: number };
  before(async () => {
    sesame = await start(
      'mtls',
      '  tls:\n    key: server.key\n    certificate: server.crt\n    client_certificates: [client-ca.crt]',
    );
  });
  after(() => sesame.running.close());

  test('a certificate signed by a listed CA passes; none, or another CA’s, is refused', async () => {
    const ok = await httpsGet(sesame.port, '/healthz', {
      ca: 'server-ca.crt',
      cert: 'client.crt',
      key: 'client.key',
    });
    assert.equal(ok.status, 200);
    await assert.rejects(httpsGet(sesame.port, '/healthz', { ca: 'server-ca.crt' }));
    await assert.rejects(
      httpsGet(sesame.port, '/healthz', { ca: 'server-ca.crt', cert: 'stranger.crt', key: 'stranger.key' }),
    );
  });
});

describe('server.timeouts, server.buffers and server.headers.csp_template', () => {
  let sesame: { running: RunningSesame; port: number };
  const template = "default-src 'self'; style-src 'self' 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'";
  before(async () => {
    sesame = await start(
      'plain',
      `  timeouts: { read: 1s, write: 5s, idle: 1s }
  buffers: { read: 2048 }
  headers:
    csp_template: "${template}"`,
    );
  });
  after(() => sesame.running.close());

  test('the settings reach Node’s server', () => {
    const server = sesame.running.app.server;
    assert.equal(server.requestTimeout, 1000);
    assert.equal(server.headersTimeout, 1000);
    assert.equal(server.keepAliveTimeout, 1000);
    assert.equal((server as unknown as { maxHeaderSize: number }).maxHeaderSize, 2048);
  });

  test('timeouts.read: a request that does not arrive in time is answered 408 and closed', async () => {
    const received = await rawExchange(sesame.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    assert.match(received, /^HTTP\/1\.1 408/);
  });

  test('timeouts.idle: a kept-alive connection without a next request is closed', async () => {
    const received = await rawExchange(sesame.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.match(received, /^keep-alive: timeout=1\r$/im);
  });

  test('buffers.read: headers larger than it are answered 431, smaller ones pass', async () => {
    const header = (size: number) =>
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(size)}\r\nConnection: close\r\n\r\n`;
    assert.match(await rawExchange(sesame.port, header(3000)), /^HTTP\/1\.1 431/);
    assert.match(await rawExchange(sesame.port, header(1000)), /^HTTP\/1\.1 200/);
  });

  test('csp_template replaces the policy, with a fresh nonce for each answer', async () => {
    const policies = await Promise.all(
      ['/healthz', '/interaction/missing', '/.well-known/openid-configuration'].map(async (path) => {
        const response = await fetch(`http://127.0.0.1:${sesame.port}${path}`, { redirect: 'manual' });
        await response.arrayBuffer();
        return response.headers.get('content-security-policy')!;
      }),
    );
    const pattern =
      /^default-src 'self'; style-src 'self' 'nonce-([A-Za-z0-9_-]{24})'; script-src 'nonce-\1'$/;
    for (const policy of policies) assert.match(policy, pattern);
    const nonces = new Set(policies.map((policy) => pattern.exec(policy)![1]));
    assert.equal(nonces.size, policies.length);
  });
});

describe('timeouts.write and buffers.write on the listener', () => {
  test('a client that does not read loses the connection at the write deadline; the socket buffer is buffers.write', async () => {
    const body = Buffer.alloc(64 * 1024 * 1024, 'x');
    let highWaterMark = 0;
    const server = createListener(
      { timeouts: { read: 5, write: 1, idle: 5 }, buffers: { read: undefined, write: 8192 } },
      (req, res) => {
        highWaterMark = req.socket.writableHighWaterMark;
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const received = await new Promise<number>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.pause(); // reads nothing until the server gave up
        let bytes = 0;
        socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
        socket.on('close', () => resolve(bytes));
        socket.on('error', () => resolve(bytes));
        setTimeout(() => socket.resume(), 2500).unref();
        socket.setTimeout(30_000, () => reject(new Error('the server never closed the connection')));
      });
      assert.ok(received < body.length, `received the whole body (${received} bytes)`);
      assert.equal(highWaterMark, 8192);
    } finally {
      server.close();
    }
  });
});
