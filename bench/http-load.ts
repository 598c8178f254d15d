// Load for single-request scenarios, run as its own process by bench/run.ts:
//   node bench/http-load.ts '<HttpJob as JSON>'
// autocannon drives the connections; latencies are taken from its per-response event, which has
// sub-millisecond resolution (its own histogram rounds to whole milliseconds).
import autocannon from 'autocannon';
import { markWindow, printResult, summarize, type HttpJob } from './lib/jobs.ts';

const job = JSON.parse(process.argv[2] ?? '{}') as HttpJob;
setTimeout(() => process.exit(2), (job.warmupSec + job.durationSec + 60) * 1000).unref();

function run(durationSec: number, latencies?: number[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        body: job.body,
        connections: job.connections,
        duration: durationSec,
        timeout: 10,
      },
      (error: unknown, result) =>
        error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(result),
    );
    if (latencies)
      instance.on('response', (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      });
  });
}

if (job.warmupSec > 0) await run(job.warmupSec);
const latencies: number[] = [];
markWindow('start');
const result = await run(job.durationSec, latencies);
markWindow('end');
const failed = result.non2xx + result.errors + result.timeouts;
const samples = Object.entries(result.statusCodeStats ?? {})
  .filter(([status]) => !status.startsWith('2'))
  .map(([status, { count }]) => `HTTP ${status} × ${count}`);
if (result.errors > 0) samples.push(`${result.errors} connection errors`);
if (result.timeouts > 0) samples.push(`${result.timeouts} timeouts`);
printResult(summarize(latencies, result['2xx'], failed, samples, result.duration));
