// The notifier against a real SMTP server (smtp-server, in this process): plain SMTP, StartTLS,
// implicit TLS, authentication, the start-up check, the filesystem notifier and template overrides.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { loadConfig, type SesameConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/report.ts';
import { checkNotifier, mailerOf, sendTestMail } from '../src/services/notifier.ts';
import { runCli } from '../src/cli/main.ts';
import { startSesame } from '../src/server/runtime.ts';
import { existsSync } from 'node:fs';

const HEAD = `server:
  external_url: https://auth.example.com/
branding:
  name: Example SSO
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
`;

interface Received {
  mail: ParsedMail;
  secure: boolean;
  user: unknown;
  ehlo: string;
}

const dir = mkdtempSync(join(tmpdir(), 'sesame-notifier-'));
let certificate = '';
let key = '';

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
before(() => {
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
});

/** An SMTP server on a free port that keeps what it receives; `mailer`/`mail-secret` may log in. */
async function smtpServer(options: SMTPServerOptions) {
  const received: Received[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    key,
    cert: certificate,
    logger: false,
    authOptional: true,
    onAuth(auth, session, callback) {
      logins.push(auth.username ?? '');
      if (auth.username === 'mailer' && auth.password === 'mail-secret') callback(null, { user: 'mailer' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            mail,
            secure: session.secure,
            user: session.user,
            ehlo: session.hostNameAppearsAs,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, logins, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}

function configWith(notifier: string, env: NodeJS.ProcessEnv = {}): SesameConfig {
  const folder = mkdtempSync(join(dir, 'config-'));
  const file = join(folder, 'sesame.yml');
  writeFileSync(file, `${HEAD}notifier:\n${notifier}`);
  return loadConfig(file, env);
}

function smtpConfig(address: string, extra = '', env: NodeJS.ProcessEnv = {}): SesameConfig {
  return configWith(
    `  smtp:\n    address: ${address}\n    sender: Example SSO <sso@example.com>\n    identifier: sso.example.com\n${extra}`,
    env,
  );
}

async function sendTo(config: SesameConfig, to = 'ada@example.com'): Promise<void> {
  await sendTestMail(config, to);
}

describe('notifier over SMTP', () => {
  test('plain SMTP with disable_require_tls: a multipart mail with the branding and the external URL', async () => {
    const server = await smtpServer({ disabledCommands: ['STARTTLS', 'AUTH'] });
    after(() => server.close());
    await sendTo(smtpConfig(`smtp://127.0.0.1:${server.port}`, '    disable_require_tls: true\n'));
    assert.equal(server.received.length, 1);
    const { mail, secure, ehlo } = server.received[0]!;
    assert.equal(secure, false);
    assert.equal(ehlo, 'sso.example.com');
    assert.equal(mail.subject, '[Example SSO] Test');
    assert.equal(mail.from?.text, '"Example SSO" <sso@example.com>');
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'ada@example.com');
    assert.match(mail.text ?? '', /test mail from Example SSO/);
    assert.match(mail.text ?? '', /https:\/\/auth\.example\.com/);
    assert.match(String(mail.html), /<a href="https:\/\/auth\.example\.com[^"]*">Example SSO<\/a>/);
  });

  test('TLS is required by default: a server without StartTLS gets nothing', async () => {
    const server = await smtpServer({ disabledCommands: ['STARTTLS', 'AUTH'] });
    after(() => server.close());
    await assert.rejects(sendTo(smtpConfig(`smtp://127.0.0.1:${server.port}`)), /STARTTLS/);
    assert.equal(server.received.length, 0);
  });

  test('credentials are not sent in the clear, even with disable_require_tls', async () => {
    const server = await smtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    after(() => server.close());
    const extra = '    disable_require_tls: true\n    username: mailer\n    password: mail-secret\n';
    await assert.rejects(sendTo(smtpConfig(`smtp://127.0.0.1:${server.port}`, extra)), /STARTTLS/);
    assert.deepEqual(server.logins, []);
    assert.equal(server.received.length, 0);
  });

  test('StartTLS: an untrusted certificate is refused; skip_verify or certificate_authority delivers', async () => {
    const server = await smtpServer({});
    after(() => server.close());
    const address = `submission://localhost:${server.port}`;
    await assert.rejects(sendTo(smtpConfig(address)), /self-signed certificate/);
    assert.equal(server.received.length, 0);
    await sendTo(smtpConfig(address, '    tls:\n      skip_verify: true\n'));
    const ca = `    tls:\n      certificate_authority: |\n${certificate.replace(/^/gm, '        ')}\n`;
    await sendTo(smtpConfig(address, ca));
    assert.deepEqual(
      server.received.map((item) => item.secure),
      [true, true],
    );
  });

  test('a certificate for another name is refused', async () => {
    const server = await smtpServer({});
    after(() => server.close());
    const ca = `    tls:\n      server_name: mail.example.com\n      certificate_authority: |\n${certificate.replace(/^/gm, '        ')}\n`;
    await assert.rejects(
      sendTo(smtpConfig(`submission://localhost:${server.port}`, ca)),
      /mail\.example\.com/,
    );
    assert.equal(server.received.length, 0);
  });

  test('implicit TLS (submissions://) with AUTH; the password from a _FILE; a wrong one is refused', async () => {
    const server = await smtpServer({ secure: true, authOptional: false });
    after(() => server.close());
    const secret = join(dir, 'smtp-password');
    writeFileSync(secret, 'mail-secret\n');
    const address = `submissions://localhost:${server.port}`;
    const tls = '    username: mailer\n    tls:\n      skip_verify: true\n';
    await sendTo(smtpConfig(address, tls, { SESAME_NOTIFIER_SMTP_PASSWORD_FILE: secret }));
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.secure, true);
    assert.deepEqual(server.received[0]!.user, 'mailer');
    const wrong = smtpConfig(address, `${tls}    password: not-the-secret\n`);
    await assert.rejects(sendTo(wrong), (error: Error) => {
      assert.match(error.message, /Invalid login/);
      assert.ok(!error.message.includes('not-the-secret'));
      return true;
    });
    assert.equal(server.received.length, 1);
  });

  test('disable_html_emails sends text only', async () => {
    const server = await smtpServer({ disabledCommands: ['STARTTLS', 'AUTH'] });
    after(() => server.close());
    const extra =
      '    disable_require_tls: true\n    disable_html_emails: true\n    subject: "SSO: {title}"\n';
    await sendTo(smtpConfig(`smtp://127.0.0.1:${server.port}`, extra));
    const { mail } = server.received[0]!;
    assert.equal(mail.html, false);
    assert.equal(mail.subject, 'SSO: Test');
    assert.match(mail.text ?? '', /test mail from Example SSO/);
  });
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the start-up check', () => {
  test('an SMTP server that does not answer stops the start, naming notifier.smtp.address', async () => {
    const port = await closedPort();
    const config = smtpConfig(`submission://127.0.0.1:${port}`);
    await assert.rejects(checkNotifier(config), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        new RegExp(
          `notifier\\.smtp\\.address: the SMTP server at 127\\.0\\.0\\.1:${port} cannot be used: .*ECONNREFUSED`,
        ),
      );
      return true;
    });
    await checkNotifier(
      configWith(
        `  disable_startup_check: true\n  smtp:\n    address: smtp://127.0.0.1:${port}\n    sender: sso@example.com\n`,
      ),
    );
  });

  test('Sesame does not start when the check fails', async () => {
    const port = await closedPort();
    const config = smtpConfig(`submission://127.0.0.1:${port}`);
    writeFileSync(
      config.configFile,
      readFileSync(config.configFile, 'utf8').replace(
        'server:\n',
        'server:\n  address: tcp://127.0.0.1:0/\n',
      ),
    );
    await assert.rejects(
      startSesame({ path: config.configFile, env: {}, print: () => {} }),
      /notifier\.smtp\.address: .*ECONNREFUSED/,
    );
    // Refused before the database was even created.
    assert.equal(existsSync(config.storage.local!.path), false);
  });

  test('a working server passes: TLS and the login are checked', async () => {
    const server = await smtpServer({ authOptional: false });
    after(() => server.close());
    const extra = '    username: mailer\n    password: mail-secret\n    tls:\n      skip_verify: true\n';
    await checkNotifier(smtpConfig(`submission://localhost:${server.port}`, extra));
    assert.deepEqual(server.logins, ['mailer']);
    const wrong = extra.replace('mail-secret', 'wrong-secret');
    await assert.rejects(
      checkNotifier(smtpConfig(`submission://localhost:${server.port}`, wrong)),
      /notifier\.smtp\.address: .*Invalid login/,
    );
  });

  test('the filesystem notifier needs a writable folder', async () => {
    const missing = configWith(`  filesystem:\n    filename: ${join(dir, 'no-such-folder', 'mails.txt')}\n`);
    await assert.rejects(
      checkNotifier(missing),
      /notifier\.filesystem\.filename: the folder of the file cannot be used/,
    );
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    if (process.getuid?.() !== 0) {
      const config = configWith(`  filesystem:\n    filename: ${join(locked, 'mails.txt')}\n`);
      await assert.rejects(checkNotifier(config), /notifier\.filesystem\.filename: .*EACCES/);
    }
  });

  test('template_path must exist', () => {
    const config = configWith(
      `  template_path: ${join(dir, 'no-templates')}\n  filesystem:\n    filename: mails.txt\n`,
    );
    assert.throws(() => mailerOf(config), /notifier\.template_path: .*no-templates does not exist/);
  });
});

describe('the filesystem notifier and templates', () => {
  test('every mail is appended to the file, headers and text', async () => {
    const config = configWith('  filesystem:\n    filename: mails.txt\n');
    const file = config.notifier!.filesystem!.filename;
    await checkNotifier(config);
    await sendTo(config, 'ada@example.com');
    await sendTo(config, 'grace@example.com');
    const text = readFileSync(file, 'utf8');
    assert.equal(text.match(/^Subject: \[Example SSO\] Test$/gm)?.length, 2);
    assert.match(text, /^To: ada@example\.com$[\s\S]*^To: grace@example\.com$/m);
    assert.match(text, /^Date: .+$/m);
    assert.match(text, /test mail from Example SSO/);
  });

  test('files in template_path replace the built-in templates', async () => {
    const templates = join(dir, 'templates');
    mkdirSync(templates);
    writeFileSync(join(templates, 'test.txt'), 'Custom {{title}} from {{branding}} at {{url}} {{unknown}}\n');
    writeFileSync(join(templates, 'test.html'), '<p>Custom {{branding}}</p>\n');
    const config = configWith(`  template_path: ${templates}\n  filesystem:\n    filename: mails.txt\n`);
    const mail = mailerOf(config)!.compose({ to: 'ada@example.com', title: 'Hi <there>', template: 'test' });
    assert.equal(mail.text, 'Custom Hi <there> from Example SSO at https://auth.example.com {{unknown}}\n');
    assert.equal(mail.html, '<p>Custom Example SSO</p>\n');
    await sendTo(config);
    assert.match(
      readFileSync(config.notifier!.filesystem!.filename, 'utf8'),
      /^Custom Test from Example SSO/m,
    );
    const html = mailerOf(configWith('  filesystem:\n    filename: mails.txt\n'))!.compose({
      to: 'ada@example.com',
      title: 'Hi',
      template: 'test',
      data: {},
    }).html;
    assert.ok(html?.includes('<a href="https://auth.example.com'));
  });

  test('sesame notifier test --to sends one mail; a bad address is refused', async () => {
    const config = configWith('  filesystem:\n    filename: mails.txt\n');
    const out: string[] = [];
    const output = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
    const code = await runCli(
      ['--config', config.configFile, 'notifier', 'test', '--to', 'ada@example.com'],
      output,
    );
    assert.equal(code, 0, out.join('\n'));
    assert.match(readFileSync(config.notifier!.filesystem!.filename, 'utf8'), /^To: ada@example\.com$/m);
    const refused = await runCli(
      ['--config', config.configFile, 'notifier', 'test', '--to', 'not-an-address'],
      output,
    );
    assert.notEqual(refused, 0);
    assert.match(out.join('\n'), /not-an-address' is not an e-mail address/);
  });
});
