// Forward-auth through the real HTTP stack: the authorization endpoints as a proxy asks them, the
// sign-in entry with `rd`, the hop that sets the domain cookie, single sign-on with the login session
// and sign-out, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { PASSWORD } from './support/flows.ts';
import { skipWithoutPostgres } from './support/postgres.ts';
import { skipWithoutRedis } from './support/redis.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const CONFIG = `session:
  cookies:
    - domain: example.com
      authelia_url: https://auth.example.com
      default_redirection_url: https://home.example.com/
    - domain: idle.test
      authelia_url: https://auth.idle.test
      inactivity: 2s
access_control:
  default_policy: deny
  rules:
    - domain: public.example.com
      policy: bypass
    - domain: intranet.example.com
      networks: [10.0.0.0/8]
      policy: bypass
    - domain: secure.example.com
      policy: two_factor
    - domain: admins.example.com
      subject: group:admins
      policy: one_factor
    - domain: admins.example.com
      policy: deny
    - domain: '*.example.com'
      policy: one_factor
    - domain: '*.idle.test'
      policy: one_factor
`;

/** One request over node:http (it lets the test set Host, as a proxy does). */
function send(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const url = new URL(path, base);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A browser's cookies for Sesame's own host, by name. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(answer: Answer): void {
    for (const line of [answer.headers['set-cookie'] ?? []].flat()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function location(answer: Answer): string {
  return String(answer.headers.location ?? '');
}

function setCookie(answer: Answer, name: string): string | undefined {
  return [answer.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith(`${name}=`));
}

function forwarded(host: string, extra: Record<string, string> = {}, uri = '/page?x=1', method = 'GET') {
  return {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': host,
    'x-forwarded-uri': uri,
    'x-forwarded-method': method,
    accept: 'text/html,application/xhtml+xml',
    ...extra,
  };
}

/** Sessions in Redis (session.redis) instead of the database: the same behaviour, every test. */
const REDIS = 'session:\n  redis:\n    host: 127.0.0.1\n    port: 6379\n';

const VARIANTS = [
  { engine: 'sqlite', redis: false },
  { engine: 'postgres', redis: false },
  { engine: 'sqlite', redis: true },
] as const;

/** A browser, as the tests drive it, against the Sesame at `base()` (any node of it). */
function browserOf(base: () => string) {
  /** Signs in through the portal as a browser sent by a proxy, up to the hop to the cookie domain. */
  async function signIn(jar: Jar, rd: string, username = 'pat', remember = false): Promise<Answer> {
    let answer = await send(base(), `/?rd=${encodeURIComponent(rd)}`, {
      headers: { cookie: jar.header() },
    });
    for (let hops = 0; hops < 20; hops++) {
      jar.take(answer);
      const next = location(answer);
      if (answer.status === 200 && /name="password"/.test(answer.body)) {
        const action = /<form method="post" action="([^"]+)"/.exec(answer.body)![1]!.replaceAll('&amp;', '&');
        const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1] ?? '';
        assert.match(answer.body, /name="remember"/, 'the login page offers "Remember me"');
        const form = new URLSearchParams({ csrf, username, password: PASSWORD });
        if (remember) form.set('remember', 'on');
        answer = await send(base(), action, {
          method: 'POST',
          headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
        continue;
      }
      if (![302, 303].includes(answer.status) || (!next.startsWith('/') && !next.startsWith(base())))
        return answer;
      answer = await send(base(), next, { headers: { cookie: jar.header() } });
    }
    throw new Error('too many redirects');
  }

  /** The hop on the cookie domain's host: the domain cookie's value. */
  async function redeem(hop: string): Promise<{ answer: Answer; cookie?: string }> {
    const url = new URL(hop);
    const answer = await send(base(), `${url.pathname}${url.search}`, {
      headers: { host: url.host },
    });
    const line = setCookie(answer, 'authelia_session');
    return { answer, cookie: line?.split(';')[0]!.split('=')[1] };
  }
  return { signIn, redeem };
}

for (const { engine, redis } of VARIANTS) {
  describe(
    `forward-auth on ${engine}${redis ? ', sessions in Redis' : ''}`,
    { skip: engine === 'postgres' ? await skipWithoutPostgres() : redis ? await skipWithoutRedis() : false },
    () => {
      let sesame: TestSesame;
      before(async () => {
        const topLevelYaml = redis ? CONFIG.replace('session:\n', REDIS) : CONFIG;
        sesame = await startTestSesame(engine, '', { topLevelYaml });
        await sesame.addUser({
          username: 'pat',
          password: PASSWORD,
          email: 'pat@example.com',
          displayName: 'Pat Doe',
          groups: ['staff'],
        });
        await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
      });
      after(() => sesame?.stop());

      const check = (path: string, headers: Record<string, string>, method = 'GET') =>
        send(sesame.url, path, { headers, method });

      const { signIn, redeem } = browserOf(() => sesame.url);

      test('anonymous: ForwardAuth 302 (303 for POST, 401 for XHR), AuthRequest 401 with Location, Legacy 401 or a redirect with rd', async () => {
        const target = 'https://app.example.com/page?x=1';
        const fa = await check('/api/authz/forward-auth', forwarded('app.example.com'));
        assert.equal(fa.status, 302);
        const expected = `https://auth.example.com/?rd=${encodeURIComponent(target)}&rm=GET`;
        assert.equal(location(fa), expected);
        assert.equal(
          (await check('/api/authz/forward-auth', forwarded('app.example.com', {}, '/page?x=1', 'POST')))
            .status,
          303,
        );
        assert.equal(
          (
            await check(
              '/api/authz/forward-auth',
              forwarded('app.example.com', { 'x-requested-with': 'XMLHttpRequest' }),
            )
          ).status,
          401,
        );
        const ar = await check('/api/authz/auth-request', {
          'x-original-url': target,
          'x-original-method': 'GET',
          accept: 'text/html',
        });
        assert.equal(ar.status, 401);
        assert.equal(location(ar), expected);
        const legacy = await check('/api/verify', { 'x-original-url': target, accept: 'text/html' });
        assert.equal(legacy.status, 401);
        const legacyRd = await check(`/api/verify?rd=${encodeURIComponent('https://auth.example.com/')}`, {
          'x-original-url': target,
          accept: 'text/html',
        });
        assert.equal(legacyRd.status, 302);
        assert.equal(location(legacyRd), expected);
        const ext = await send(sesame.url, '/api/authz/ext-authz/page?x=1', {
          headers: { host: 'app.example.com', 'x-forwarded-proto': 'https', accept: 'text/html' },
        });
        assert.equal(ext.status, 302);
        assert.equal(location(ext), expected);
      });

      test('bypass answers 200 without identity; deny 403; http targets, unknown domains and foreign authelia_url 400', async () => {
        const bypass = await check('/api/authz/forward-auth', forwarded('public.example.com'));
        assert.equal(bypass.status, 200);
        assert.equal(bypass.headers['remote-user'], undefined);
        assert.equal((await check('/api/authz/forward-auth', forwarded('other.test'))).status, 400);
        assert.equal(
          (
            await check('/api/authz/forward-auth', {
              ...forwarded('app.example.com'),
              'x-forwarded-proto': 'http',
            })
          ).status,
          400,
        );
        assert.equal(
          (
            await check(
              '/api/authz/forward-auth?authelia_url=https://evil.test/',
              forwarded('app.example.com'),
            )
          ).status,
          400,
        );
        assert.equal(
          (
            await check(
              '/api/authz/forward-auth',
              forwarded('app.example.com', { 'x-forwarded-method': 'get' }),
            )
          ).status,
          400,
        );
      });

      test('network rules use the client address the proxy reports', async () => {
        const inside = await check(
          '/api/authz/forward-auth',
          forwarded('intranet.example.com', { 'x-forwarded-for': '10.1.2.3' }),
        );
        assert.equal(inside.status, 200);
        const outside = await check(
          '/api/authz/forward-auth',
          forwarded('intranet.example.com', { 'x-forwarded-for': '192.0.2.7' }),
        );
        assert.equal(outside.status, 302);
      });

      test('Basic credentials (HeaderAuthorization, on by default): 200 with Remote-* headers; wrong ones 401 with a challenge; two_factor asks again', async () => {
        const basic = (user: string, password: string) =>
          `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        const ok = await check(
          '/api/authz/forward-auth',
          forwarded('app.example.com', { authorization: basic('pat', PASSWORD) }),
        );
        assert.equal(ok.status, 200);
        assert.equal(ok.headers['remote-user'], 'pat');
        assert.equal(ok.headers['remote-groups'], 'staff');
        assert.equal(ok.headers['remote-email'], 'pat@example.com');
        assert.equal(ok.headers['remote-name'], 'Pat Doe');
        const wrong = await check(
          '/api/authz/forward-auth',
          forwarded('app.example.com', { authorization: basic('pat', 'nope') }),
        );
        assert.equal(wrong.status, 401);
        assert.equal(wrong.headers['www-authenticate'], 'Basic realm="Authorization Required"');
        const twoFactor = await check(
          '/api/authz/forward-auth',
          forwarded('secure.example.com', { authorization: basic('pat', PASSWORD) }),
        );
        assert.equal(twoFactor.status, 401);
        // The legacy endpoint takes Proxy-Authorization (HeaderLegacy), and Authorization with ?auth=basic.
        const legacy = await check('/api/verify', {
          'x-original-url': 'https://app.example.com/',
          'proxy-authorization': basic('pat', PASSWORD),
        });
        assert.equal(legacy.status, 200);
        assert.equal(legacy.headers['remote-user'], 'pat');
        const legacyMissing = await check('/api/verify?auth=basic', {
          'x-original-url': 'https://app.example.com/',
        });
        assert.equal(legacyMissing.status, 401);
        assert.equal(legacyMissing.headers['www-authenticate'], 'Basic realm="Authorization Required"');
      });

      test('subject rules: a group member passes, anyone else is refused (403), and anonymous is sent to sign in', async () => {
        const basic = (user: string) => `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;
        assert.equal(
          (
            await check(
              '/api/authz/forward-auth',
              forwarded('admins.example.com', { authorization: basic('root') }),
            )
          ).status,
          200,
        );
        assert.equal(
          (
            await check(
              '/api/authz/forward-auth',
              forwarded('admins.example.com', { authorization: basic('pat') }),
            )
          ).status,
          403,
        );
        assert.equal((await check('/api/authz/forward-auth', forwarded('admins.example.com'))).status, 302);
      });

      test('sign-in with rd → hop → domain cookie → 200; the OpenID Connect login session is the same login; sign-out ends both', async () => {
        const jar = new Jar();
        const rd = 'https://app.example.com/dashboard';
        const afterLogin = await signIn(jar, rd);
        assert.equal(afterLogin.status, 302);
        const hop = location(afterLogin);
        assert.match(hop, /^https:\/\/auth\.example\.com\/api\/authz-session\?token=/);
        const { answer, cookie } = await redeem(hop);
        assert.equal(answer.status, 302);
        assert.equal(location(answer), rd);
        assert.ok(cookie);
        const line = setCookie(answer, 'authelia_session')!;
        assert.match(line, /Domain=example\.com/);
        assert.match(line, /Secure/);
        assert.match(line, /HttpOnly/);
        assert.match(line, /SameSite=Lax/);
        // The hop token is single-use.
        assert.equal((await redeem(hop)).answer.status, 400);

        const withCookie = { cookie: `authelia_session=${cookie}` };
        const ok = await check('/api/authz/forward-auth', forwarded('app.example.com', withCookie));
        assert.equal(ok.status, 200);
        assert.equal(ok.headers['remote-user'], 'pat');
        const ar = await check('/api/authz/auth-request', {
          'x-original-url': 'https://app.example.com/',
          'x-original-method': 'GET',
          ...withCookie,
        });
        assert.equal(ar.status, 200);
        // A one-factor login on a two_factor resource: back to the sign-in, for the second factor.
        const stepUp = await check('/api/authz/forward-auth', forwarded('secure.example.com', withCookie));
        assert.equal(stepUp.status, 302);

        // Already signed in (the portal's login session): another app's rd goes straight back (SSO).
        const again = await send(sesame.url, `/?rd=${encodeURIComponent('https://other.example.com/')}`, {
          headers: { cookie: jar.header() },
        });
        assert.equal(again.status, 302);
        assert.match(location(again), /^https:\/\/auth\.example\.com\/api\/authz-session\?token=/);
        // The step-up for a two_factor resource starts a sign-in asking for the second factor.
        const twoFactor = await send(
          sesame.url,
          `/?rd=${encodeURIComponent('https://secure.example.com/')}`,
          { headers: { cookie: jar.header() } },
        );
        assert.equal(
          location(twoFactor),
          `/portal/login?rd=${encodeURIComponent('https://secure.example.com/')}&level=two_factor`,
        );

        // Sign-out at the portal: the login session ends, and with it the domain cookie, at once.
        const logout = await send(
          sesame.url,
          `/logout?rd=${encodeURIComponent('https://public.example.com/')}`,
          { headers: { cookie: jar.header() } },
        );
        assert.equal(logout.status, 302);
        const confirm = await send(sesame.url, location(logout), { headers: { cookie: jar.header() } });
        jar.take(confirm);
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
        const action = /action="([^"]+)"/.exec(confirm.body)?.[1];
        assert.ok(xsrf && action, confirm.body.slice(0, 500));
        const done = await send(sesame.url, action.replaceAll('&amp;', '&'), {
          method: 'POST',
          headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ xsrf: xsrf, logout: 'yes' }).toString(),
        });
        jar.take(done);
        const back = await send(sesame.url, location(done), { headers: { cookie: jar.header() } });
        assert.equal(back.status, 302);
        assert.equal(location(back), 'https://public.example.com/');
        assert.equal(
          (await check('/api/authz/forward-auth', forwarded('app.example.com', withCookie))).status,
          302,
        );
      });

      test('rd is followed only to https URLs on a cookie domain', async () => {
        for (const rd of [
          'https://evil.test/',
          'http://app.example.com/',
          '//evil.test/',
          'javascript:alert(1)',
          'https://example.com.evil.test/',
          'https://user:pw@app.example.com/',
        ]) {
          const answer = await send(sesame.url, `/?rd=${encodeURIComponent(rd)}`);
          assert.equal(answer.status, 302, rd);
          // (default_redirection_url belongs to the cookie domain of the host one is on; Sesame's own is not one.)
          assert.equal(location(answer), '/portal', rd);
        }
      });

      test('after `inactivity` without forward-auth use, the login session alone does not bring the cookie back: sign in again', async () => {
        const jar = new Jar();
        const hop = location(await signIn(jar, 'https://app.idle.test/'));
        assert.match(hop, /^https:\/\/auth\.idle\.test\/api\/authz-session\?token=/);
        const arrive = () =>
          send(sesame.url, `/?rd=${encodeURIComponent('https://app.idle.test/later')}`, {
            headers: { cookie: jar.header() },
          });
        // Within inactivity: straight back with a new hop (single sign-on).
        assert.match(location(await arrive()), /\/api\/authz-session\?token=/);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const idle = await arrive();
        assert.equal(idle.status, 302);
        assert.match(location(idle), /^\/portal\/login\?.*again=1/);
        // The sign-in asks for the password again (prompt=login), then goes back.
        let page = idle;
        for (let hops = 0; hops < 10 && [302, 303].includes(page.status); hops++) {
          jar.take(page);
          page = await send(sesame.url, location(page), { headers: { cookie: jar.header() } });
        }
        assert.match(page.body, /name="password"/);
        const again = await signIn(jar, 'https://app.idle.test/later');
        assert.match(location(again), /^https:\/\/auth\.idle\.test\/api\/authz-session\?token=/);
      });

      test('"Remember me": the domain cookie outlives the browser for remember_me; without it, it lasts the browser session', async () => {
        const forgotten = await redeem(location(await signIn(new Jar(), 'https://app.example.com/')));
        assert.doesNotMatch(setCookie(forgotten.answer, 'authelia_session')!, /Max-Age/i);
        const jar = new Jar();
        const kept = await redeem(location(await signIn(jar, 'https://app.example.com/', 'pat', true)));
        assert.match(setCookie(kept.answer, 'authelia_session')!, /Max-Age=2629800/);
        // The login session itself is remembered too (a persistent cookie), as Authelia's is.
        const again = await send(sesame.url, `/?rd=${encodeURIComponent('https://other.example.com/')}`, {
          headers: { cookie: jar.header() },
        });
        assert.match(location(again), /\/api\/authz-session\?token=/);
      });

      test('a hop token redeemed by 20 parallel requests has exactly one winner', async () => {
        const jar = new Jar();
        const hop = location(await signIn(jar, 'https://app.example.com/'));
        const answers = await Promise.all(Array.from({ length: 20 }, () => redeem(hop)));
        assert.equal(answers.filter((one) => one.answer.status === 302 && one.cookie).length, 1);
        assert.equal(answers.filter((one) => one.answer.status === 400).length, 19);
      });
    },
  );
}

for (const redis of [false, true])
  describe(
    `forward-auth on two nodes of one installation (PostgreSQL${redis ? ', sessions in Redis' : ''})`,
    { skip: (await skipWithoutPostgres()) || (redis && (await skipWithoutRedis())) },
    () => {
      let first: TestSesame;
      let second: TestSesame;
      before(async () => {
        const topLevelYaml = redis ? CONFIG.replace('session:\n', REDIS) : CONFIG;
        first = await startTestSesame('postgres', '', { topLevelYaml });
        second = await startTestSesame('postgres', '', { topLevelYaml, nodeOf: first });
        await first.addUser({ username: 'pat', password: PASSWORD });
      });
      after(async () => {
        await second?.stop();
        await first?.stop();
      });

      test('a hop token redeemed by 20 parallel requests across both nodes has exactly one winner; the cookie works on either', async () => {
        const onFirst = browserOf(() => first.nodeUrl);
        const onSecond = browserOf(() => second.nodeUrl);
        const hop = location(await onFirst.signIn(new Jar(), 'https://app.example.com/'));
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, index) => (index % 2 ? onFirst : onSecond).redeem(hop)),
        );
        const winners = answers.filter((one) => one.answer.status === 302 && one.cookie);
        assert.equal(winners.length, 1);
        const headers = forwarded('app.example.com', { cookie: `authelia_session=${winners[0]!.cookie}` });
        for (const node of [first, second]) {
          const answer = await send(node.nodeUrl, '/api/authz/forward-auth', { headers });
          assert.equal(answer.status, 200);
          assert.equal(answer.headers['remote-user'], 'pat');
        }
      });
    },
  );

describe('forwarded headers from a peer not in server.trusted_proxies are not believed', () => {
  let sesame: TestSesame;
  before(async () => {
    sesame = await startTestSesame('sqlite', '', {
      topLevelYaml: CONFIG,
      serverYaml: '  trusted_proxies: [192.0.2.1]',
    });
  });
  after(() => sesame?.stop());

  test('the target is unknown: 400', async () => {
    const answer = await send(sesame.url, '/api/authz/forward-auth', {
      headers: forwarded('public.example.com'),
    });
    assert.equal(answer.status, 400);
  });
});
