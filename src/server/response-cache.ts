// Discovery documents and key sets are read far more often than they change: keep each one's
// serialised answer for a few seconds with an ETag, so most requests cost a map lookup (and a
// client that revalidates gets 304). Dropped at once when signing keys change.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENDPOINTS } from '../config/urls.ts';

const escape = (path: string) => path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const WELL_KNOWN = ENDPOINTS.discovery.map((path) => escape(path.slice(1))).join('|');
const APPLICATION = `${escape(ENDPOINTS.applicationPrefix)}/[a-z0-9-]+`;
/** Discovery and key sets, at the global issuer and at each application's. */
const CACHEABLE = [
  new RegExp(`^/(?:${WELL_KNOWN})$`),
  new RegExp(`^${escape(ENDPOINTS.global.jwks)}$`),
  new RegExp(`^${APPLICATION}/?(?:${WELL_KNOWN})$`),
  new RegExp(`^${APPLICATION}${escape(ENDPOINTS.perApplication.jwks)}/?$`),
];

interface Entry {
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
  expires: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  constructor(ttlMs = 10_000, maxEntries = 2_000) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  static cacheable(method: string | undefined, path: string): boolean {
    return (method === 'GET' || method === 'HEAD') && CACHEABLE.some((pattern) => pattern.test(path));
  }

  /**
   * The cache key of a request, or undefined when its answer is not cached. Built from the raw
   * request only — the peer address and the Host and X-Forwarded-* headers, from which the HTTP
   * layer derives the scheme and host that appear in the documents — so the answer can be found
   * before any routing (and CORS requests, whose answers vary by Origin, are left alone).
   */
  static keyOf(req: IncomingMessage): string | undefined {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    if (req.headers.origin !== undefined) return undefined;
    if (!ResponseCache.cacheable(req.method, query < 0 ? url : url.slice(0, query))) return undefined;
    const { host, 'x-forwarded-host': forwardedHost, 'x-forwarded-proto': forwardedProto } = req.headers;
    return `${req.socket.remoteAddress}|${host}|${String(forwardedHost)}|${String(forwardedProto)}|${url}`;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Answers from the cache when it can, with `extra` headers; true when the response was sent. */
  serve(key: string, req: IncomingMessage, res: ServerResponse, extra: Record<string, string> = {}): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return false;
    }
    for (const [name, value] of Object.entries(entry.headers)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
    res.setHeader('etag', entry.etag);
    if (req.headers['if-none-match'] === entry.etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.statusCode = 200;
    res.setHeader('content-length', entry.body.length);
    res.end(req.method === 'HEAD' ? undefined : entry.body);
    return true;
  }

  /** Records the 200 answer the protocol layer writes to `res`, and gives it an ETag. */
  record(key: string, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
      if (res.statusCode === 200 && chunks.length > 0) {
        const body = Buffer.concat(chunks);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        if (!res.headersSent) res.setHeader('etag', etag);
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'cache-control', 'access-control-allow-origin', 'vary']) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, { body, etag, headers, expires: Date.now() + this.ttlMs });
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
  }
}
