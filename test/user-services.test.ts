// The users service holds the rules of a user's profile and account, whichever transport asks (the
// admin API, the admin UI, the CLI): checked on every engine, with nothing written when refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError } from '../src/lib/errors.ts';
import { UserAdminService } from '../src/services/users.ts';
import { PASSWORD } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`user services on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    let users: UserAdminService;
    before(async () => {
      sesame = await startTestSesame(engine);
      await sesame.addUser({ username: 'ann', password: PASSWORD });
      const { store, config, factors } = sesame.running;
      users = new UserAdminService(
        store,
        config.authentication_backend.password_hashing,
        factors,
        config.password_policy,
      );
    });
    after(() => sesame?.stop());

    test('profile fields follow one rule: names of at most 200 characters, an http(s) picture, an address', async () => {
      for (const [patch, field] of [
        [{ displayName: 'x'.repeat(201) }, 'display_name'],
        [{ familyName: 'y'.repeat(201) }, 'family_name'],
        [{ picture: 'javascript:alert(1)' }, 'picture'],
        [{ email: 'not-an-address' }, 'email'],
      ] as const) {
        await assert.rejects(
          users.update('user:root', 'ann', patch, Object.keys(patch)),
          (error: unknown) => error instanceof InvalidInputError && error.field === field,
        );
        await assert.rejects(
          users.create('user:root', { username: `new-${field}`, ...patch }),
          (error: unknown) => error instanceof InvalidInputError && error.field === field,
        );
      }
      const { store } = sesame.running;
      assert.equal((await store.users.findByUsername('ann'))!.displayName, undefined);
      assert.equal((await store.users.list({ search: 'new-' })).length, 0);
      assert.equal((await store.events.list({ type: 'user.updated', subject: 'ann' })).length, 0);
      const valid = { displayName: 'Ann', picture: 'https://example.com/ann.png' };
      const updated = await users.update('user:root', 'ann', valid, ['display_name', 'picture']);
      assert.deepEqual([updated.displayName, updated.picture], ['Ann', 'https://example.com/ann.png']);
    });
  });
}
