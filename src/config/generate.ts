import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomString } from '../crypto/random.ts';

/** The configuration `npm start` writes on first run: random secrets, SQLite next to it. */
export function developmentConfig(now = new Date()): string {
  return `# Sesame configuration, generated on ${now.toISOString()} for local development.
# The secrets below were generated once for this installation: keep this file private.
# Every key is documented in docs/configuration.md; SESAME_* environment variables override them.
server:
  address: tcp://127.0.0.1:9091/
  external_url: http://127.0.0.1:9091
log:
  level: info
storage:
  encryption_key: ${randomString(64, 'alphanumeric')}
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: ${randomString(64, 'alphanumeric')}
    clients: []
`;
}

/**
 * Writes the development configuration unless the file exists. Returns true when it wrote one.
 * The exclusive flag means two processes starting at once cannot both write (or overwrite) it.
 */
export function writeDevelopmentConfig(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, developmentConfig(), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
