// The forward-auth test harness checked on its own: real nginx and Caddy, configured as Authelia's
// guides show, in front of the protected app, asking a small stand-in authorization server. Proves
// that each proxy asks with the original request's method, URL and cookies, lets a request through
// only on 200 and hands the app the Remote-* headers, sends the rest to the portal with `rd`, and
// routes the portal's host to the portal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startProtectedApp, type AppView, type ProtectedApp } from './support/protected-app.ts';
import {
  AUTHZ_PATH,
  caddyForwardAuth,
  NGINX_AUTHREQUEST_CONF,
  NGINX_PROXY_CONF,
  nginxLocationConf,
  PORTAL_HOST,
  PROXY_KINDS,
  proxyRequest,
  startProxy,
  type RunningProxy,
} from './support/proxies.ts';
import { freePort } from './support/sesame.ts';

interface AuthServer {
  port: number;
  /** Each request the stand-in received: path and headers. */
  seen: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** The original URL the proxy asks about, from the headers each implementation sends. */
function originalUrl(headers: IncomingHttpHeaders): URL {
  const one = (name: string) => String(headers[name] ?? '');
  if (headers['x-original-url'] !== undefined) return new URL(one('x-original-url'));
  return new URL(`${one('x-forwarded-proto')}://${one('x-forwarded-host')}${one('x-forwarded-uri')}`);
}

/**
 * Decides by the original path: /public passes anyone, /ok with the cookie `session=alice` passes as alice, /forbidden is
 * refused, anything else is sent to the portal. Answers as Authelia's two implementations do:
 * auth-request with 401 and a Location, forward-auth with 302.
 */
async function startAuthServer(portalOrigin: () => string): Promise<AuthServer> {
  const port = await freePort();
  const seen: AuthServer['seen'] = [];
  const server: Server = createServer((request, response) => {
    // (Caddy keeps the original query string on the authorization request; only the path counts.)
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    seen.push({ path: request.url ?? '/', headers: request.headers });
    if (path !== AUTHZ_PATH.nginx && path !== AUTHZ_PATH.caddy) {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ portal: true, path: request.url, headers: request.headers }));
      return;
    }
    const original = originalUrl(request.headers);
    if (original.pathname === '/ok' && request.headers.cookie?.includes('session=alice')) {
      response.setHeader('Remote-User', 'alice');
      response.setHeader('Remote-Groups', 'admins,dev');
      response.setHeader('Remote-Email', 'alice@example.test');
      response.setHeader('Remote-Name', 'Alice Liddell');
      response.end();
      return;
    }
    if (original.pathname === '/public') {
      response.end();
      return;
    }
    if (original.pathname === '/forbidden') {
      response.statusCode = 403;
      response.end();
      return;
    }
    response.statusCode = path === AUTHZ_PATH.nginx ? 401 : 302;
    response.setHeader('Location', `${portalOrigin()}/?rd=${encodeURIComponent(original.href)}`);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const kind of PROXY_KINDS) {
  describe(`${kind} in front of the protected app`, () => {
    let app: ProtectedApp;
    let auth: AuthServer;
    let proxy: RunningProxy;
    const url = (host: string, path: string) => `${proxy.origin(host)}${path}`;

    before(async () => {
      app = await startProtectedApp();
      auth = await startAuthServer(() => proxy.origin(PORTAL_HOST));
      proxy = await startProxy(kind, {
        authPort: auth.port,
        appPort: app.port,
        appHosts: ['app.example.test', 'admin.example.test'],
      });
    });

    after(async () => {
      await proxy?.stop();
      await auth?.close();
      await app?.close();
    });

    test('an allowed request reaches the app with the identity headers', async () => {
      const response = await proxyRequest(url('app.example.test', '/ok'), {
        headers: { cookie: 'session=alice' },
      });
      assert.equal(response.status, 200, proxy.logs());
      assert.deepEqual(response.json<AppView>(), {
        // (nginx passes $host, without the port, as Authelia's proxy.conf does.)
        host: kind === 'nginx' ? 'app.example.test' : `app.example.test:${proxy.port}`,
        method: 'GET',
        path: '/ok',
        user: 'alice',
        groups: 'admins,dev',
        email: 'alice@example.test',
        name: 'Alice Liddell',
      });
    });

    test('the authorization server is asked about the original method, URL, client and cookie', async () => {
      const before = auth.seen.length;
      await proxyRequest(url('admin.example.test', '/ok?x=1'), {
        method: 'POST',
        headers: { cookie: 'session=alice' },
        localAddress: '127.0.0.2',
      });
      const asked = auth.seen.slice(before).find((request) => request.path.startsWith(AUTHZ_PATH[kind]));
      assert.ok(asked, `the proxy did not ask ${AUTHZ_PATH[kind]}`);
      assert.equal(originalUrl(asked.headers).href, `https://admin.example.test:${proxy.port}/ok?x=1`);
      const method = asked.headers['x-original-method'] ?? asked.headers['x-forwarded-method'];
      assert.equal(method, 'POST');
      assert.equal(asked.headers['x-forwarded-for'], '127.0.0.2');
      assert.match(asked.headers.cookie ?? '', /session=alice/);
    });

    test("a client's own X-Forwarded-For does not change the address the authorization server is told", async () => {
      const before = auth.seen.length;
      await proxyRequest(url('app.example.test', '/ok'), {
        headers: { cookie: 'session=alice', 'x-forwarded-for': '127.0.0.2' },
      });
      const asked = auth.seen.slice(before).find((request) => request.path.startsWith(AUTHZ_PATH[kind]));
      assert.equal(asked?.headers['x-forwarded-for'], '127.0.0.1');
    });

    test('without a session the browser is sent to the portal with rd, and the app is not reached', async () => {
      const hits = app.hits;
      const response = await proxyRequest(url('app.example.test', '/private?page=2'));
      assert.equal(response.status, 302);
      const location = new URL(response.location!);
      assert.equal(location.origin, proxy.origin(PORTAL_HOST));
      assert.equal(location.searchParams.get('rd'), `https://app.example.test:${proxy.port}/private?page=2`);
      assert.equal(app.hits, hits);
    });

    test('a refusal of the authorization server is a 403, and the app is not reached', async () => {
      const hits = app.hits;
      const response = await proxyRequest(url('app.example.test', '/forbidden'), {
        headers: { cookie: 'session=alice' },
      });
      assert.equal(response.status, 403);
      assert.equal(app.hits, hits);
    });

    test("a client's own Remote-User header never reaches the app", async () => {
      const response = await proxyRequest(url('app.example.test', '/ok'), {
        headers: { cookie: 'session=alice', 'remote-user': 'mallory', 'remote-groups': 'admins' },
      });
      assert.equal(response.json<AppView>().user, 'alice');
      assert.equal(response.json<AppView>().groups, 'admins,dev');
    });

    test("a 200 without identity (a bypass rule) hands the app no user, not even the client's own", async () => {
      const response = await proxyRequest(url('app.example.test', '/public'), {
        headers: { 'remote-user': 'mallory', 'remote-groups': 'admins' },
      });
      assert.equal(response.status, 200);
      const view = response.json<AppView>();
      // Caddy 2.6 fills a header the authorization answer lacks with its unexpanded placeholder.
      const none = kind === 'nginx' ? null : '{http.reverse_proxy.header.Remote-User}';
      assert.equal(view.user, none);
      assert.notEqual(view.groups, 'admins');
    });

    test('the portal host goes to the portal, told the original scheme and host', async () => {
      const response = await proxyRequest(url(PORTAL_HOST, '/?rd=x'));
      assert.equal(response.status, 200);
      const seen = response.json<{ portal: boolean; path: string; headers: IncomingHttpHeaders }>();
      assert.equal(seen.path, '/?rd=x');
      assert.equal(seen.headers['x-forwarded-proto'], 'https');
      assert.equal(seen.headers['x-forwarded-host'] ?? seen.headers.host, `${PORTAL_HOST}:${proxy.port}`);
    });

    test('a host the proxy does not serve reaches neither the app nor the portal', async () => {
      const hits = app.hits;
      const asked = auth.seen.length;
      // (nginx answers 404; Caddy an empty 200, its answer for a host no site matches.)
      const response = await proxyRequest(url('other.example.test', '/ok'), {
        headers: { cookie: 'session=alice' },
      });
      assert.equal(response.body.includes('alice'), false);
      assert.equal(app.hits, hits);
      assert.equal(auth.seen.length, asked);
    });
  });
}

test('docs/forward-auth-proxies.md shows the snippets these tests run, word for word', () => {
  const docs = readFileSync(new URL('../docs/forward-auth-proxies.md', import.meta.url), 'utf8');
  for (const [name, snippet] of Object.entries({
    'proxy.conf': NGINX_PROXY_CONF,
    'authelia-location.conf': nginxLocationConf('http://127.0.0.1:9091'),
    'authelia-authrequest.conf': NGINX_AUTHREQUEST_CONF,
    'Caddy forward_auth': caddyForwardAuth('127.0.0.1:9091'),
  }))
    assert.ok(docs.includes(snippet), `${name} differs from the docs`);
});
