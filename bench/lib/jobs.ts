// What the orchestrator asks of its load-generating child processes, and what they answer.
import type { AppClient, Credentials } from './oidc.ts';

/** One request, repeated by autocannon over N connections. */
export interface HttpJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

/** A multi-step scenario played by virtual users, each with its own cookie jar. */
export interface FlowJob {
  kind: 'code-flow' | 'refresh' | 'login';
  baseUrl: string;
  client: AppClient;
  /** The user's password; the baseline logs in by itself and needs none for its flows. */
  credentials?: Credentials;
  users: number;
  warmupSec: number;
  durationSec: number;
  /** Extra authorization parameters while setting up (the baseline needs prompt=consent for offline_access). */
  setupParameters?: Record<string, string>;
}

export interface ArgonJob {
  hashing: unknown;
  concurrency: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoadResult {
  /** Successful operations finished inside the measured window. */
  completed: number;
  /** Failed operations (errors, timeouts, unexpected status codes) inside the window. */
  errors: number;
  errorSamples: string[];
  durationSec: number;
  /** completed / durationSec. */
  rate: number;
  /** Latency of one operation (a request, or a whole flow), milliseconds. */
  p50: number;
  p99: number;
  mean: number;
}

export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(
  latencies: number[],
  completed: number,
  errors: number,
  errorSamples: string[],
  durationSec: number,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const total = latencies.reduce((sum, value) => sum + value, 0);
  return {
    completed,
    errors,
    errorSamples,
    durationSec,
    rate: completed / durationSec,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: latencies.length > 0 ? total / latencies.length : NaN,
  };
}

/**
 * Tells the orchestrator that the measured window starts or ends (a line of its own on standard
 * output), so it can read the server's CPU time over exactly that window.
 */
export function markWindow(phase: 'start' | 'end'): void {
  process.stdout.write(`${JSON.stringify({ window: phase })}\n`);
}

/** Each child prints one line of JSON on standard output as its last: its result. */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
