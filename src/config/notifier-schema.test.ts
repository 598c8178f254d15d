// notifier as Authelia writes it: its keys, defaults, secrets from files, and clear refusals.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './load.ts';
import { parseSmtpAddress } from './notifier-schema.ts';
import { configProblems, writeConfigFile } from '../../test/support/config.ts';

const HEAD = `server:
  external_url: https://auth.example.com/
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
`;

const write = (text: string) => writeConfigFile(HEAD + text).file;
const problems = (text: string) => configProblems(HEAD + text);

describe('notifier', () => {
  test('an Authelia smtp section loads with its defaults; the password may come from a _FILE', () => {
    const secret = join(mkdtempSync(join(tmpdir(), 'sesame-notifier-secret-')), 'password');
    writeFileSync(secret, 'mail-secret\n');
    const file = write(`notifier:
  smtp:
    address: submission://smtp.example.com
    username: mailer
    sender: Authelia <admin@example.com>
    startup_check_address: test@authelia.com
`);
    const config = loadConfig(file, { AUTHELIA_NOTIFIER_SMTP_PASSWORD_FILE: secret });
    const smtp = config.notifier?.smtp;
    assert.equal(smtp?.password, 'mail-secret');
    assert.equal(smtp.timeout, 5);
    assert.equal(smtp.identifier, 'localhost');
    assert.equal(smtp.disable_require_tls, false);
    assert.equal(smtp.tls.skip_verify, false);
    assert.equal(config.notifier?.disable_startup_check, false);
    assert.ok(!config.warnings.some((line) => line.startsWith('notifier: ')));
    assert.ok(
      config.warnings.some((line) => line.startsWith('notifier.smtp.startup_check_address: accepted but')),
    );
    assert.ok(!JSON.stringify(config.warnings).includes('mail-secret'));
  });

  test('addresses take Authelia’s schemes and default ports', () => {
    assert.deepEqual(parseSmtpAddress('smtp://mail.example.com'), {
      scheme: 'smtp',
      host: 'mail.example.com',
      port: 25,
      implicitTls: false,
    });
    assert.equal(parseSmtpAddress('submission://mail.example.com')?.port, 587);
    assert.deepEqual(parseSmtpAddress('submissions://mail.example.com'), {
      scheme: 'submissions',
      host: 'mail.example.com',
      port: 465,
      implicitTls: true,
    });
    assert.equal(parseSmtpAddress('127.0.0.1:2525')?.scheme, 'smtp');
    assert.equal(parseSmtpAddress('[::1]:2525')?.host, '::1');
    assert.equal(parseSmtpAddress('imap://mail.example.com'), undefined);
    assert.equal(parseSmtpAddress('smtp://mail.example.com:99999'), undefined);
  });

  test('file paths are relative to the configuration file', () => {
    const file = write('notifier:\n  filesystem:\n    filename: mails.txt\n  template_path: templates\n');
    const config = loadConfig(file, {});
    assert.equal(config.notifier?.filesystem?.filename, join(file, '..', 'mails.txt'));
    assert.equal(config.notifier?.template_path, join(file, '..', 'templates'));
  });

  test('exactly one of smtp and filesystem', () => {
    const both = problems(`notifier:
  filesystem:
    filename: /tmp/mails.txt
  smtp:
    address: smtp://127.0.0.1:25
    sender: admin@example.com
`);
    assert.deepEqual(both, [
      '7 notifier: only one notifier may be configured (allowed: exactly one of notifier.smtp or notifier.filesystem)',
    ]);
    const neither = problems('notifier:\n  disable_startup_check: true\n');
    assert.deepEqual(neither, [
      '7 notifier: no notifier is configured (allowed: exactly one of notifier.smtp or notifier.filesystem)',
    ]);
  });

  test('a bad address, a missing sender or password, a bad sender: each named by its key path', () => {
    const lines = problems(`notifier:
  smtp:
    address: imap://mail.example.com
    username: mailer
`);
    assert.ok(
      lines.some((line) => /notifier\.smtp\.address: is not an SMTP address/.test(line)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => /notifier\.smtp\.sender: is required/.test(line)),
      lines.join('\n'),
    );
    assert.ok(lines.some((line) => /notifier\.smtp\.password: is required with username/.test(line)));
    const sender = problems(
      'notifier:\n  smtp:\n    address: smtp://mail.example.com\n    sender: not an address\n',
    );
    assert.ok(sender.some((line) => /notifier\.smtp\.sender: is not an e-mail address/.test(line)));
  });

  test('credentials are never sent where StartTLS is switched off on smtp://', () => {
    const lines = problems(`notifier:
  smtp:
    address: smtp://mail.example.com
    username: mailer
    password: mail-secret
    sender: admin@example.com
    disable_require_tls: true
    disable_starttls: true
`);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /notifier\.smtp\.disable_starttls:.*credentials are never sent unencrypted/);
    assert.ok(!lines[0]!.includes('mail-secret'));
  });
});
