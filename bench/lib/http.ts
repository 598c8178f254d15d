// A small HTTP/1.1 client for the scripted flows: keep-alive, no automatic redirects (each hop of
// an OpenID Connect flow is a step we look at), and a per-user cookie jar.
import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One browser's cookies. Paths are ignored: every cookie goes to the one origin under test. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=', 2).map((part) => part.trim());
        if (key.toLowerCase() === 'max-age') return Number(raw) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(raw) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A form body (sent as application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  jar?: CookieJar;
  timeoutMs?: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  constructor(sockets = 64) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(method: string, url: string | URL, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = typeof url === 'string' ? new URL(url) : url;
    const headers: Record<string, string> = { ...options.headers };
    const cookie = options.jar?.header();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const request = http.request(
        target,
        { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('error', reject);
          response.once('end', () => {
            options.jar?.store(response.headers['set-cookie']);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      request.once('timeout', () => request.destroy(new Error(`${method} ${target.pathname} timed out`)));
      request.once('error', reject);
      request.end(body);
    });
  }

  get(url: string | URL, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', url, options);
  }

  post(url: string | URL, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('POST', url, options);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** client_secret_basic: id and secret are form-encoded before base64 (RFC 6749 §2.3.1). */
export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function json<T>(response: HttpResponse, what: string): T {
  if (response.status !== 200)
    throw new Error(`${what}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body) as T;
}
