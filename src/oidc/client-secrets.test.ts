import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifySecret } from '../crypto/digest.ts';
import { ClientSecretVerifier } from './client-secrets.ts';

const DIGEST =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

function counting() {
  const calls: string[] = [];
  const verifier = new ClientSecretVerifier(async (secret, digest) => {
    calls.push(secret);
    return verifySecret(secret, digest);
  });
  return { verifier, calls };
}

test('a verified secret is recognised again without hashing', async () => {
  const { verifier, calls } = counting();
  assert.equal(await verifier.verify('insecure_secret', DIGEST), true);
  assert.equal(await verifier.verify('insecure_secret', DIGEST), true);
  assert.equal(await verifier.verify('insecure_secret', DIGEST), true);
  assert.deepEqual(calls, ['insecure_secret'], 'the digest was computed once');
});

test('a wrong secret pays the full hash every time and is never remembered', async () => {
  const { verifier, calls } = counting();
  assert.equal(await verifier.verify('wrong', DIGEST), false);
  assert.equal(await verifier.verify('wrong', DIGEST), false);
  assert.equal(await verifier.verify('insecure_secret', DIGEST), true);
  assert.equal(await verifier.verify('wrong', DIGEST), false);
  assert.deepEqual(calls, ['wrong', 'wrong', 'insecure_secret', 'wrong']);
});

test('the record is bound to the digest: a changed digest is verified afresh', async () => {
  const { verifier, calls } = counting();
  assert.equal(await verifier.verify('insecure_secret', DIGEST), true);
  const other = '$plaintext$insecure_secret';
  assert.equal(await verifier.verify('insecure_secret', other), true);
  assert.equal(await verifier.verify('insecure_secret', '$plaintext$something-else'), false);
  assert.equal(calls.length, 3);
});
