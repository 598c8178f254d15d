// telemetry.metrics: the Prometheus endpoint, on a listener of its own (Authelia's port 9959), so
// that it never shares the public address. It answers GET (and HEAD) at the address's path only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import type { SesameConfig } from '../config/load.ts';
import { parseListenAddress } from '../config/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { processMetrics } from '../lib/metrics.ts';
import { createListener } from './listener.ts';

type MetricsSource = typeof processMetrics;

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9959/metrics (or the socket path). */
  url: string;
  close(): Promise<void>;
}

function handle(path: string, source: MetricsSource, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requested = (req.url ?? '/').split('?')[0];
    if (requested !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(requested === path ? 405 : 404, { 'content-type': 'text/plain' }).end();
      return;
    }
    source().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'collecting metrics failed');
        res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  };
}

/** Prometheus's registered port for Authelia, which Authelia uses when the address has none (or 0). */
const DEFAULT_PORT = 9959;

/**
 * The path metrics are served at, as Authelia reads the address: a TCP address without a path
 * serves `/metrics`; a socket serves `/`, or `/<name>` with `?path=<name>`.
 */
export function metricsPath(raw: string, parsedPath: string): string {
  if (raw.startsWith('unix:')) {
    const name = /[?&]path=([^&]+)/.exec(raw)?.[1];
    return name ? `/${name}` : '/';
  }
  return /^(?:tcp[46]?:\/\/)?[^/]*$/.test(raw) ? '/metrics' : parsedPath;
}

/** Starts the metrics listener of telemetry.metrics, serving what `source` collects. */
export async function startMetricsServer(
  config: SesameConfig,
  source: MetricsSource,
  logger: Logger,
): Promise<MetricsServer> {
  const settings = config.telemetry.metrics;
  const address = parseListenAddress(settings.address)!;
  const path = metricsPath(settings.address, address.path);
  const server: Server = createListener(
    { timeouts: settings.timeouts, buffers: settings.buffers },
    handle(path, source, logger),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (address.kind === 'unix') server.listen(address.path.split('?')[0], resolve);
    else server.listen(address.port || DEFAULT_PORT, address.host ?? '0.0.0.0', resolve);
  });
  const bound = server.address();
  const url =
    typeof bound === 'string' || bound === null
      ? settings.address
      : `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}${path}`;
  logger.info({ url }, 'metrics listening');
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
