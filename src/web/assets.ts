// The few static files the pages load: the WebAuthn glue and the library it uses, read once.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

export function registerAssets(app: FastifyInstance): void {
  const files: Record<string, Buffer> = {
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
  for (const [path, body] of Object.entries(files))
    app.get(path, (_request, reply) =>
      reply
        .header(
          'content-type',
          path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
        )
        .header('cache-control', 'public, max-age=3600')
        .send(body),
    );
}

/** The script tags a page with WebAuthn forms needs. */
export const PASSKEY_SCRIPTS =
  '<script src="/assets/simplewebauthn-browser.js" defer></script><script src="/assets/passkeys.js" defer></script>';
