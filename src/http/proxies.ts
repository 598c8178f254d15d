// Which peers are reverse proxies whose forwarded headers are believed (server.trusted_proxies), for
// the authorization endpoints: they read where a request was going from those headers.
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { compileNetworks, inNetworks } from '../auth/matchers.ts';

function plain(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export interface ForwardedTrust {
  /** Whether the peer may describe the request it forwards. */
  trusted(request: FastifyRequest): boolean;
  /** The client's address. */
  clientIp(request: FastifyRequest): string;
}

/**
 * With server.trusted_proxies set, only those peers are believed, and the client address is the
 * one Fastify derives through them. Without it, Authelia's rule holds: any peer is believed (the
 * proxy in front must set these headers itself) and the client is the first X-Forwarded-For entry.
 */
export function forwardedTrust(trustedProxies: readonly string[]): ForwardedTrust {
  if (trustedProxies.length === 0)
    return {
      trusted: () => true,
      clientIp: (request) => {
        const first = String(request.headers['x-forwarded-for'] ?? '')
          .split(',')[0]!
          .trim();
        return isIP(first) ? first : plain(request.socket.remoteAddress ?? '');
      },
    };
  const list = compileNetworks(trustedProxies)!;
  return {
    trusted: (request) => inNetworks(list, request.socket.remoteAddress),
    clientIp: (request) => plain(request.ip),
  };
}
