// The storage suite: every test runs on SQLite, on PostgreSQL and on MySQL (MariaDB).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSealer } from '../crypto/encryption.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { engines } from '../../test/support/stores.ts';
import { Store } from './index.ts';
import { loadMigrations } from './migrate.ts';
import { SqliteExecutor } from './sqlite.ts';

test('SQLite flushes at checkpoints by default, and on every commit with synchronous: full', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-sync-'));
  for (const [synchronous, expected] of [
    [undefined, 1],
    ['normal', 1],
    ['full', 2],
  ] as const) {
    const executor = SqliteExecutor.open({ path: join(dir, `${synchronous ?? 'default'}.db`), synchronous });
    try {
      assert.equal(
        (executor.database.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous,
        expected,
      );
    } finally {
      executor.close();
    }
  }
});

test('every engine has the same numbered migrations', () => {
  const names = (dialect: 'sqlite' | 'postgres' | 'mysql') =>
    loadMigrations(dialect).map(({ version, name }) => `${version}_${name}`);
  assert.deepEqual(names('postgres'), names('sqlite'));
  assert.deepEqual(names('mysql'), names('sqlite'));
  assert.ok(names('sqlite').length >= 1);
});

/** Runs a script from test/fixtures in its own process (as another node would) and returns its stdout. */
function runFixture(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL(`../../test/fixtures/${script}`, import.meta.url)), ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${script} exited with ${code}`)),
    );
  });
}

for (const engine of engines) {
  describe(`store on ${engine.name}`, { skip: await engine.skip() }, () => {
    let fixture: Awaited<ReturnType<typeof engine.create>>;
    let store: Store;

    before(async () => {
      fixture = await engine.create();
      store = fixture.open();
      const report = await store.migrate();
      assert.deepEqual(
        report.applied.map((migration) => migration.version),
        loadMigrations(engine.name).map((migration) => migration.version),
      );
    });

    after(async () => {
      await store.close();
      await fixture.cleanup();
    });

    test('migrating again applies nothing', async () => {
      const report = await store.migrate();
      assert.deepEqual(report.applied, []);
      assert.equal(report.version, loadMigrations(engine.name).length);
    });

    test('nodes migrating a fresh database at the same time apply each migration once', async () => {
      const fresh = await engine.create();
      try {
        const outputs = await Promise.all(
          [1, 2, 3].map(() => runFixture('migrate-node.ts', JSON.stringify(fresh.options))),
        );
        const reports = outputs.map((text) => JSON.parse(text) as { applied: number; version: number });
        const appliedCounts = reports.map((report) => report.applied).sort();
        assert.deepEqual(appliedCounts, [0, 0, loadMigrations(engine.name).length]);
        const node = fresh.open();
        try {
          await node.users.create({ username: 'after-migration' });
          assert.equal(await node.users.count(), 1);
        } finally {
          await node.close();
        }
      } finally {
        await fresh.cleanup();
      }
    });

    test('users: create with groups, find regardless of case, update, delete', async () => {
      const created = await store.users.create({
        username: 'Alice',
        email: 'alice@example.com',
        emailVerified: true,
        displayName: 'Alice Liddell',
        givenName: 'Alice',
        familyName: 'Liddell',
        groups: ['admins', 'dev'],
      });
      assert.match(created.id, /^[0-9a-f-]{36}$/);
      assert.equal(created.emailVerified, true);
      assert.equal(created.disabled, false);
      assert.deepEqual(created.groups, ['admins', 'dev']);
      assert.ok(created.createdAt instanceof Date);

      const found = await store.users.findByUsername('alice');
      assert.equal(found?.id, created.id);
      assert.equal((await store.users.findByEmail('ALICE@example.com'))[0]?.id, created.id);

      await assert.rejects(store.users.create({ username: 'ALICE' }), /unique|UNIQUE|duplicate/i);

      const updated = await store.users.update(created.id, {
        disabled: true,
        groups: ['dev', 'ops'],
        picture: 'https://p/a.png',
      });
      assert.equal(updated?.disabled, true);
      assert.deepEqual(updated?.groups, ['dev', 'ops']);
      assert.equal(updated?.picture, 'https://p/a.png');
      assert.equal(updated?.displayName, 'Alice Liddell');
      assert.ok(updated.updatedAt.getTime() >= created.updatedAt.getTime());

      assert.deepEqual(
        (await store.users.list({ search: 'lidd' })).map((user) => user.username),
        ['Alice'],
      );

      await store.passwords.set(created.id, '$plaintext$one');
      await store.passwords.set(created.id, '$plaintext$two');
      assert.equal((await store.passwords.get(created.id))?.digest, '$plaintext$two');

      assert.equal(await store.users.delete(created.id), true);
      assert.equal(await store.users.get(created.id), undefined);
      assert.equal(await store.passwords.get(created.id), undefined, 'credentials go with the user');
      const groups = await store.groups.list();
      assert.equal(groups.find((group) => group.name === 'dev')?.members, 0);
    });

    test('invitations keep every field; one use or revocation wins', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000);
      const created = await store.invitations.create({
        id: `inv-${engine.name}`,
        email: 'Invitee@Example.com',
        username: 'invitee',
        groups: ['staff', 'readers'],
        mailed: true,
        createdBy: 'user:root',
        expiresAt,
        linkId: 'link-1',
      });
      assert.equal(created.email, 'Invitee@Example.com');
      assert.deepEqual(created.groups, ['staff', 'readers']);
      assert.equal(created.mailed, true);
      assert.equal(created.expiresAt.getTime(), expiresAt.getTime());
      assert.equal(created.usedAt, undefined);
      await store.invitations.setLink(created.id, 'link-2');
      assert.equal((await store.invitations.get(created.id))!.linkId, 'link-2');
      const uses = await Promise.all(
        [1, 2, 3].map((n) => store.invitations.markUsed(created.id, `user-${n}`, new Date())),
      );
      assert.equal(uses.filter(Boolean).length, 1);
      assert.equal(
        await store.invitations.revoke(created.id, new Date()),
        false,
        'a used one is not revoked',
      );
      const copied = await store.invitations.create({
        id: `inv2-${engine.name}`,
        email: 'b@example.com',
        groups: [],
        mailed: false,
        expiresAt,
      });
      assert.equal(copied.mailed, false);
      assert.equal(copied.username, undefined);
      assert.equal(await store.invitations.revoke(copied.id, new Date()), true);
      assert.equal(await store.invitations.markUsed(copied.id, 'x', new Date()), false);
      assert.deepEqual(
        (await store.invitations.list())
          .map((invitation) => invitation.id)
          .filter((id) => id.endsWith(engine.name))
          .sort(),
        [copied.id, created.id].sort(),
      );
    });

    test('a failing transaction leaves nothing behind', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.create({ username: 'half-made', groups: ['halfgroup'] });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.users.findByUsername('half-made'), undefined);
      assert.equal(await store.groups.findByName('halfgroup'), undefined);
    });

    test('transactions waiting behind the same one run one after another', async () => {
      // Four at once: three wait for the first, which awaits inside; when it ends, they must not
      // all begin on the one connection together.
      const names = ['queued-a', 'queued-b', 'queued-c', 'queued-d'];
      const outcomes = await Promise.allSettled(
        names.map((name) =>
          store.transaction(async (tx) => {
            await tx.groups.ensure(name);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }),
        ),
      );
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : outcome.status)),
        names.map(() => 'fulfilled'),
      );
      for (const name of names) assert.ok(await store.groups.findByName(name), name);
    });

    test('a value holding a NUL character finds nothing, and is stored only where the engine can', async () => {
      // (Straight from a request: /api/v1/users/a%00b, a username typed with one, a client_id.)
      const odd = 'nul\u0000inside';
      assert.equal(await store.users.findByUsername(odd), undefined);
      assert.equal(await store.clients.findByClientId(odd), undefined);
      assert.equal(await store.artifacts.find('AccessToken', odd), undefined);
      assert.deepEqual(await store.users.list({ search: odd }), []);
      const user = await store.users.create({ username: 'nul-writer', groups: [] });
      const write = store.users.update(user.id, { displayName: odd });
      // PostgreSQL text cannot hold one: bad input, not an engine failure. SQLite keeps it as given.
      if (engine.name === 'postgres') await assert.rejects(write, InvalidInputError);
      else assert.equal((await write)?.displayName, odd);
      await store.users.delete(user.id);
    });

    test('lookups are exact, except usernames, e-mail addresses and group names, which ignore case', async () => {
      const user = await store.users.create({
        username: 'Exact',
        email: 'Exact@Example.com',
        groups: ['Exact-Group'],
      });
      assert.equal((await store.users.findByUsername('EXACT'))?.id, user.id);
      assert.equal(await store.users.findByUsername('Exact '), undefined, 'trailing spaces count');
      assert.equal((await store.users.findByEmail('exact@example.COM'))[0]?.id, user.id);
      assert.deepEqual(await store.users.findByEmail('exact@example.com '), []);
      assert.equal((await store.groups.findByName('EXACT-group'))?.name, 'Exact-Group');
      await assert.rejects(store.users.create({ username: 'exact' }), /unique|UNIQUE|duplicate/i);
      const expiresAt = new Date(Date.now() + 60_000);
      await store.artifacts.upsert({ model: 'AccessToken', id: 'Exact', payload: {}, expiresAt });
      assert.ok(await store.artifacts.find('AccessToken', 'Exact'));
      for (const near of ['exact', 'Exact ', 'Exáct'])
        assert.equal(await store.artifacts.find('AccessToken', near), undefined, `'${near}' is another id`);
      await store.artifacts.destroy('AccessToken', 'Exact');
      await store.users.delete(user.id);
      await store.groups.delete('Exact-Group');
    });

    test('a user in many groups reads back with every one of them, in order', async () => {
      const names = Array.from(
        { length: 150 },
        (_, index) => `many-groups-${String(index).padStart(3, '0')}-${'x'.repeat(30)}`,
      );
      const user = await store.users.create({ username: 'many-groups', groups: [...names].reverse() });
      assert.deepEqual((await store.users.get(user.id))?.groups, names);
      await store.users.delete(user.id);
      for (const name of names) await store.groups.delete(name);
    });

    test('login sessions are listed newest first, of everyone or of one account', async () => {
      const at = (minutes: number) => new Date(Date.now() + minutes * 60_000);
      const sessions = [
        { id: 'list-a', payload: { accountId: 'account-1' }, expiresAt: at(10) },
        { id: 'list-b', payload: { accountId: 'account-2' }, expiresAt: at(20) },
        { id: 'list-c', payload: {}, expiresAt: at(30) },
        { id: 'list-d', payload: { accountId: 'account-1' }, expiresAt: at(-1) },
      ];
      for (const session of sessions) await store.artifacts.upsert({ model: 'Session', ...session });
      const ids = (list: { id: string }[]) =>
        list.map((session) => session.id).filter((id) => id.startsWith('list-'));
      assert.deepEqual(ids(await store.artifacts.listSessions()), ['list-b', 'list-a']);
      assert.deepEqual(ids(await store.artifacts.listSessions({ accountId: 'account-1' })), ['list-a']);
      for (const session of sessions) await store.artifacts.destroy('Session', session.id);
    });

    test('a value longer than a MySQL column allows is bad input there; the other engines keep it', async () => {
      const id = `long-${'i'.repeat(600)}`;
      const write = store.artifacts.upsert({ model: 'AccessToken', id, payload: {} });
      if (engine.name === 'mysql') {
        await assert.rejects(
          write,
          (error: unknown) => error instanceof InvalidInputError && /too long/.test(error.message),
        );
        assert.equal(await store.artifacts.find('AccessToken', id), undefined);
      } else {
        await write;
        assert.ok(await store.artifacts.find('AccessToken', id));
        await store.artifacts.destroy('AccessToken', id);
      }
    });

    test('clients and applications keep every field', async () => {
      const client = await store.clients.create({
        clientId: 'romm',
        name: 'RomM',
        secretDigest: '$pbkdf2-sha512$310000$c2FsdA$aGFzaA',
        public: false,
        redirectUris: [
          { url: 'https://romm.example.com/api/oauth/openid', matching_mode: 'strict' },
          { url: 'https://.*\\.example\\.com/cb', matching_mode: 'regex' },
        ],
        postLogoutRedirectUris: [],
        scopes: ['openid', 'email', 'profile'],
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code'],
        consentMode: 'implicit',
        preConfiguredConsentDuration: 604800,
        authorizationPolicy: 'one_factor',
        allowedGroups: ['gamers'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        idTokenSignedResponseAlg: 'RS256',
        userinfoSignedResponseAlg: 'none',
        accessTokenSignedResponseAlg: 'none',
        requirePkce: true,
        subjectMode: 'user_id',
        lifespans: { access_token: 3600 },
        settings: { response_modes: ['query'] },
      });
      const loaded = await store.clients.findByClientId('romm');
      assert.deepEqual(loaded, client);
      assert.equal(loaded?.requirePkce, true);
      assert.equal(loaded?.preConfiguredConsentDuration, 604800);
      assert.equal(loaded?.redirectUris[1]?.matching_mode, 'regex');

      const application = await store.applications.create({
        slug: 'romm',
        name: 'RomM',
        clientRef: client.id,
        launchUrl: 'https://romm.example.com',
      });
      assert.equal((await store.applications.findBySlug('romm'))?.clientRef, client.id);
      await assert.rejects(store.applications.create({ slug: 'romm', name: 'again' }));

      const renamed = await store.clients.update(client.id, { name: 'RomM games', scopes: ['openid'] });
      assert.equal(renamed?.name, 'RomM games');
      assert.deepEqual(renamed?.scopes, ['openid']);
      assert.deepEqual(renamed?.redirectUris, client.redirectUris);

      await store.clients.delete(client.id);
      assert.equal((await store.applications.get(application.id))?.clientRef, undefined);
    });

    test('writes to clients, applications and keys move the change counters, from any connection', async () => {
      // Another node: its own connection, its own process-local feed.
      const other = fixture.open();
      try {
        await store.pollChanges();
        const told: string[] = [];
        const stop = store.changes.on('clients', () => told.push('clients'));
        const client = await other.clients.create({
          clientId: 'counted',
          name: 'Counted',
          public: true,
          redirectUris: [{ url: 'https://counted.example.com/cb', matching_mode: 'strict' }],
          postLogoutRedirectUris: [],
          scopes: ['openid'],
          grantTypes: ['authorization_code'],
          responseTypes: ['code'],
          consentMode: 'implicit',
          authorizationPolicy: 'one_factor',
          allowedGroups: [],
          tokenEndpointAuthMethod: 'none',
          idTokenSignedResponseAlg: 'RS256',
          userinfoSignedResponseAlg: 'none',
          accessTokenSignedResponseAlg: 'none',
          requirePkce: true,
          subjectMode: 'user_id',
          lifespans: {},
          settings: {},
        });
        assert.deepEqual(told, [], 'another connection’s write is not seen before a poll');
        assert.deepEqual(await store.pollChanges(), ['clients']);
        assert.deepEqual(await store.pollChanges(), [], 'nothing moved since the last poll');
        // A write through this store tells its listeners at once.
        await store.clients.update(client.id, { name: 'Counted again' });
        assert.deepEqual(told, ['clients', 'clients']);
        await other.applications.create({ slug: 'counted', name: 'Counted', clientRef: client.id });
        assert.deepEqual(await store.pollChanges(), ['clients']);
        // Plain SQL counts too: the triggers are in the database.
        await (other as unknown as { engine: { run(sql: string): Promise<unknown> } }).engine.run(
          "UPDATE oauth_clients SET name = 'By hand' WHERE client_id = 'counted'",
        );
        assert.deepEqual(await store.pollChanges(), ['clients']);
        await other.clients.delete(client.id);
        await other.signingKeys.add({
          kid: 'counted-key',
          algorithm: 'ES256',
          use: 'sig',
          privateJwk: '{"kty":"EC"}',
          publicJwk: '{"kty":"EC"}',
          status: 'next',
        });
        assert.deepEqual((await store.pollChanges()).sort(), ['clients', 'signing_keys']);
        await other.signingKeys.delete('counted-key');
        stop();
      } finally {
        await other.close();
      }
    });

    test('writes issued together all land, except the one that breaks a constraint', async () => {
      const executor = (store as unknown as { engine: { run(sql: string): Promise<unknown> } }).engine;
      const ids = Array.from({ length: 6 }, (_, index) => `together-${index}`);
      const outcomes = await Promise.allSettled([
        ...ids.slice(0, 3).map((id) => store.artifacts.upsert({ model: 'AccessToken', id, payload: { id } })),
        executor.run("INSERT INTO change_counters (topic, version) VALUES ('clients', 0)"),
        ...ids.slice(3).map((id) => store.artifacts.upsert({ model: 'AccessToken', id, payload: { id } })),
      ]);
      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
      );
      for (const id of ids)
        assert.deepEqual((await store.artifacts.find('AccessToken', id))?.payload, { id });
      // SQLite queues writes for one commit: a transaction right behind queued writes sees them.
      if (engine.name === 'sqlite') {
        const queued = store.artifacts.upsert({ model: 'AccessToken', id: 'before-tx', payload: {} });
        const seen = await store.transaction(async (tx) =>
          Boolean(await tx.artifacts.find('AccessToken', 'before-tx')),
        );
        await queued;
        await store.artifacts.destroy('AccessToken', 'before-tx');
        assert.equal(seen, true);
      }
      for (const id of ids) await store.artifacts.destroy('AccessToken', id);
    });

    test('signing keys are sealed at rest and open only with the same key', async () => {
      const privateJwk = JSON.stringify({
        kty: 'OKP',
        crv: 'Ed25519',
        d: 'secret-material-d',
        x: 'public-x',
      });
      await store.signingKeys.add({
        kid: 'k1',
        algorithm: 'EdDSA',
        use: 'sig',
        privateJwk,
        publicJwk: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'public-x' }),
        status: 'active',
      });
      assert.equal((await store.signingKeys.get('k1'))?.privateJwk, privateJwk);
      assert.deepEqual(
        (await store.signingKeys.list('active')).map((key) => key.kid),
        ['k1'],
      );

      const other = Store.open({
        ...fixture.options,
        sealer: createSealer('a-different-encryption-key-xyz'),
      });
      try {
        await assert.rejects(other.signingKeys.get('k1'), /storage.encryption_key/);
      } finally {
        await other.close();
      }
      await store.signingKeys.setStatus('k1', 'retired');
      assert.ok((await store.signingKeys.get('k1'))?.retiredAt instanceof Date);
    });

    test('artifacts: expiry, lookups, grant revocation and garbage collection', async () => {
      const now = Date.now();
      const future = new Date(now + 60_000);
      await store.artifacts.upsert({
        model: 'Session',
        id: 's1',
        payload: { accountId: 'u1' },
        uid: 'uid-1',
        expiresAt: future,
      });
      await store.artifacts.upsert({
        model: 'AccessToken',
        id: 'a1',
        payload: { n: 1 },
        grantId: 'g1',
        expiresAt: future,
      });
      await store.artifacts.upsert({
        model: 'RefreshToken',
        id: 'r1',
        payload: { n: 2 },
        grantId: 'g1',
        expiresAt: future,
      });
      await store.artifacts.upsert({
        model: 'DeviceCode',
        id: 'd1',
        payload: {},
        userCode: 'ABCD-EFGH',
        expiresAt: future,
      });
      await store.artifacts.upsert({
        model: 'AccessToken',
        id: 'old',
        payload: {},
        expiresAt: new Date(now - 1000),
      });

      assert.deepEqual((await store.artifacts.find('Session', 's1'))?.payload, { accountId: 'u1' });
      assert.equal((await store.artifacts.findByUid('Session', 'uid-1'))?.id, 's1');
      assert.equal((await store.artifacts.findByUserCode('DeviceCode', 'ABCD-EFGH'))?.id, 'd1');
      assert.equal(await store.artifacts.find('AccessToken', 'old'), undefined, 'expired reads as absent');

      await store.artifacts.upsert({
        model: 'Session',
        id: 's1',
        payload: { accountId: 'u2' },
        uid: 'uid-1',
        expiresAt: future,
      });
      assert.deepEqual((await store.artifacts.find('Session', 's1'))?.payload, { accountId: 'u2' });

      assert.equal(await store.artifacts.revokeByGrantId('g1'), 2);
      assert.equal(await store.artifacts.find('RefreshToken', 'r1'), undefined);

      assert.equal(await store.artifacts.deleteExpired(new Date(now)), 1);
      assert.equal(await store.artifacts.deleteExpired(new Date(now + 120_000)), 2);
      assert.equal(await store.artifacts.count(), 0);
    });

    test('a one-time artifact consumed by several nodes at once is consumed exactly once', async () => {
      const nodes = [fixture.open(), fixture.open(), fixture.open(), fixture.open()];
      try {
        for (let round = 0; round < 20; round++) {
          const id = `code-${round}`;
          await store.artifacts.upsert({
            model: 'AuthorizationCode',
            id,
            payload: {},
            expiresAt: new Date(Date.now() + 60_000),
          });
          const results = await Promise.all(
            nodes.map((node) => node.artifacts.consume('AuthorizationCode', id)),
          );
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(results)}`);
          assert.ok((await store.artifacts.find('AuthorizationCode', id))?.consumedAt instanceof Date);
        }
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    });

    test('a one-time marker claimed by several nodes at once is claimed exactly once, again after expiry', async () => {
      const nodes = [fixture.open(), fixture.open(), fixture.open(), fixture.open()];
      try {
        for (let round = 0; round < 10; round++) {
          const id = `form-${round}`;
          const expiresAt = new Date(Date.now() + 60_000);
          const results = await Promise.all(
            nodes.map((node) => node.artifacts.claim('UsedFormToken', id, expiresAt)),
          );
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(results)}`);
          assert.equal(await store.artifacts.claim('UsedFormToken', id, expiresAt), false);
        }
        // An expired marker reads as absent, so it can be claimed again.
        const past = new Date(Date.now() - 1000);
        assert.equal(await store.artifacts.claim('UsedFormToken', 'old', past), true);
        assert.equal(
          await store.artifacts.claim('UsedFormToken', 'old', new Date(Date.now() + 60_000)),
          true,
        );
        assert.equal(
          await store.artifacts.claim('UsedFormToken', 'old', new Date(Date.now() + 60_000)),
          false,
        );
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    });

    test('audit events are listed newest first with keyset paging and filters', async () => {
      for (let index = 0; index < 5; index++)
        await store.events.append({
          type: index % 2 ? 'login.failed' : 'login.succeeded',
          subject: `user${index}`,
          details: { index },
        });
      const newest = await store.events.list({ limit: 2 });
      assert.deepEqual(
        newest.map((event) => event.details.index),
        [4, 3],
      );
      const next = await store.events.list({ limit: 2, before: newest[1]!.id });
      assert.deepEqual(
        next.map((event) => event.details.index),
        [2, 1],
      );
      assert.equal((await store.events.list({ type: 'login.failed' })).length, 2);
    });

    test('a process killed in the middle of writing loses nothing it had committed', async () => {
      const writer = spawn(
        process.execPath,
        [
          fileURLToPath(new URL('../../test/fixtures/crash-writer.ts', import.meta.url)),
          JSON.stringify(fixture.options),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let committed = 0;
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        writer.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) if (/^\d+$/.test(line)) committed = Number(line);
          if (committed >= 200 && writer.exitCode === null) writer.kill('SIGKILL');
        });
        writer.on('exit', () => resolve());
        writer.on('error', reject);
      });
      assert.ok(committed >= 200, `the writer reported ${committed} commits before it died`);
      const events = await store.events.list({ type: 'crash.test', limit: 100_000 });
      const written = new Set(events.map((event) => event.details.sequence));
      for (let sequence = 1; sequence <= committed; sequence++)
        assert.ok(written.has(sequence), `commit ${sequence} lost`);
    });
  });
}
