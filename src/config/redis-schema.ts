// `session.redis`: Authelia's Redis (or Redis Sentinel) session store. When it is set, login sessions
// and forward-auth sessions live in Redis, shared by every node, instead of the database.
import { z } from 'zod';
import { clientTls } from './authelia-schema.ts';
import { duration, SECRET, warnedKey } from './schema-kit.ts';

const sentinelNode = z.strictObject({
  host: z.string().min(1).describe('A sentinel’s host name or address.'),
  port: z.number().int().min(1).max(65535).default(26379).describe('The sentinel’s port.'),
});

const highAvailability = z
  .strictObject({
    sentinel_name: z.string().min(1).describe('The master name the sentinels watch (required).'),
    sentinel_username: z.string().min(1).optional().describe('The user to authenticate to the sentinels.'),
    sentinel_password: z
      .string()
      .min(1)
      .meta(SECRET)
      .optional()
      .describe('The password to authenticate to the sentinels.'),
    nodes: z
      .array(sentinelNode)
      .default([])
      .describe('The sentinels (besides `session.redis.host`, which is one of them when set).'),
    route_by_latency: warnedKey('every command goes to the master; replicas are not read from'),
    route_randomly: warnedKey('every command goes to the master; replicas are not read from'),
  })
  .describe('Redis Sentinel: find the master through these sentinels.');

export const redisSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .optional()
      .describe('The Redis host, or the path of its Unix socket (starting with /).'),
    port: z.number().int().min(1).max(65535).default(6379).describe('The Redis port.'),
    timeout: duration().prefault('5s').describe('How long connecting may take.'),
    max_retries: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('How many times a failed command is retried before the request fails.'),
    username: z.string().min(1).optional().describe('The Redis user (Redis 6 ACLs).'),
    password: z.string().min(1).meta(SECRET).optional().describe('The Redis password.'),
    database_index: z.number().int().min(0).default(0).describe('The Redis database number.'),
    maximum_active_connections: warnedKey(
      'each process keeps one pipelined connection to Redis instead of a pool',
    ),
    minimum_idle_connections: warnedKey(
      'each process keeps one pipelined connection to Redis instead of a pool',
    ),
    tls: clientTls.optional().describe('Connect to Redis with TLS.'),
    high_availability: highAvailability.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.host === undefined && !(value.high_availability?.nodes.length ?? 0))
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: 'is required',
        params: { allowed: 'a host name, an address or a socket path; or high_availability.nodes' },
      });
  })
  .optional()
  .describe(
    'Keep login and forward-auth sessions in Redis (shared by every node) instead of the database. Their data is encrypted with `session.secret`.',
  );

export type RedisConfig = NonNullable<z.output<typeof redisSchema>>;
