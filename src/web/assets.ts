// The few static files the pages load: the WebAuthn glue and the library it uses, read once.
// They are most of a page's weight (Pico CSS alone is 83 KB), so they are served compressed (made
// once, on first request). Pages themselves are not compressed: they hold CSRF tokens next to text
// a visitor can influence, which compression would let an eavesdropper probe (BREACH).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** The pages' own stylesheets, by path (registered as their modules load; see stylesheet()). */
const stylesheets = new Map<string, Buffer>();

/**
 * Serves a page area's styles as a file of their own and gives its path: the pages' CSP allows no
 * inline styles. The path carries a digest of the content, so a changed stylesheet is a new URL.
 */
export function stylesheet(name: string, css: string): string {
  const body = Buffer.from(css.trim());
  const path = `/assets/${name}.${createHash('sha256').update(body).digest('base64url').slice(0, 12)}.css`;
  stylesheets.set(path, body);
  return path;
}

export function registerAssets(app: FastifyInstance): void {
  const files: Record<string, Buffer> = {
    ...Object.fromEntries(stylesheets),
    '/assets/passkeys.js': readFileSync(new URL('../../public/passkeys.js', import.meta.url)),
    '/assets/admin.js': readFileSync(new URL('../../public/admin.js', import.meta.url)),
    '/assets/pico.min.css': readFileSync(
      require.resolve('@picocss/pico/package.json').replace(/package\.json$/, 'css/pico.min.css'),
    ),
    '/assets/simplewebauthn-browser.js': readFileSync(
      require
        .resolve('@simplewebauthn/browser')
        .replace(/(esm|script)[/\\]index\.js$/, 'dist/bundle/index.umd.min.js'),
    ),
  };
  for (const [path, body] of Object.entries(files)) {
    const encoded: { br?: Buffer; gzip?: Buffer } = {};
    app.get(path, (request, reply) => {
      const accepted = String(request.headers['accept-encoding'] ?? '');
      const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined;
      void reply
        .header(
          'content-type',
          path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
        )
        .header('cache-control', 'public, max-age=3600')
        .header('vary', 'accept-encoding');
      if (!encoding) return reply.send(body);
      encoded[encoding] ??=
        encoding === 'br'
          ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
          : gzipSync(body, { level: 9 });
      return reply.header('content-encoding', encoding).send(encoded[encoding]);
    });
  }
}

/** The script tags a page with WebAuthn forms needs. */
export const PASSKEY_SCRIPTS =
  '<script src="/assets/simplewebauthn-browser.js" defer></script><script src="/assets/passkeys.js" defer></script>';
