import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifySecret } from '../crypto/digest.ts';
import {
  ClientSecretVerifier,
  type ClientAttempt,
  type ClientSecretVerifierOptions,
} from './client-secrets.ts';

const DIGEST =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

/** A verifier that notes each secret it hashes (the real hash, with regulation when given). */
function counting(regulation?: ClientSecretVerifierOptions['regulation'], now?: () => number) {
  const calls: string[] = [];
  const verifier = new ClientSecretVerifier({
    regulation,
    now,
    verifyDigest: async (secret, digest) => {
      calls.push(secret);
      return verifySecret(secret, digest);
    },
  });
  const ok = async (secret: string, digest = DIGEST, attempt?: ClientAttempt) =>
    (await verifier.verify(secret, digest, attempt)).ok;
  return { verifier, calls, ok };
}

test('a verified secret is recognised again without hashing', async () => {
  const { ok, calls } = counting();
  assert.equal(await ok('insecure_secret'), true);
  assert.equal(await ok('insecure_secret'), true);
  assert.equal(await ok('insecure_secret'), true);
  assert.deepEqual(calls, ['insecure_secret'], 'the digest was computed once');
});

test('a wrong secret pays the full hash every time and is never remembered', async () => {
  const { ok, calls } = counting();
  assert.equal(await ok('wrong'), false);
  assert.equal(await ok('wrong'), false);
  assert.equal(await ok('insecure_secret'), true);
  assert.equal(await ok('wrong'), false);
  assert.deepEqual(calls, ['wrong', 'wrong', 'insecure_secret', 'wrong']);
});

test('the record is bound to the digest: a changed digest is verified afresh', async () => {
  const { ok, calls } = counting();
  assert.equal(await ok('insecure_secret'), true);
  const other = '$plaintext$insecure_secret';
  assert.equal(await ok('insecure_secret', other), true);
  assert.equal(await ok('insecure_secret', '$plaintext$something-else'), false);
  assert.equal(calls.length, 3);
});

const REGULATION = { max_retries: 3, find_time: 120, ban_time: 300, modes: ['user' as const] };

test('wrong secrets past max_retries are refused without hashing; a remembered secret still passes', async () => {
  let now = Date.now();
  const { verifier, calls, ok } = counting(REGULATION, () => now);
  const app = { clientId: 'app', clientIp: '192.0.2.1' };
  assert.equal(await ok('insecure_secret', DIGEST, app), true, 'the app signs in: its secret is remembered');
  for (let attempt = 0; attempt < 3; attempt++) assert.equal(await ok('wrong', DIGEST, app), false);
  const refused = await verifier.verify('wrong', DIGEST, app);
  assert.equal(refused.ok, false);
  assert.equal(refused.refused?.by, 'client');
  assert.equal(await ok('insecure_secret', DIGEST, app), true, 'the remembered secret is not slowed');
  assert.deepEqual(calls, ['insecure_secret', 'wrong', 'wrong', 'wrong'], 'nothing hashed during the ban');
  // The id is public: the ban holds at the address the failures came from, not wherever the app is.
  assert.equal(await ok('still wrong', DIGEST, { clientId: 'app', clientIp: '198.51.100.7' }), false);
  assert.equal(calls.length, 5, 'from another address a secret is checked');
  // Another client id is not banned; the ban ends after ban_time.
  assert.equal(await ok('wrong', DIGEST, { clientId: 'other' }), false);
  now += 301_000;
  assert.equal(await ok('wrong', DIGEST, app), false);
  assert.equal(calls.length, 7);
});

test('during a ban a right secret not yet remembered is refused unhashed', async () => {
  const { calls, ok } = counting(REGULATION);
  const app = { clientId: 'app' };
  for (let attempt = 0; attempt < 3; attempt++) await ok('wrong', DIGEST, app);
  assert.equal(await ok('insecure_secret', DIGEST, app), false);
  assert.equal(calls.length, 3);
});

test('wrong secrets sent side by side are hashed at most max_retries times', async () => {
  const { calls, verifier } = counting(REGULATION);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, n) => verifier.verify(`wrong-${n}`, DIGEST, { clientId: 'app' })),
  );
  assert.equal(calls.length, 3);
  assert.equal(results.filter((result) => result.refused).length, 17);
  assert.equal(results.filter((result) => result.banned).length, 1, 'one ban, reported once');
});

test('with `ip` in modes an address is banned across client ids; a right secret is not counted', async () => {
  const { calls, ok } = counting({ ...REGULATION, modes: ['ip'] });
  assert.equal(await ok('insecure_secret', DIGEST, { clientId: 'a', clientIp: '192.0.2.9' }), true);
  await ok('wrong', DIGEST, { clientId: 'a', clientIp: '192.0.2.9' });
  await ok('wrong', DIGEST, { clientId: 'b', clientIp: '192.0.2.9' });
  assert.equal(await ok('wrong', DIGEST, { clientId: 'c', clientIp: '192.0.2.9' }), false);
  assert.equal(await ok('wrong', DIGEST, { clientId: 'a', clientIp: '192.0.2.9' }), false);
  assert.equal(await ok('wrong', DIGEST, { clientId: 'a', clientIp: '203.0.113.1' }), false);
  assert.deepEqual(calls, ['insecure_secret', 'wrong', 'wrong', 'wrong', 'wrong']);
});

test('the right secret sent side by side by a fresh process is hashed once and never refused', async () => {
  const { calls, verifier } = counting(REGULATION);
  const app = { clientId: 'app', clientIp: '192.0.2.1' };
  const results = await Promise.all(
    Array.from({ length: 8 }, () => verifier.verify('insecure_secret', DIGEST, app)),
  );
  assert.deepEqual(
    results.map((result) => result.ok),
    Array.from({ length: 8 }, () => true),
  );
  assert.deepEqual(calls, ['insecure_secret']);
});

test('wrong secrets from one address do not ban the app calling from another', async () => {
  const { calls, ok } = counting(REGULATION);
  for (let attempt = 0; attempt < 5; attempt++)
    await ok(`guess-${attempt}`, DIGEST, { clientId: 'app', clientIp: '203.0.113.66' });
  assert.equal(calls.length, 3, 'the attacker is banned after max_retries');
  assert.equal(await ok('insecure_secret', DIGEST, { clientId: 'app', clientIp: '192.0.2.1' }), true);
});
