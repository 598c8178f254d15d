// E-mailed one-time links: signed, expiring, bound to their purpose, and single-use under parallel
// redemption on every engine and across two stores sharing one database (two nodes).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { OneTimeLinks } from '../src/auth/one-time-links.ts';
import { engines } from './support/stores.ts';

const settings = {
  secret: new TextEncoder().encode('a test link secret 0123456789'),
  algorithm: 'HS256',
} as const;
const PARALLEL = 20;

for (const engine of engines) {
  describe(`one-time links on ${engine.name}`, { skip: await engine.skip() }, () => {
    test('a link works once, whichever node redeems it, of many parallel redemptions', async () => {
      const db = await engine.create();
      const first = db.open();
      const second = db.open();
      try {
        await first.migrate();
        const links = [
          new OneTimeLinks(first, settings, 'https://sso.test'),
          new OneTimeLinks(second, settings, 'https://sso.test'),
        ];
        for (let round = 0; round < 3; round++) {
          const { token } = await links[0]!.issue('reset-password', 'user-1', 300, { note: 'x' });
          assert.equal((await links[1]!.peek(token, 'reset-password'))?.subject, 'user-1');
          const results = await Promise.all(
            Array.from({ length: PARALLEL }, (_, index) => links[index % 2]!.redeem(token, 'reset-password')),
          );
          const winners = results.filter(Boolean);
          assert.equal(winners.length, 1, `round ${round}: exactly one redemption wins`);
          assert.deepEqual(winners[0]!.data, { note: 'x' });
          assert.equal(
            await links[0]!.peek(token, 'reset-password'),
            undefined,
            'a used link is no longer shown',
          );
        }
      } finally {
        await first.close();
        await second.close();
        await db.cleanup();
      }
    });
  });
}

describe('one-time links refuse', () => {
  test('another purpose, another key, a changed token, an expired or revoked link', async () => {
    const db = await engines[0]!.create();
    const store = db.open();
    try {
      await store.migrate();
      const links = new OneTimeLinks(store, settings, 'https://sso.test');
      const { token, id } = await links.issue('verify-email', 'user-1', 300);
      assert.equal(await links.peek(token, 'reset-password'), undefined);
      const otherKey = new OneTimeLinks(
        store,
        { ...settings, secret: new TextEncoder().encode('another key') },
        'https://sso.test',
      );
      assert.equal(await otherKey.peek(token, 'verify-email'), undefined);
      assert.equal(await links.peek(`${token.slice(0, -2)}AA`, 'verify-email'), undefined);
      // Signed with the right key but never issued (no record): refused.
      const forged = await new SignJWT({ purpose: 'verify-email', data: {} })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://sso.test')
        .setAudience('verify-email')
        .setSubject('user-1')
        .setJti('never-issued')
        .setExpirationTime('5m')
        .sign(settings.secret);
      assert.equal(await links.redeem(forged, 'verify-email'), undefined);
      const expired = await links.issue('verify-email', 'user-1', -1);
      assert.equal(await links.redeem(expired.token, 'verify-email'), undefined);
      await links.revoke(id);
      assert.equal(await links.redeem(token, 'verify-email'), undefined);
    } finally {
      await store.close();
      await db.cleanup();
    }
  });
});
