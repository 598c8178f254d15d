// What a JWT access token (RFC 9068) adds to a token request, in one run (see docs/performance.md):
// `node bench/jwt-access-tokens.ts [requests] [sqlite|postgres]` starts one Sesame in this process
// and asks for client_credentials tokens for a resource, `requests` times per kind, alternately and
// one at a time: opaque, then JWT signed with RS256, ES256 and EdDSA. Latency is the whole HTTP
// request; CPU is this process's (server and the small client alike) per request.
import { performance } from 'node:perf_hooks';
import { startTestSesame } from '../test/support/sesame.ts';

const RESOURCE = 'https://api.example.com';
const KINDS = [
  { id: 'opaque', alg: 'none' },
  { id: 'jwt-rs256', alg: 'RS256' },
  { id: 'jwt-es256', alg: 'ES256' },
  { id: 'jwt-eddsa', alg: 'EdDSA' },
] as const;

function clientYaml(id: string, alg: string): string {
  return `
      - client_id: ${id}
        client_secret: ${id}-secret-0123456789
        grant_types: [client_credentials]
        scopes: [profile]
        audience: ['${RESOURCE}']
        access_token_signed_response_alg: ${alg}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!;
}

async function tokenRequest(url: string, id: string): Promise<{ ms: number; cpuMs: number; token: string }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${id}-secret-0123456789`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'profile', resource: RESOURCE }),
  });
  const body = (await response.json()) as { access_token?: string };
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (!body.access_token) throw new Error(`${id}: ${response.status} ${JSON.stringify(body)}`);
  return { ms, cpuMs: (used.user + used.system) / 1000, token: body.access_token };
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 300);
  const engine = process.argv[3] === 'postgres' ? 'postgres' : 'sqlite';
  const sesame = await startTestSesame(
    engine,
    `    clients:${KINDS.map((kind) => clientYaml(kind.id, kind.alg)).join('')}`,
  );
  const url = `${sesame.url}/api/oidc/token`;
  const results = new Map<string, { ms: number[]; cpuMs: number[] }>(
    KINDS.map((kind) => [kind.id, { ms: [], cpuMs: [] }]),
  );
  try {
    for (let round = -20; round < requests; round++)
      for (const kind of KINDS) {
        const { ms, cpuMs, token } = await tokenRequest(url, kind.id);
        if ((kind.alg === 'none') === token.includes('.')) throw new Error(`${kind.id}: wrong token format`);
        // The first rounds warm the JIT and the caches up.
        if (round < 0) continue;
        results.get(kind.id)!.ms.push(ms);
        results.get(kind.id)!.cpuMs.push(cpuMs);
      }
  } finally {
    await sesame.stop();
  }
  const opaque = results.get('opaque')!;
  console.log(`client_credentials with resource, ${requests} requests per kind, ${engine}`);
  for (const kind of KINDS) {
    const { ms, cpuMs } = results.get(kind.id)!;
    const cpu = cpuMs.reduce((sum, value) => sum + value, 0) / cpuMs.length;
    const opaqueCpu = opaque.cpuMs.reduce((sum, value) => sum + value, 0) / opaque.cpuMs.length;
    console.log(
      `${kind.id.padEnd(10)} median ${median(ms).toFixed(2)} ms (×${(median(ms) / median(opaque.ms)).toFixed(2)}), ` +
        `p95 ${p95(ms).toFixed(2)} ms, CPU ${cpu.toFixed(2)} ms/op (×${(cpu / opaqueCpu).toFixed(2)})`,
    );
  }
}

await main();
