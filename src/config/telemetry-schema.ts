// Authelia's `telemetry` section: a Prometheus metrics endpoint on a listener of its own.
import { z } from 'zod';
import { buffers, timeouts } from './server-schema.ts';

/** `isListenAddress` is schema.ts's address parser, passed in rather than imported (no cycle). */
export const telemetrySchema = (isListenAddress: (value: string) => unknown) =>
  z
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
            .refine((value) => isListenAddress(value) !== undefined, {
              message: 'is not a listen address',
              params: { allowed: 'tcp://host:port/path, tcp://:port/path or unix:///path/to.sock' },
            })
            .describe(
              'Where the metrics listener listens, and its path (none: `/metrics`; port 0: 9959, as in Authelia). Keep it off the public network: it is not authenticated.',
            ),
          buffers: buffers('the metrics listener'),
          timeouts: timeouts('the metrics listener'),
        })
        .prefault({})
        .describe('A Prometheus endpoint on a listener of its own.'),
    })
    .prefault({})
    .describe('Telemetry for the operator (nothing is ever sent anywhere).');

export type TelemetryConfig = z.output<ReturnType<typeof telemetrySchema>>;
