// The relying party's side of the flows, shared by the load generator and the set-up steps:
// discovery, PKCE, walking the browser part of an authorization, and the token endpoint.
import { createHash, randomBytes } from 'node:crypto';
import { basicAuth, json, type CookieJar, type HttpClient, type HttpResponse } from './http.ts';

export interface Endpoints {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  introspection_endpoint: string;
  jwks_uri: string;
}

export interface AppClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
}

/** Where every endpoint is comes from discovery, so Sesame and the baseline need no path tables. */
export async function discover(http: HttpClient, baseUrl: string): Promise<Endpoints> {
  return json<Endpoints>(
    await http.get(new URL('/.well-known/openid-configuration', baseUrl)),
    'discovery document',
  );
}

export function random(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = random(32);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizationUrl(
  endpoints: Endpoints,
  client: AppClient,
  challenge: string,
  scope: string,
  extra: Record<string, string> = {},
): URL {
  const url = new URL(endpoints.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: random(),
    nonce: random(),
    ...extra,
  }).toString();
  return url;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x2F': '/' };
function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x2F);/g, (_match, name: string) => ENTITIES[name] ?? '');
}

export interface HtmlForm {
  action: string;
  fields: Record<string, string>;
  isLogin: boolean;
}

/** The first form of a login or consent page: its action, hidden fields, and which kind it is. */
export function parseForm(html: string): HtmlForm | undefined {
  const form = /<form[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1];
    if (name && /type="hidden"/i.test(input[0])) fields[name] = unescapeHtml(value ?? '');
  }
  return { action: unescapeHtml(form[1]!), fields, isLogin: /name="password"/.test(form[2]!) };
}

function location(response: HttpResponse, base: URL): URL | undefined {
  const header = response.headers.location;
  return response.status >= 300 && response.status < 400 && header ? new URL(header, base) : undefined;
}

/** The code (or the error) in a redirect back to the client. */
function codeFrom(url: URL): string {
  const error = url.searchParams.get('error');
  if (error) throw new Error(`authorization refused: ${error} ${url.searchParams.get('error_description')}`);
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`no code in ${url.href}`);
  return code;
}

/**
 * Plays the browser from the authorization URL to the redirect back to the client: follows
 * redirects, fills in the login form and allows consent when they come. Returns the code.
 */
export async function browse(
  http: HttpClient,
  jar: CookieJar,
  start: URL,
  client: AppClient,
  credentials: Credentials | undefined,
): Promise<string> {
  let url = start;
  let response = await http.get(url, { jar });
  for (let step = 0; step < 12; step++) {
    const next = location(response, url);
    if (next) {
      if (next.href.startsWith(client.redirectUri)) return codeFrom(next);
      url = next;
      response = await http.get(url, { jar });
      continue;
    }
    const form = response.status === 200 ? parseForm(response.body) : undefined;
    if (!form) throw new Error(`unexpected answer at ${url.pathname}: HTTP ${response.status}`);
    if (form.isLogin && !credentials) throw new Error('a login form came, but no credentials were given');
    const fields =
      form.isLogin && credentials
        ? { ...form.fields, username: credentials.username, password: credentials.password }
        : { ...form.fields, decision: 'allow' };
    url = new URL(form.action, url);
    response = await http.post(url, { jar, form: fields });
  }
  throw new Error(`the authorization did not come back to the client after 12 steps (at ${url.href})`);
}

export async function exchangeCode(
  http: HttpClient,
  endpoints: Endpoints,
  client: AppClient,
  code: string,
  verifier: string,
): Promise<TokenResponse> {
  const response = await http.post(endpoints.token_endpoint, {
    headers: { authorization: basicAuth(client.clientId, client.clientSecret) },
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    },
  });
  return json<TokenResponse>(response, 'code exchange');
}

export async function refresh(
  http: HttpClient,
  endpoints: Endpoints,
  client: AppClient,
  refreshToken: string,
): Promise<TokenResponse> {
  const response = await http.post(endpoints.token_endpoint, {
    headers: { authorization: basicAuth(client.clientId, client.clientSecret) },
    form: { grant_type: 'refresh_token', refresh_token: refreshToken },
  });
  return json<TokenResponse>(response, 'refresh');
}

export async function userinfo(
  http: HttpClient,
  endpoints: Endpoints,
  accessToken: string,
): Promise<Record<string, unknown>> {
  const response = await http.get(endpoints.userinfo_endpoint, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return json<Record<string, unknown>>(response, 'userinfo');
}

/** A whole authorization: browser part (logging in if needed), then the code exchange. */
export async function signIn(
  http: HttpClient,
  jar: CookieJar,
  endpoints: Endpoints,
  client: AppClient,
  credentials: Credentials | undefined,
  scope: string,
  extra: Record<string, string> = {},
): Promise<TokenResponse> {
  const { verifier, challenge } = pkce();
  const code = await browse(
    http,
    jar,
    authorizationUrl(endpoints, client, challenge, scope, extra),
    client,
    credentials,
  );
  return exchangeCode(http, endpoints, client, code, verifier);
}
