// The system admin actions as services, on every engine: each change and its audit event are one
// transaction, credited to the actor the transport names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rememberConsent } from '../src/oidc/consent.ts';
import { ConsentService } from '../src/services/consents.ts';
import { EventService } from '../src/services/events.ts';
import { KeyService, KeysFromConfigurationError } from '../src/services/keys.ts';
import { SessionService } from '../src/services/sessions.ts';
import { PASSWORD } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`system services on ${engine}`, { skip: await skipWithout(engine) }, () => {
    let sesame: TestSesame;
    before(async () => {
      sesame = await startTestSesame(engine);
      await sesame.addUser({ username: 'ann', password: PASSWORD });
    });
    after(() => sesame?.stop());

    test('a rotation retires the active keys and writes one keys.rotated for its actor', async () => {
      const { store, config } = sesame.running;
      const keys = new KeyService(store, config);
      const active = (await keys.list()).filter((key) => key.status === 'active').map((key) => key.kid);
      const { added, retired } = await keys.rotate('token:ci');
      assert.deepEqual([...retired].sort(), [...active].sort());
      const listed = await keys.list();
      for (const kid of retired) {
        const key = listed.find((entry) => entry.kid === kid)!;
        assert.equal(key.status, 'retired');
        assert.ok(key.published, 'a key retired just now still verifies');
        assert.equal(key.publishedUntil!.getTime() - key.retiredAt!.getTime(), keys.overlapSeconds * 1000);
      }
      assert.ok(added.every((kid) => listed.some((key) => key.kid === kid && key.status === 'active')));
      const { items } = await new EventService(store).list({ limit: 10, type: 'keys.rotated' });
      assert.deepEqual(
        items.map((event) => [event.actor, event.details]),
        [['token:ci', { added, retired }]],
      );
    });

    test('keys from the configuration file are not rotated', async () => {
      const { store, config } = sesame.running;
      const configured = {
        ...config,
        identity_providers: {
          ...config.identity_providers,
          oidc: { ...config.identity_providers.oidc, jwks: [{}] as never },
        },
      };
      await assert.rejects(new KeyService(store, configured).rotate('cli'), KeysFromConfigurationError);
    });

    test('consents: listed per user, revoked once with consent.revoked, then not found', async () => {
      const { store } = sesame.running;
      const ann = (await store.users.findByUsername('ann'))!;
      await rememberConsent(store, ann.id, 'notes', ['openid', 'email'], 3600);
      const consents = new ConsentService(store);
      assert.deepEqual(
        (await consents.list('ann')).map((consent) => [consent.clientId, consent.scopes]),
        [['notes', ['openid', 'email']]],
      );
      await consents.revoke('ann', 'notes', 'user:root');
      assert.deepEqual(await consents.list('ann'), []);
      await assert.rejects(consents.revoke('ann', 'notes', 'user:root'), { status: 404 });
      await assert.rejects(consents.list('nobody'), { status: 404 });
      const { items } = await new EventService(store).list({ limit: 10, type: 'consent.revoked' });
      assert.deepEqual(
        items.map((event) => [event.actor, event.subject, event.details]),
        [['user:root', 'ann', { client_id: 'notes' }]],
      );
    });

    test('sessions: an unknown session is not found, and nothing is written', async () => {
      const { store } = sesame.running;
      const sessions = new SessionService(store);
      await assert.rejects(sessions.revoke('no-such-uid', 'cli'), { status: 404 });
      assert.deepEqual((await sessions.list({ limit: 10, offset: 0 })).items, []);
      assert.deepEqual(await new EventService(store).list({ limit: 10, type: 'session.revoked' }), {
        items: [],
        nextBefore: undefined,
      });
    });
  });
}
