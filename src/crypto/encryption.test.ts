import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptionError, createSealer } from './encryption.ts';

const KEY = 'a-very-long-storage-encryption-key-0123456789';

/** Flips one bit in the base64url segment `index` of a sealed value (keeping it valid base64url). */
function tamper(sealed: string, index: 1 | 2): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('createSealer', () => {
  it('round-trips text, including empty and non-ASCII values', () => {
    const sealer = createSealer(KEY);
    for (const plaintext of ['', 'JBSWY3DPEHPK3PXP', 'ünïcödé 🔐'.repeat(100)]) {
      const sealed = sealer.seal(plaintext);
      assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.ok(!sealed.includes(plaintext) || plaintext === '');
      assert.equal(sealer.open(sealed), plaintext);
    }
  });

  it('uses a fresh nonce for every value', () => {
    const sealer = createSealer(KEY);
    assert.notEqual(sealer.seal('same'), sealer.seal('same'));
  });

  it('opens values sealed by another sealer with the same key', () => {
    assert.equal(createSealer(KEY).open(createSealer(KEY).seal('shared')), 'shared');
  });

  it('detects tampering with the nonce or the ciphertext', () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal('totp secret');
    assert.throws(() => sealer.open(tamper(sealed, 1)), DecryptionError);
    assert.throws(() => sealer.open(tamper(sealed, 2)), DecryptionError);
    const truncated = sealed.slice(0, -2);
    assert.throws(() => sealer.open(truncated), DecryptionError);
  });

  it('says the encryption key is probably wrong when it does not match', () => {
    const sealed = createSealer(KEY).seal('totp secret');
    assert.throws(
      () => createSealer(`${KEY}!`).open(sealed),
      (error: unknown) => {
        assert.ok(error instanceof DecryptionError);
        assert.match(error.message, /encryption_key is probably wrong or was changed/);
        assert.ok(!error.message.includes(KEY));
        return true;
      },
    );
  });

  it('binds associated data', () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal('totp secret', 'totp_configurations:42:secret');
    assert.equal(sealer.open(sealed, 'totp_configurations:42:secret'), 'totp secret');
    assert.throws(() => sealer.open(sealed, 'totp_configurations:43:secret'), DecryptionError);
    assert.throws(() => sealer.open(sealed), DecryptionError);
    assert.throws(
      () => sealer.open(sealer.seal('totp secret'), 'totp_configurations:42:secret'),
      DecryptionError,
    );
  });

  it('rejects malformed and unknown-version values with their own messages', () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal('x');
    for (const bad of [
      '',
      'v1',
      'v1..',
      'v1.abc',
      `${sealed}.extra`,
      'v1.a+b.c/d',
      'v1.AAAA.AAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      assert.throws(() => sealer.open(bad), { name: 'DecryptionError', message: /malformed/ });
    }
    assert.throws(() => sealer.open(sealed.replace(/^v1/, 'v2')), {
      name: 'DecryptionError',
      message: /unsupported format version/,
    });
  });

  it('requires an encryption key of at least 20 characters', () => {
    assert.throws(() => createSealer('too-short'), { name: 'RangeError', message: /at least 20 characters/ });
    assert.throws(() => createSealer(12345 as unknown as string), RangeError);
    assert.doesNotThrow(() => createSealer('x'.repeat(20)));
  });
});
