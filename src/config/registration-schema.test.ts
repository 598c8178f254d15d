// registration: off by default, its defaults, and refused without a notifier (naming the key).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from './load.ts';
import { configProblems, writeConfigFile } from '../../test/support/config.ts';

const HEAD = `server:
  external_url: https://auth.example.com/
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
`;

describe('registration', () => {
  test('is off by default, with its limits', () => {
    const config = loadConfig(writeConfigFile(HEAD).file, {});
    assert.deepEqual(config.registration, {
      enabled: false,
      allowed_email_domains: [],
      groups: [],
      link_lifespan: 3600,
      resend_interval: 300,
      max_mails_per_ip: 10,
    });
  });

  test('on without a notifier is refused, naming registration.enabled', () => {
    const problems = configProblems(`${HEAD}registration:\n  enabled: true\n`);
    assert.ok(
      problems.some((line) => /registration\.enabled: registration\.enabled needs a notifier/.test(line)),
      problems.join('\n'),
    );
  });

  test('on with a notifier loads; a malformed domain is refused', () => {
    const notifier = 'notifier:\n  filesystem:\n    filename: mails.txt\n';
    const config = loadConfig(
      writeConfigFile(
        `${HEAD}${notifier}registration:\n  enabled: true\n  allowed_email_domains: [example.org]\n  groups: [members]\n  link_lifespan: 30m\n`,
      ).file,
      {},
    );
    assert.equal(config.registration.enabled, true);
    assert.equal(config.registration.link_lifespan, 1800);
    const problems = configProblems(
      `${HEAD}${notifier}registration:\n  allowed_email_domains: ['not a domain']\n`,
    );
    assert.ok(
      problems.some((line) => /registration\.allowed_email_domains\[0\]: is not a domain name/.test(line)),
      problems.join('\n'),
    );
  });
});
