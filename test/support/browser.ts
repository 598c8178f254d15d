// Debian's Chromium driven by playwright-core, and a tiny relying party that records callbacks.
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { freePort } from './sesame.ts';

/** `extraArgs`: more Chromium flags (host mapping, a trusted test certificate). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/**
 * Every Content-Security-Policy violation the pages of `context` report from now on (Chromium
 * logs each refusal to the console, and fires securitypolicyviolation): a page that needs something
 * its policy forbids shows up here.
 */
export async function cspViolations(context: BrowserContext): Promise<string[]> {
  const seen: string[] = [];
  context.on('console', (message) => {
    if (/Content Security Policy|securitypolicyviolation/.test(message.text()))
      seen.push(`${message.location().url}: ${message.text()}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`securitypolicyviolation ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return seen;
}

export interface RelyingParty {
  origin: string;
  /** Every request the browser brought back (callbacks and post-logout returns). */
  hits: { method: string; url: URL; body: URLSearchParams }[];
  close(): Promise<void>;
}

/** `https`: serve over HTTPS at that host name (which the browser must map to 127.0.0.1 and trust). */
export async function startRelyingParty(https?: {
  host: string;
  key: string;
  cert: string;
}): Promise<RelyingParty> {
  const port = await freePort();
  const hits: RelyingParty['hits'] = [];
  const handler: RequestListener = (req, res) => {
    // Browsers ask for a favicon on their own schedule; it is not part of any flow.
    if (req.url === '/favicon.ico') {
      res.statusCode = 404;
      res.end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hits.push({
        method: req.method ?? 'GET',
        url: new URL(
          req.url ?? '/',
          `${https ? 'https' : 'http'}://${req.headers.host ?? `127.0.0.1:${port}`}`,
        ),
        body: new URLSearchParams(body),
      });
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>app</title><p>back at the app</p>');
    });
  };
  const server: Server = https ? createHttpsServer(https, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: https ? `https://${https.host}:${port}` : `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
