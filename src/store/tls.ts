// Authelia's TLS client settings (`storage.*.tls`) as Node's TLS options, for every database driver.
import type { ConnectionOptions } from 'node:tls';

export interface ClientTlsSettings {
  server_name?: string;
  skip_verify: boolean;
  certificate_authority?: string;
  minimum_version?: 'TLS1.0' | 'TLS1.1' | 'TLS1.2' | 'TLS1.3';
  maximum_version?: 'TLS1.0' | 'TLS1.1' | 'TLS1.2' | 'TLS1.3';
  private_key?: string;
  certificate_chain?: string;
}

const VERSIONS = {
  'TLS1.0': 'TLSv1',
  'TLS1.1': 'TLSv1.1',
  'TLS1.2': 'TLSv1.2',
  'TLS1.3': 'TLSv1.3',
} as const;

export function tlsOptionsOf(tls: ClientTlsSettings): ConnectionOptions {
  return {
    servername: tls.server_name,
    rejectUnauthorized: !tls.skip_verify,
    ca: tls.certificate_authority,
    minVersion: tls.minimum_version ? VERSIONS[tls.minimum_version] : undefined,
    maxVersion: tls.maximum_version ? VERSIONS[tls.maximum_version] : undefined,
    key: tls.private_key,
    cert: tls.certificate_chain,
  };
}
