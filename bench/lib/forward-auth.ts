// Forward-auth in the benchmark: the cookie domain and access rules written into Sesame's
// configuration, the headers a proxy sends with each check, and a signed-in browser's domain cookie
// (obtained through the portal as a proxy's redirect would lead a browser there).
import { CookieJar, type HttpClient, type HttpResponse } from './http.ts';
import { parseForm, type Credentials } from './oidc.ts';

export const COOKIE_DOMAIN = 'bench.test';
const PORTAL = `https://auth.${COOKIE_DOMAIN}`;
export const PUBLIC_HOST = `public.${COOKIE_DOMAIN}`;
export const APP_HOST = `app.${COOKIE_DOMAIN}`;

/** The configuration sections: a bypass rule and a one_factor rule under one cookie domain. */
export const FORWARD_AUTH_CONFIG = {
  session: { cookies: [{ domain: COOKIE_DOMAIN, authelia_url: PORTAL }] },
  access_control: {
    default_policy: 'deny',
    rules: [
      { domain: PUBLIC_HOST, policy: 'bypass' },
      { domain: `*.${COOKIE_DOMAIN}`, policy: 'one_factor' },
    ],
  },
};

/** What Traefik or Caddy send to /api/authz/forward-auth for a browser's GET. */
export function forwardedHeaders(host: string, cookie?: string): Record<string, string> {
  return {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': host,
    'x-forwarded-uri': '/dashboard?tab=1',
    'x-forwarded-method': 'GET',
    'x-forwarded-for': '192.0.2.10',
    accept: 'text/html',
    ...(cookie ? { cookie } : {}),
  };
}

function redirectOf(response: HttpResponse, base: URL): URL | undefined {
  const header = response.headers.location;
  return response.status >= 300 && response.status < 400 && header ? new URL(header, base) : undefined;
}

/**
 * Signs in through the portal with `rd` pointing at the protected app and returns the
 * `name=value` of the domain cookie that comes back (set on the hop to the portal's host).
 */
export async function domainCookie(
  http: HttpClient,
  baseUrl: string,
  credentials: Credentials,
): Promise<string> {
  const jar = new CookieJar();
  const base = new URL(baseUrl);
  let url = new URL(`/?rd=${encodeURIComponent(`https://${APP_HOST}/dashboard`)}`, base);
  let response = await http.get(url, { jar });
  for (let step = 0; step < 15; step++) {
    const next = redirectOf(response, url);
    if (next && next.origin !== base.origin) {
      // The hop onto the cookie domain's host: ask Sesame with that Host, as the proxy would.
      if (next.hostname.endsWith(COOKIE_DOMAIN) && next.pathname !== '/dashboard') {
        const hop = await http.get(new URL(`${next.pathname}${next.search}`, base), {
          headers: { host: next.host, 'x-forwarded-proto': 'https' },
        });
        const line = [hop.headers['set-cookie'] ?? []]
          .flat()
          .find((value) => value.startsWith('authelia_session='));
        if (line) return line.split(';')[0]!;
        throw new Error(`the hop answered HTTP ${hop.status} without a domain cookie`);
      }
      throw new Error(`the sign-in left for ${next.href} without a domain cookie`);
    }
    if (next) {
      url = next;
      response = await http.get(url, { jar });
      continue;
    }
    const form = response.status === 200 ? parseForm(response.body) : undefined;
    if (!form?.isLogin) throw new Error(`unexpected answer at ${url.pathname}: HTTP ${response.status}`);
    url = new URL(form.action, url);
    response = await http.post(url, {
      jar,
      form: { ...form.fields, username: credentials.username, password: credentials.password },
    });
  }
  throw new Error('the forward-auth sign-in did not finish in 15 steps');
}
