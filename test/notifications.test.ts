// The mails a user gets when their account changes, through a real SMTP server: sent after the change
// (password, authenticator app, passkey, recovery codes), never carrying the secret, and a mail
// server that is down never undoes or blocks the change.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { PasswordAuthenticator } from '../src/auth/login.ts';
import type { AccountService } from '../src/services/account.ts';
import { accountServiceOf } from './support/account.ts';
import { AccountNotifications } from '../src/services/notifications.ts';
import { mailerOf } from '../src/services/notifier.ts';
import type { User } from '../src/store/index.ts';
import { PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const received: ParsedMail[] = [];
let smtp: SMTPServer;
let port = 0;
let sesame: TestSesame;
let notifications: AccountNotifications;
let account: AccountService;

before(async () => {
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => (received.push(mail), callback()),
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  sesame = await startTestSesame('sqlite', '', {
    topLevelYaml: `notifier:\n  smtp:\n    address: smtp://127.0.0.1:${port}\n    sender: SSO <sso@example.com>\n    disable_require_tls: true\n`,
  });
  notifications = new AccountNotifications(mailerOf(sesame.running.config));
  account = accountServiceOf(sesame, notifications);
});

after(async () => {
  await sesame?.stop();
  await new Promise<void>((resolve) => smtp?.close(resolve));
});

/** Waits until the mails sent so far have been delivered (or have failed). */
async function delivered(): Promise<void> {
  await Promise.all([...notifications.pending]);
}

const actor = (user: User) => ({ user, clientIp: '198.51.100.7', sessionUid: 'this-session' });

describe('account change mails', () => {
  test('a password change is mailed to the user, with the address it came from and without the password', async () => {
    const user = await sesame.addUser({ username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    const next = 'a brand new passphrase 4 ada';
    await account.changePassword(actor(user), {
      current: PASSWORD,
      next,
      confirm: next,
      endOthers: false,
    });
    await delivered();
    const mail = received.at(-1)!;
    assert.equal(mail.subject, '[Sesame] Your password was changed');
    assert.deepEqual(
      [mail.to].flat().flatMap((to) => to?.value.map((entry) => entry.address)),
      ['ada@example.com'],
    );
    assert.match(mail.text ?? '', /Your password was changed on your Sesame account/);
    assert.match(mail.text ?? '', /198\.51\.100\.7/);
    assert.match(String(mail.html), /Your password was changed/);
    for (const secret of [next, PASSWORD]) {
      assert.ok(!(mail.text ?? '').includes(secret));
      assert.ok(!String(mail.html).includes(secret));
    }
  });

  test('new recovery codes are mailed about, and no code is in the mail', async () => {
    const user = await sesame.addUser({ username: 'bo', password: PASSWORD, email: 'bo@example.com' });
    const before = received.length;
    const codes = await account.newRecoveryCodes(actor(user));
    await delivered();
    assert.equal(received.length, before + 1);
    const mail = received.at(-1)!;
    assert.equal(mail.subject, '[Sesame] New recovery codes were made');
    for (const code of codes) assert.ok(!(mail.text ?? '').includes(code));
  });

  test('a user without an address gets nothing; the change still happens', async () => {
    const user = await sesame.addUser({ username: 'cy', password: PASSWORD });
    const before = received.length;
    await account.newRecoveryCodes(actor(user));
    await delivered();
    assert.equal(received.length, before);
  });

  test('a mail server that is down neither blocks nor undoes the change', async () => {
    const user = await sesame.addUser({ username: 'di', password: PASSWORD, email: 'di@example.com' });
    await new Promise<void>((resolve) => smtp.close(resolve));
    const next = 'another new passphrase 4 di';
    await account.changePassword(actor(user), { current: PASSWORD, next, confirm: next, endOthers: false });
    await delivered();
    const { store } = sesame.running;
    const authenticator = new PasswordAuthenticator(
      store,
      sesame.running.config.authentication_backend.password_hashing,
    );
    assert.ok(await authenticator.authenticate('di', next), 'the new password works');
  });
});
