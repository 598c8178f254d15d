// The Node HTTP(S) server under Fastify (and under the metrics endpoint), built from Authelia's
// listener settings. Authelia's server is fasthttp; each setting maps onto the closest Node knob:
//
//   timeouts.read   → requestTimeout and headersTimeout: the whole request (headers and body) must
//                     arrive within it, else 408 and the connection is closed.
//   timeouts.write  → a deadline per response, from its first byte: a response not fully handed to
//                     the operating system by then (a client reading too slowly) loses its connection.
//   timeouts.idle   → keepAliveTimeout: how long a kept-alive connection waits for the next request.
//   buffers.read    → maxHeaderSize: the request line and headers must fit, else 431 (fasthttp's read
//                     buffer limits the same thing).
//   buffers.write   → the sockets' high-water mark: how much a response buffers before waiting for
//                     the client (fasthttp's write buffer is its per-connection output buffer).
//
// server.tls serves HTTPS; with client_certificates the handshake requires a client certificate
// signed by one of those CAs (mutual TLS), as Authelia's RequireAndVerifyClientCert does.
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpServer, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:net';
import type { SesameConfig } from '../config/load.ts';
import {
  readTlsMaterial,
  type ServerBuffers,
  type ServerTimeouts,
  type TlsMaterial,
} from '../config/server-schema.ts';
import { ClosingResponse } from './connections.ts';

export interface ListenerSettings {
  timeouts: ServerTimeouts;
  buffers: ServerBuffers;
  tls?: TlsMaterial;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** ClosingResponse with Authelia's write timeout: a deadline from the response's first byte. */
function responseWithDeadline(writeMs: number): typeof ClosingResponse {
  return class DeadlineResponse extends ClosingResponse {
    override writeHead(statusCode: number, ...rest: unknown[]): this {
      if (!this.headersSent && writeMs > 0) {
        const timer = setTimeout(() => {
          if (!this.writableFinished) this.destroy();
        }, writeMs).unref();
        const clear = () => clearTimeout(timer);
        this.once('finish', clear);
        this.once('close', clear);
      }
      return super.writeHead(statusCode, ...(rest as []));
    }
  };
}

/** Node's options for these settings (see the table at the top). */
export function serverOptions(
  settings: ListenerSettings,
): ServerOptions<typeof IncomingMessage, typeof ClosingResponse> {
  const readMs = settings.timeouts.read * 1000;
  return {
    ServerResponse: responseWithDeadline(settings.timeouts.write * 1000),
    requestTimeout: readMs,
    headersTimeout: readMs,
    keepAliveTimeout: settings.timeouts.idle * 1000,
    // Node checks the two request timeouts every this often (30s by default, longer than them).
    connectionsCheckingInterval: Math.min(1000, Math.max(100, readMs / 4)),
    maxHeaderSize: settings.buffers.read ?? 16384,
    ...(settings.buffers.write === undefined ? {} : { highWaterMark: settings.buffers.write }),
  };
}

/** An HTTP server, or an HTTPS one when TLS material is given (mutual TLS with client CAs). */
export function createListener(settings: ListenerSettings, handler: Handler): Server {
  const options = serverOptions(settings);
  const server = settings.tls
    ? createHttpsServer(
        {
          ...options,
          key: settings.tls.key,
          cert: settings.tls.cert,
          ca: settings.tls.ca,
          requestCert: settings.tls.ca !== undefined,
          rejectUnauthorized: settings.tls.ca !== undefined,
        },
        handler,
      )
    : createHttpServer(options, handler);
  // (Also set as properties: Node reads these from the server, not only from the options.)
  server.keepAliveTimeout = options.keepAliveTimeout!;
  server.requestTimeout = options.requestTimeout!;
  server.headersTimeout = options.headersTimeout!;
  return server;
}

/** The main server's settings: server.timeouts, server.buffers and server.tls (read now). */
export function listenerSettings(config: SesameConfig): ListenerSettings {
  const { timeouts, buffers, tls } = config.server;
  if (!tls) return { timeouts, buffers };
  const { material, problems } = readTlsMaterial(tls);
  // (Checked when the configuration was loaded: a file that changed since is a start-up failure.)
  if (!material) throw new Error(`server.tls: ${problems.map((problem) => problem.message).join('; ')}`);
  return { timeouts, buffers, tls: material };
}
