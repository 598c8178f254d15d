// Real reverse proxies from Debian's packages (nginx, Caddy) in front of a protected app, configured
// as Authelia's integration guides show, each on a free 127.0.0.1 port with its own configuration,
// logs and state in a temporary folder. Sites are told apart by the Host header (TLS server name),
// every *.example.test name pointing to the one proxy port; HTTPS throughout, because the session
// cookie of a forward-auth installation is a Secure cookie.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sesame.ts';

export type ProxyKind = 'nginx' | 'caddy';
export const PROXY_KINDS: ProxyKind[] = ['nginx', 'caddy'];

export const DOMAIN = 'example.test';
export const PORTAL_HOST = `auth.${DOMAIN}`;

/** The authorization endpoint each proxy asks, as Authelia's guide for it configures. */
export const AUTHZ_PATH: Record<ProxyKind, string> = {
  nginx: '/api/authz/auth-request',
  caddy: '/api/authz/forward-auth',
};

export interface TestCertificate {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
  /** base64 SHA-256 of the server certificate's public key, for Chromium's SPKI allow-list. */
  spki: string;
}

let certificate: TestCertificate | undefined;

function openssl(dir: string, args: string[]) {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** A throw-away certificate authority and a certificate for example.test and *.example.test. */
export function testCertificate(): TestCertificate {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'sesame-tls-'));
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const run = (command: string) => openssl(dir, command.split(' '));
  run(`req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca`);
  run(`req ${ec} -keyout key.pem -out server.csr -subj /CN=${DOMAIN}`);
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=DNS:${DOMAIN},DNS:*.${DOMAIN}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  run(
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out cert.pem',
  );
  // nginx workers may run as another user than the master that reads the key.
  chmodSync(dir, 0o755);
  const pem = readFileSync(join(dir, 'cert.pem'));
  const spkiDer = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  certificate = {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    spki: createHash('sha256').update(spkiDer).digest('base64'),
  };
  return certificate;
}

/** Chromium flags that send *.example.test to 127.0.0.1 and trust the test certificate. */
export function browserArgs(): string[] {
  return [
    `--host-resolver-rules=MAP *.${DOMAIN} 127.0.0.1`,
    `--ignore-certificate-errors-spki-list=${testCertificate().spki}`,
  ];
}

export interface ProxyOptions {
  /** The port to listen on (pick it first with freePort() when the portal's URL must name it). */
  port?: number;
  /** Where Sesame (or a stand-in) listens: the portal and the authorization endpoint. */
  authPort: number;
  /** Where the protected app listens. */
  appPort: number;
  /** The protected sites' host names, every one in front of the app. */
  appHosts: string[];
}

export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  /** https://<host>:<port> */
  origin(host: string): string;
  /** What the proxy logged so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `kind` and resolves once it accepts connections. */
export async function startProxy(kind: ProxyKind, options: ProxyOptions): Promise<RunningProxy> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `sesame-${kind}-`));
  chmodSync(dir, 0o755);
  const tls = testCertificate();
  const settings = { ...options, port, dir, tls };
  const child = kind === 'nginx' ? startNginx(settings) : startCaddy(settings);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs = () => {
    const errorLog = kind === 'nginx' ? readIfThere(join(dir, 'error.log')) : '';
    return `${output}${errorLog}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForPort(port, child, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, port, origin: (host) => `https://${host}:${port}`, logs, stop };
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, child: ChildProcess, logs: () => string) {
  for (const deadline = Date.now() + 15_000; ;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the proxy exited (${child.exitCode ?? child.signalCode}):\n${logs()}`);
    if (await accepts(port)) return;
    if (Date.now() > deadline) throw new Error(`the proxy did not listen on ${port}:\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Settings extends Required<ProxyOptions> {
  dir: string;
  tls: TestCertificate;
}

// The snippets of Authelia's nginx guide (proxy.conf, authelia-location.conf and
// authelia-authrequest.conf, modern method), with the Authelia address made this test's.
export const NGINX_PROXY_CONF = `## Headers
proxy_set_header Host $host;
proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_set_header X-Forwarded-Host $http_host;
proxy_set_header X-Forwarded-URI $request_uri;
proxy_set_header X-Forwarded-Ssl on;
proxy_set_header X-Forwarded-For $remote_addr;
proxy_set_header X-Real-IP $remote_addr;

## Basic Proxy Configuration
client_body_buffer_size 128k;
proxy_next_upstream error timeout invalid_header http_500 http_502 http_503;
proxy_redirect  http://  $scheme://;
proxy_http_version 1.1;
proxy_cache_bypass $cookie_session;
proxy_no_cache $cookie_session;
proxy_buffers 64 256k;

## Trusted Proxies Configuration
real_ip_header X-Forwarded-For;
real_ip_recursive on;

## Advanced Proxy Configuration
send_timeout 5m;
proxy_read_timeout 360;
proxy_send_timeout 360;
proxy_connect_timeout 360;
`;

export const nginxLocationConf = (
  authUrl: string,
) => `set $upstream_authelia ${authUrl}/api/authz/auth-request;

## Virtual endpoint created by nginx to forward auth requests.
location /internal/authelia/authz {
    ## Essential Proxy Configuration
    internal;
    proxy_pass $upstream_authelia;

    ## Headers
    ## The headers starting with X-* are required.
    proxy_set_header X-Original-Method $request_method;
    proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header Content-Length "";
    proxy_set_header Connection "";

    ## Basic Proxy Configuration
    proxy_pass_request_body off;
    proxy_next_upstream error timeout invalid_header http_500 http_502 http_503;
    proxy_redirect http:// $scheme://;
    proxy_http_version 1.1;
    proxy_cache_bypass $cookie_session;
    proxy_no_cache $cookie_session;
    proxy_buffers 4 32k;
    client_body_buffer_size 128k;

    ## Advanced Proxy Configuration
    send_timeout 5m;
    proxy_read_timeout 240;
    proxy_send_timeout 240;
    proxy_connect_timeout 240;
}
`;

export const NGINX_AUTHREQUEST_CONF = `## Send a subrequest to Authelia to verify if the user is authenticated and has permission to access the resource.
auth_request /internal/authelia/authz;

## Save the upstream metadata response headers from Authelia to variables.
auth_request_set $user $upstream_http_remote_user;
auth_request_set $groups $upstream_http_remote_groups;
auth_request_set $name $upstream_http_remote_name;
auth_request_set $email $upstream_http_remote_email;

## Inject the metadata response headers from the variables into the request made to the backend.
proxy_set_header Remote-User $user;
proxy_set_header Remote-Groups $groups;
proxy_set_header Remote-Email $email;
proxy_set_header Remote-Name $name;

## Set the $redirection_url to the Location header of the response to the Authz endpoint.
auth_request_set $redirection_url $upstream_http_location;

## When there is a 401 response code from the authz endpoint redirect to the $redirection_url.
error_page 401 =302 $redirection_url;
`;

function nginxConf(s: Settings): string {
  const listen = `listen 127.0.0.1:${s.port} ssl;`;
  return `daemon off;
worker_processes 1;
pid ${s.dir}/nginx.pid;
error_log ${s.dir}/error.log notice;
events { worker_connections 256; }
http {
    access_log ${s.dir}/access.log;
    client_body_temp_path ${s.dir}/client_body;
    proxy_temp_path ${s.dir}/proxy;
    fastcgi_temp_path ${s.dir}/fastcgi;
    uwsgi_temp_path ${s.dir}/uwsgi;
    scgi_temp_path ${s.dir}/scgi;
    ssl_certificate ${s.tls.certFile};
    ssl_certificate_key ${s.tls.keyFile};

    # Any other host name: nothing here.
    server {
        ${listen}
        server_name _;
        return 404;
    }

    # The portal.
    server {
        ${listen}
        server_name ${PORTAL_HOST};
        set $upstream http://127.0.0.1:${s.authPort};
        location / {
            include ${s.dir}/snippets/proxy.conf;
            proxy_pass $upstream;
        }
    }

    # The protected sites.
    server {
        ${listen}
        server_name ${s.appHosts.join(' ')};
        include ${s.dir}/snippets/authelia-location.conf;
        set $upstream http://127.0.0.1:${s.appPort};
        location / {
            include ${s.dir}/snippets/proxy.conf;
            include ${s.dir}/snippets/authelia-authrequest.conf;
            proxy_pass $upstream;
        }
    }
}
`;
}

function startNginx(s: Settings): ChildProcess {
  const snippets = join(s.dir, 'snippets');
  mkdirSync(snippets);
  writeFileSync(join(snippets, 'proxy.conf'), NGINX_PROXY_CONF);
  writeFileSync(
    join(snippets, 'authelia-location.conf'),
    nginxLocationConf(`http://127.0.0.1:${s.authPort}`),
  );
  writeFileSync(join(snippets, 'authelia-authrequest.conf'), NGINX_AUTHREQUEST_CONF);
  writeFileSync(join(s.dir, 'nginx.conf'), nginxConf(s));
  // -p and -e keep nginx off the packaged paths (/usr/share/nginx, /var/log/nginx) entirely.
  return spawn(
    '/usr/sbin/nginx',
    ['-p', s.dir, '-e', join(s.dir, 'error.log'), '-c', join(s.dir, 'nginx.conf')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** The forward_auth directive of Authelia's Caddy guide, asking Sesame at `address`. */
export const caddyForwardAuth = (address: string) => `forward_auth ${address} {
		uri /api/authz/forward-auth
		copy_headers Remote-User Remote-Groups Remote-Email Remote-Name
	}`;

/** The Caddyfile of Authelia's guide (subdomain example), on one port with the test certificate. */
function caddyfile(s: Settings): string {
  const tls = `tls ${s.tls.certFile} ${s.tls.keyFile}`;
  const sites = s.appHosts.map((host) => `https://${host}:${s.port}`).join(', ');
  return `{
	admin off
	auto_https off
	storage file_system ${s.dir}/storage
	skip_install_trust
}

# Authelia Portal.
https://${PORTAL_HOST}:${s.port} {
	bind 127.0.0.1
	${tls}
	reverse_proxy 127.0.0.1:${s.authPort}
}

# Protected Endpoint.
${sites} {
	bind 127.0.0.1
	${tls}
	${caddyForwardAuth(`127.0.0.1:${s.authPort}`)}
	reverse_proxy 127.0.0.1:${s.appPort}
}
`;
}

function startCaddy(s: Settings): ChildProcess {
  const file = join(s.dir, 'Caddyfile');
  writeFileSync(file, caddyfile(s));
  // Caddy keeps its state under HOME / XDG folders: point them all into the temporary folder.
  const env = { ...process.env, HOME: s.dir, XDG_DATA_HOME: s.dir, XDG_CONFIG_HOME: s.dir };
  return spawn('/usr/bin/caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  location: string | undefined;
  json<T = unknown>(): T;
}

export interface ProxyRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** The client address to connect from (any 127.x.y.z works on Linux), for network rules. */
  localAddress?: string;
  body?: string;
}

/** One HTTPS request to `url` (https://<host>.example.test:<port>/…) at 127.0.0.1; redirects are not followed. */
export function proxyRequest(url: string, options: ProxyRequestOptions = {}): Promise<ProxyResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port: Number(target.port),
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        servername: target.hostname,
        ca: testCertificate().ca,
        localAddress: options.localAddress,
        agent: false,
        headers: { host: target.host, accept: 'text/html', ...options.headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            location: response.headers.location,
            json: <T>() => JSON.parse(body) as T,
          }),
        );
      },
    );
    request.once('error', reject);
    request.end(options.body);
  });
}

/** fetch() for *.example.test behind the proxy (openid-client's customFetch): 127.0.0.1, the test CA. */
export async function proxyFetch(
  url: string,
  init: { method?: string; headers?: HeadersInit; body?: unknown },
): Promise<Response> {
  // (openid-client sends form bodies as URLSearchParams, JSON as a string.)
  const body =
    typeof init.body === 'string' || init.body instanceof URLSearchParams ? init.body.toString() : undefined;
  const response = await proxyRequest(url, {
    method: init.method,
    headers: Object.fromEntries(new Headers(init.headers)),
    body,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers))
    for (const one of [value ?? []].flat()) headers.append(name, one);
  const empty = [204, 304].includes(response.status);
  return new Response(empty ? null : response.body, { status: response.status, headers });
}
