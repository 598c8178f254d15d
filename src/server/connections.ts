// Connections whose request body is left unread are closed, not drained. Node's default, after an
// answer sent before the body was read, is to read and discard the rest to keep the connection
// alive: a client could make the server swallow any amount of data (a chunked body has no end).
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long, how idle and how much a closing connection still reads: enough for the client to stop
 * sending and read the answer, bounded so that nobody can keep it open (nginx's lingering close).
 */
const LINGER_MS = 2000;
const LINGER_IDLE_MS = 1000;
const LINGER_BYTES = 1024 * 1024;

const lingering = new WeakSet<Socket>();

/** Whether a request has a body that has not been read to its end. */
function bodyUnread(req: IncomingMessage): boolean {
  return (
    !req.complete &&
    (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0)
  );
}

/**
 * Every response the server writes (Fastify's, oidc-provider's, the early answers): one sent while
 * the request's body is unread says `Connection: close`, and the connection is closed after it.
 */
export class ClosingResponse extends ServerResponse {
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    // (The request's socket: a response queued behind another on the connection has none yet.)
    const socket = this.req.socket;
    if (!this.headersSent && bodyUnread(this.req)) {
      this.setHeader('connection', 'close');
      // Node ends a `Connection: close` response's connection with destroySoon(): at once, so what
      // the client is still sending would be answered with a TCP reset, which can make the client
      // lose the response before reading it.
      socket.destroySoon = () => lingeringClose(socket, this.req);
    }
    return super.writeHead(statusCode, ...(rest as [string | undefined, OutgoingHttpHeaders | undefined]));
  }
}

/** A request arriving on a connection that is being closed: dropped unanswered. */
export function isClosing(req: IncomingMessage): boolean {
  return lingering.has(req.socket);
}

/**
 * Half-closes the connection once the response is out, then reads and drops what the client still
 * sends until it stops (or closes its side), or for at most LINGER_MS or LINGER_BYTES; then closes.
 */
function lingeringClose(socket: Socket, req: IncomingMessage): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.end();
  const close = () => socket.destroy();
  const timer = setTimeout(close, LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', close);
  socket.setTimeout(LINGER_IDLE_MS, close);
  let read = 0;
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) close();
  });
  req.resume();
}
