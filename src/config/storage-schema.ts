// storage.mysql: MySQL or MariaDB, Authelia's third storage engine, with Authelia's keys.
import { z } from 'zod';
import { ALWAYS, durationWithDefault, oneOf, SECRET } from './schema-kit.ts';

const TLS_VERSION = oneOf([
  'TLS 1.0',
  'TLS1.0',
  'TLS 1.1',
  'TLS1.1',
  'TLS 1.2',
  'TLS1.2',
  'TLS 1.3',
  'TLS1.3',
]);

const PEM_KEY = /-----BEGIN ((RSA|EC) )?PRIVATE KEY-----[\s\S]+-----END ((RSA|EC) )?PRIVATE KEY-----/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

const ADDRESS = /^((tcp[46]?:\/\/)?(\[[^\]]+\]|[^:/[\]]+)(:\d+)?\/?|unix:\/\/\/[^?\n]+)$/;

const mysqlTls = z
  .strictObject({
    server_name: z
      .string()
      .min(1)
      .optional()
      .describe("The name the server's certificate must carry, when it is not the address's host name."),
    skip_verify: z
      .boolean()
      .default(false)
      .describe('Accept any server certificate. Strongly discouraged: anyone on the path can read the data.'),
    minimum_version: TLS_VERSION.default('TLS1.2').describe('The lowest TLS version accepted.'),
    maximum_version: TLS_VERSION.optional().describe('The highest TLS version accepted.'),
    certificate_chain: z
      .string()
      .regex(PEM_CERTIFICATE, 'must be PEM certificates')
      .optional()
      .describe('PEM certificates presented to a server that asks for a client certificate (mutual TLS).'),
    private_key: z
      .string()
      .regex(PEM_KEY, 'must be a PEM private key')
      .meta(SECRET)
      .optional()
      .describe('The PEM private key of certificate_chain.'),
    certificate_authority: z
      .string()
      .regex(PEM_CERTIFICATE, 'must be PEM certificates')
      .optional()
      .describe("PEM CA bundle the server's certificate is verified with (default: the system's roots)."),
  })
  .refine((tls) => (tls.certificate_chain === undefined) === (tls.private_key === undefined), {
    message: 'certificate_chain and private_key go together',
    params: { allowed: 'both certificate_chain and private_key, or neither' },
    ...ALWAYS,
  });

export const mysqlStorage = z
  .strictObject({
    address: z
      .string()
      .refine((value) => ADDRESS.test(value), {
        message: 'is not a MySQL address',
        params: { allowed: 'tcp://host:port or unix:///path/to/mysqld.sock' },
      })
      .default('tcp://127.0.0.1:3306')
      .describe('`tcp://host:port` (port 3306 by default) or `unix:///path/to/mysqld.sock`.'),
    database: z.string().min(1).describe('The database name; Sesame creates its tables in it.'),
    username: z.string().min(1).describe('The user Sesame signs in as.'),
    password: z.string().meta(SECRET).optional().describe('Its password.'),
    timeout: durationWithDefault('5s').describe('Connection timeout.'),
    max_connections: z.number().int().min(1).max(1000).default(10).describe('Connection pool size per node.'),
    tls: mysqlTls.optional().describe('Connect with TLS (required when set).'),
  })
  .describe(
    'MySQL 8.0.13+ or MariaDB 10.6+ (one or several nodes). The user needs to create tables, indexes and triggers in the database.',
  );
