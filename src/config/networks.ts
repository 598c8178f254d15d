// An IP network as Authelia writes it: a CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address
// (taken as /32 or /128). Shared by the configuration checks and the matchers in auth/.
import { isIP } from 'node:net';

export interface IpNetwork {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/** `::ffff:10.0.0.1` is the IPv4 address it carries (Go's net package reads it so too). */
export function plainAddress(ip: string): string {
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : ip;
}

/** The network a text denotes, or undefined when it is neither an address nor a CIDR. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const parts = text.split('/');
  if (parts.length > 2) return undefined;
  const address = plainAddress(parts[0]!);
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (parts.length === 1) return { family, address, prefix: max };
  if (!/^\d{1,3}$/.test(parts[1]!)) return undefined;
  const prefix = Number(parts[1]);
  return prefix <= max ? { family, address, prefix } : undefined;
}

export const NETWORK_HELP = 'an IP address or a CIDR such as 192.168.1.0/24 or fd00::/8';
