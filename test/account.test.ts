// The user's own account actions (services/account.ts) on SQLite: each change writes the audit event
// the portal has always written (type, actor = username, subject, details), and a refused change
// writes none.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InvalidInputError } from '../src/lib/errors.ts';
import type { AccountService, ActorSession } from '../src/services/account.ts';
import { accountServiceOf } from './support/account.ts';
import type { User } from '../src/store/index.ts';
import { PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let sesame: TestSesame;
let account: AccountService;

before(async () => {
  sesame = await startTestSesame('sqlite');
  account = accountServiceOf(sesame);
});

after(async () => {
  await sesame?.stop();
});

async function userNamed(username: string): Promise<User> {
  return (
    (await sesame.running.store.users.findByUsername(username)) ??
    sesame.addUser({ username, password: PASSWORD })
  );
}

/** A live login session of `user` with public uid `uid`. */
async function session(user: User, uid: string): Promise<void> {
  await sesame.running.store.artifacts.upsert({
    model: 'Session',
    id: `cookie-${uid}`,
    uid,
    payload: { accountId: user.id, uid, loginTs: Math.floor(Date.now() / 1000), amr: ['pwd'] },
    expiresAt: new Date(Date.now() + 3_600_000),
  });
}

async function eventsOf(subject: string, type: string) {
  return sesame.running.store.events.list({ type, subject, limit: 100 });
}

describe('the account service', () => {
  test('a profile change writes user.profile_updated about the username; an invalid one nothing', async () => {
    const user = await userNamed('pia');
    const actor = { user, clientIp: '192.0.2.1' };
    const input = {
      display_name: 'Pia',
      given_name: '',
      family_name: '',
      email: 'pia@example.com',
      picture: '',
    };
    assert.deepEqual(await account.updateProfile(actor, { ...input, picture: 'ftp://x' }), {
      picture: 'not an http(s) URL',
    });
    assert.equal((await eventsOf('pia', 'user.profile_updated')).length, 0);
    assert.equal(await account.updateProfile(actor, input), undefined);
    const [event] = await eventsOf('pia', 'user.profile_updated');
    assert.equal(event?.actor, 'pia');
    assert.equal(event?.clientIp, '192.0.2.1');
    assert.deepEqual(event?.details, { email_changed: true });
    assert.equal((await sesame.running.store.users.get(user.id))?.emailVerified, false);
  });

  test('a password change needs the current password and ends the other sessions with it', async () => {
    const user = await userNamed('pete');
    await session(user, 'pete-here');
    await session(user, 'pete-there');
    const actor: ActorSession = { user, clientIp: '192.0.2.2', sessionUid: 'pete-here' };
    const change = {
      current: 'wrong',
      next: 'a new passphrase',
      confirm: 'a new passphrase',
      endOthers: true,
    };
    await assert.rejects(account.changePassword(actor, change), (error: InvalidInputError) => {
      assert.equal(error.field, 'current_password');
      return true;
    });
    const [failed] = await eventsOf('pete', 'user.password_change_failed');
    assert.deepEqual(failed?.details, { reason: 'wrong current password' });
    await assert.rejects(
      account.changePassword(actor, { ...change, current: PASSWORD, confirm: 'something else' }),
      (error: InvalidInputError) => error.field === 'confirm_password',
    );
    await assert.rejects(
      account.changePassword(actor, { ...change, current: PASSWORD, next: 'short', confirm: 'short' }),
      (error: InvalidInputError) => error.field === 'new_password',
    );
    assert.equal((await eventsOf('pete', 'user.password_changed')).length, 0);
    await account.changePassword(actor, { ...change, current: PASSWORD });
    const [changed] = await eventsOf('pete', 'user.password_changed');
    assert.equal(changed?.actor, 'pete');
    assert.deepEqual(changed?.details, { other_sessions_ended: 1 });
    assert.deepEqual(
      (await account.sessions(user)).map((row) => row.id),
      ['pete-here'],
    );
  });

  test("sessions end one at a time (only the user's own) or all the others, each with session.ended", async () => {
    const [sam, other] = [await userNamed('sam'), await userNamed('otto')];
    for (const uid of ['sam-1', 'sam-2', 'sam-3']) await session(sam, uid);
    await session(other, 'otto-1');
    const actor: ActorSession = { user: sam, clientIp: '192.0.2.3', sessionUid: 'sam-1' };
    await account.endSession(actor, 'otto-1');
    assert.equal((await account.sessions(other)).length, 1, "another user's session is left alone");
    await account.endSession(actor, 'sam-2');
    await account.endOtherSessions(actor);
    const events = await eventsOf(sam.id, 'session.ended');
    assert.deepEqual(
      events.map((event) => [event.actor, event.details]),
      [
        ['sam', { others: 1 }],
        ['sam', { session: 'sam-2', own: false }],
      ],
    );
    assert.deepEqual(
      (await account.sessions(sam)).map((row) => row.id),
      ['sam-1'],
    );
  });

  test('factor changes write their factor.* events about the user id; removing nothing writes none', async () => {
    const user = await userNamed('fay');
    const actor = { user, clientIp: '192.0.2.4' };
    await account.removeTotp(actor);
    await account.removePasskey(actor, 'no-such-key');
    assert.equal(await account.addPasskey(actor, 'Laptop', 'not json'), false);
    const codes = await account.newRecoveryCodes(actor);
    assert.equal(codes.length, 10);
    const events = await sesame.running.store.events.list({ subject: user.id, limit: 100 });
    assert.deepEqual(
      events.map((event) => [event.type, event.actor, event.details]),
      [['factor.recovery_codes_generated', 'fay', { count: 10 }]],
    );
    assert.equal((await account.security(user)).factors.recoveryCodes, 10);
  });

  test('a TOTP setup is confirmed by a code from its sealed form, and a forged form is expired', async () => {
    const user = await userNamed('tom');
    const actor = { user, clientIp: '192.0.2.5' };
    const pending = await account.beginTotp(user);
    assert.equal((await account.confirmTotp(actor, 'forged', '123456')).outcome, 'expired');
    const other = await userNamed('tim');
    assert.equal(
      (await account.confirmTotp({ user: other, clientIp: '' }, pending.sealed, '123456')).outcome,
      'expired',
      "another user's setup does not open",
    );
    const wrong = await account.confirmTotp(actor, pending.sealed, '000000');
    assert.equal(wrong.outcome, 'wrong-code');
    assert.equal(wrong.outcome === 'wrong-code' && wrong.pending.secret, pending.secret);
    assert.equal((await eventsOf(user.id, 'factor.totp_added')).length, 0);
  });
});
