// Clients, applications and keys are cached in memory; a change made by another node (here: a
// second connection to the same database, as the CLI or another node has) must reach the running
// server within its poll interval, and a change made through the server itself at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/services/install.ts';
import type { Store } from '../src/store/index.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

/** Polls `check` every 100 ms until it holds; the change feed polls every second. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what} within ${timeoutMs} ms`);
}

for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(
    `changes made elsewhere reach the running server (${engine})`,
    { skip: await skipWithout(engine) },
    () => {
      let sesame: TestSesame;
      let elsewhere: Store;
      let app: Awaited<ReturnType<TestSesame['addApplication']>>;

      before(async () => {
        sesame = await startTestSesame(engine);
        elsewhere = openStore(sesame.running.config);
        app = await sesame.addApplication({
          name: 'Cached',
          redirectUris: [{ url: 'https://cached.example.com/old', matching_mode: 'strict' }],
        });
      });

      after(async () => {
        await elsewhere.close();
        await sesame.stop();
      });

      /** The status of an authorization request: 303 (to the login page) when the URI is registered. */
      async function authorize(redirectUri: string): Promise<number> {
        const discovery = (await (await fetch(`${app.issuer}.well-known/openid-configuration`)).json()) as {
          authorization_endpoint: string;
        };
        const url = new URL(discovery.authorization_endpoint);
        url.search = new URLSearchParams({
          client_id: app.clientId,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }).toString();
        const response = await fetch(url, { redirect: 'manual' });
        await response.body?.cancel();
        return response.status;
      }

      test('a redirect URI changed by another connection is honoured within the poll interval', async () => {
        assert.equal(await authorize('https://cached.example.com/old'), 303);
        assert.equal(await authorize('https://cached.example.com/new'), 400);
        const stored = (await elsewhere.clients.findByClientId(app.clientId))!;
        await elsewhere.clients.update(stored.id, {
          redirectUris: [{ url: 'https://cached.example.com/new', matching_mode: 'strict' }],
        });
        await eventually(
          async () => (await authorize('https://cached.example.com/new')) === 303,
          'the new redirect URI was not accepted',
        );
        assert.equal(await authorize('https://cached.example.com/old'), 400, 'the old one is refused');
      });

      test('an application deleted by another connection stops answering', async () => {
        const discovery = `${app.issuer}.well-known/openid-configuration`;
        assert.equal((await fetch(discovery)).status, 200);
        const application = (await elsewhere.applications.findBySlug(app.slug))!;
        await elsewhere.applications.delete(application.id);
        await eventually(
          async () => (await fetch(discovery)).status === 404,
          'the deleted application’s issuer still answered',
        );
      });

      test('a change through the server’s own store applies at once', async () => {
        const other = await sesame.addApplication({
          name: 'Immediate',
          redirectUris: [{ url: 'https://immediate.example.com/a', matching_mode: 'strict' }],
        });
        const stored = (await sesame.running.store.clients.findByClientId(other.clientId))!;
        app = other;
        assert.equal(await authorize('https://immediate.example.com/a'), 303);
        await sesame.running.store.clients.update(stored.id, {
          redirectUris: [{ url: 'https://immediate.example.com/b', matching_mode: 'strict' }],
        });
        assert.equal(await authorize('https://immediate.example.com/b'), 303);
        assert.equal(await authorize('https://immediate.example.com/a'), 400);
      });
    },
  );
}
