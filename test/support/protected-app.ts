// A tiny app without any login of its own, the kind forward-auth protects: it answers every request
// with the identity headers the reverse proxy handed it, so a test sees exactly what the app would.
import { createServer, type IncomingMessage } from 'node:http';
import { freePort } from './sesame.ts';

/** What the protected app saw of one request. */
export interface AppView {
  host: string;
  method: string;
  path: string;
  /** The Remote-* headers, or null when the proxy sent none. */
  user: string | null;
  groups: string | null;
  email: string | null;
  name: string | null;
}

export interface ProtectedApp {
  port: number;
  /** How many requests reached it: a request the proxy refused must not. */
  hits: number;
  close(): Promise<void>;
}

const header = (request: IncomingMessage, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};

export async function startProtectedApp(): Promise<ProtectedApp> {
  const port = await freePort();
  const app: ProtectedApp = { port, hits: 0, close: () => Promise.resolve() };
  const server = createServer((request, response) => {
    app.hits++;
    const view: AppView = {
      host: request.headers.host ?? '',
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      user: header(request, 'remote-user'),
      groups: header(request, 'remote-groups'),
      email: header(request, 'remote-email'),
      name: header(request, 'remote-name'),
    };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(view));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  app.close = () => new Promise((resolve) => server.close(() => resolve()));
  return app;
}
