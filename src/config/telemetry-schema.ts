// Authelia's `telemetry` section: a Prometheus metrics endpoint on a listener of its own.
import { z } from 'zod';
// (A function declaration: usable although schema.ts imports this module.)
import { parseListenAddress } from './schema.ts';
import { buffers, timeouts } from './server-schema.ts';

export const telemetrySchema = z
  .strictObject({
    metrics: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Serve Prometheus metrics (Authelia’s metric names, see the operations guide).'),
        address: z
          .string()
          .default('tcp://:9959/metrics')
          .refine((value) => parseListenAddress(value) !== undefined, {
            message: 'is not a listen address',
            params: { allowed: 'tcp://host:port/path, tcp://:port/path or unix:///path/to.sock' },
          })
          .describe(
            'Where the metrics listener listens, and its path. Keep it off the public network: it is not authenticated.',
          ),
        buffers: buffers('the metrics listener'),
        timeouts: timeouts('the metrics listener'),
      })
      .prefault({})
      .describe('A Prometheus endpoint on a listener of its own.'),
  })
  .prefault({})
  .describe('Telemetry for the operator (nothing is ever sent anywhere).');

export type TelemetryConfig = z.output<typeof telemetrySchema>;
