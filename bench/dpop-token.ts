// What DPoP (RFC 9449) adds to a token request: `npm run bench:dpop`. Sesame runs as in production
// (bin/sesame.js start, SQLite); openid-client asks for client_credentials tokens one at a time,
// alternately without and with a DPoP proof (blocks of BLOCK requests, so drift hits both alike).
// Each request is timed at the client; the server's CPU time (from /proc) is read around each block.
//   npm run bench:dpop -- [--requests 2000] [--block 100] [--profile DIR]
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { cleanUp, cpuSecondsOf, freePort, installSignalHandlers, onCleanup } from './lib/processes.ts';
import { median } from './lib/report.ts';
import {
  CLIENT_IDS,
  makeSecrets,
  prepareDatabase,
  readConfig,
  spawnSesame,
  sqliteDeployment,
  writeConfig,
} from './lib/setup.ts';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    block: { type: 'string', default: '100' },
    // A V8 CPU profile of the server into this folder (summarise it with bench/profile-top.ts).
    profile: { type: 'string' },
  },
});
const REQUESTS = Number(flags.requests);
const BLOCK = Number(flags.block);

interface Sample {
  latencies: number[];
  cpuSeconds: number;
}

async function main() {
  installSignalHandlers();
  const deployment = sqliteDeployment('dpop', await freePort());
  const secrets = await makeSecrets();
  const file = writeConfig(deployment, secrets, 'dpop');
  await prepareDatabase(readConfig(file), secrets.user);
  const sesame = await spawnSesame(deployment, file, { label: 'dpop', profileDir: flags.profile });
  onCleanup(() => sesame.stop());

  const config = await client.discovery(
    new URL(deployment.url),
    CLIENT_IDS.plain,
    secrets.machineSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
  const modes = {
    bearer: () => client.clientCredentialsGrant(config),
    dpop: () => client.clientCredentialsGrant(config, {}, { DPoP }),
  };
  const samples: Record<keyof typeof modes, Sample> = {
    bearer: { latencies: [], cpuSeconds: 0 },
    dpop: { latencies: [], cpuSeconds: 0 },
  };
  // Warm-up (JIT, first nonce), not counted.
  for (let index = 0; index < 50; index++) for (const request of Object.values(modes)) await request();
  for (let done = 0; done < REQUESTS; done += BLOCK)
    for (const [mode, request] of Object.entries(modes) as [keyof typeof modes, () => Promise<unknown>][]) {
      const cpuBefore = cpuSecondsOf(sesame.pid);
      for (let index = 0; index < BLOCK; index++) {
        const started = performance.now();
        const tokens = (await request()) as { token_type: string };
        samples[mode].latencies.push(performance.now() - started);
        if (tokens.token_type !== (mode === 'dpop' ? 'dpop' : 'bearer'))
          throw new Error(`${mode}: token_type ${tokens.token_type}`);
      }
      samples[mode].cpuSeconds += cpuSecondsOf(sesame.pid) - cpuBefore;
    }
  for (const [mode, sample] of Object.entries(samples))
    console.log(
      `${mode.padEnd(6)}: median ${median(sample.latencies).toFixed(2)} ms, ` +
        `server CPU ${((sample.cpuSeconds * 1000) / sample.latencies.length).toFixed(3)} ms/op, n=${sample.latencies.length}`,
    );
  console.log(
    `ratio DPoP / bearer: latency (medians) ${(median(samples.dpop.latencies) / median(samples.bearer.latencies)).toFixed(2)}×, ` +
      `CPU per op ${(samples.dpop.cpuSeconds / samples.bearer.cpuSeconds).toFixed(2)}×`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
