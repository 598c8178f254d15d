// The Redis session store against a real Redis: what the database's artifact table guarantees for
// sessions (expiry, lookups by uid, listings, one-time consumption across nodes) holds there too,
// and what is kept in Redis cannot be read without the session secret.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { skipWithoutRedis, REDIS_HOST, REDIS_PORT } from '../../test/support/redis.ts';
import { createSealer } from '../crypto/encryption.ts';
import { Store } from './index.ts';
import { RedisSessionStore } from './redis-sessions.ts';

const SECRET = 'a session secret of some length';

describe('sessions in Redis', { skip: await skipWithoutRedis() }, () => {
  const prefix = `sesame-test:${randomUUID()}:`;
  const open = (secret = SECRET) =>
    new RedisSessionStore({
      host: REDIS_HOST,
      port: REDIS_PORT,
      timeoutSeconds: 5,
      maxRetries: 0,
      databaseIndex: 0,
      keyPrefix: prefix,
      sealer: createSealer(`${secret}-padded-to-length`),
    });
  const raw = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true });
  const nodeA = open();
  const nodeB = open();
  const inAnHour = () => new Date(Date.now() + 3600_000);
  before(() => raw.connect());
  after(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await Promise.all([raw.quit(), nodeA.close(), nodeB.close()]);
  });

  test('a session is found by id and uid on any node, and is sealed at rest', async () => {
    await nodeA.upsert({
      model: 'Session',
      id: 'cookie-1',
      uid: 'uid-1',
      payload: { accountId: 'user-1', amr: ['pwd'], secretish: 'do-not-store-in-clear' },
      expiresAt: inAnHour(),
    });
    assert.deepEqual((await nodeB.find('Session', 'cookie-1'))?.payload.amr, ['pwd']);
    assert.equal((await nodeB.findByUid('Session', 'uid-1'))?.id, 'cookie-1');
    const stored = await raw.get(`${prefix}a:Session:cookie-1`);
    assert.ok(stored && !stored.includes('do-not-store-in-clear') && !stored.includes('pwd'));
    const stranger = open('another secret entirely');
    await assert.rejects(stranger.find('Session', 'cookie-1'));
    await stranger.close();
  });

  test('an expired session reads as absent and leaves the listings', async () => {
    await nodeA.upsert({
      model: 'Session',
      id: 'cookie-old',
      payload: { accountId: 'user-2' },
      expiresAt: new Date(Date.now() + 1000),
    });
    const later = new Date(Date.now() + 2000);
    assert.equal(await nodeA.find('Session', 'cookie-old', later), undefined);
    assert.deepEqual(await nodeA.listSessions({ accountId: 'user-2' }, later), []);
  });

  test('listings by account and in all, the latest to expire first; destroy removes every index', async () => {
    await nodeA.upsert({
      model: 'Session',
      id: 's-a',
      payload: { accountId: 'user-3' },
      expiresAt: inAnHour(),
    });
    await nodeA.upsert({
      model: 'Session',
      id: 's-b',
      uid: 'uid-b',
      payload: { accountId: 'user-3' },
      expiresAt: new Date(Date.now() + 7200_000),
    });
    assert.deepEqual(
      (await nodeB.listSessions({ accountId: 'user-3' })).map((session) => session.id),
      ['s-b', 's-a'],
    );
    assert.ok((await nodeB.listSessions({})).some((session) => session.id === 's-a'));
    await nodeB.destroy('Session', 's-b');
    assert.equal(await nodeA.findByUid('Session', 'uid-b'), undefined);
    assert.deepEqual(
      (await nodeA.listSessions({ accountId: 'user-3' })).map((session) => session.id),
      ['s-a'],
    );
  });

  test('20 parallel consumptions on two nodes: exactly one wins', async () => {
    await nodeA.upsert({ model: 'ForwardAuthSession', id: 'once', payload: {}, expiresAt: inAnHour() });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? nodeA : nodeB).consume('ForwardAuthSession', 'once'),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.ok((await nodeA.find('ForwardAuthSession', 'once'))?.consumedAt);
    assert.equal(await nodeA.consume('ForwardAuthSession', 'missing'), false);
  });

  test('revoking a grant ends every record of it', async () => {
    for (const id of ['g1', 'g2'])
      await nodeA.upsert({
        model: 'ForwardAuthSession',
        id,
        grantId: 'login-session:x',
        payload: {},
        expiresAt: inAnHour(),
      });
    assert.equal(await nodeB.revokeByGrantId('login-session:x'), 2);
    assert.equal(await nodeA.find('ForwardAuthSession', 'g1'), undefined);
  });

  test('through the store: sessions go to Redis, every other artifact to the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-redis-'));
    const sessions = open();
    const store = Store.open({
      kind: 'sqlite',
      path: join(dir, 'db.sqlite3'),
      sealer: createSealer('test-encryption-key-0123456789'),
      sessions,
    });
    try {
      await store.migrate();
      await store.ping();
      await store.artifacts.upsert({ model: 'Session', id: 'via-store', payload: { accountId: 'u' } });
      await store.artifacts.upsert({ model: 'Grant', id: 'grant-1', payload: {}, expiresAt: inAnHour() });
      assert.equal(await store.artifacts.count(), 1, 'only the grant is in the database');
      assert.equal((await store.artifacts.find('Session', 'via-store'))?.payload.accountId, 'u');
      assert.ok(await raw.exists(`${prefix}a:Session:via-store`));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
