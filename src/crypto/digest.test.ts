import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DigestFormatError,
  digestCostSummary,
  encodeDigest,
  hashSecret,
  isValidDigest,
  parseDigest,
  verifySecret,
} from './digest.ts';
import type { DigestAlgorithm, DigestOptions, ParsedDigest } from './digest.ts';
import { resolveArgon2Options } from './digests/argon2.ts';
import { resolveBcryptOptions } from './digests/bcrypt.ts';
import { resolvePbkdf2Options } from './digests/pbkdf2.ts';
import { resolveScryptOptions } from './digests/scrypt.ts';
import { resolveSha2cryptOptions } from './digests/sha2crypt.ts';

const ARGON2 = '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4';
const PBKDF2 =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';
const SCRYPT = '$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ';
const BCRYPT = '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i';
const BCRYPT_SHA256 = '$bcrypt-sha256$v=2,t=2b,r=12$KSOjON/ciJR86a00N5q61.$AmWZucQuHk13FGkQWhgMeiFvBfm2GCy';
const SHA512CRYPT =
  '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1';
const SHA512CRYPT_HASH = SHA512CRYPT.slice(SHA512CRYPT.lastIndexOf('$') + 1);

interface RoundTrip {
  algorithm: DigestAlgorithm;
  options: DigestOptions;
  prefix: string;
  variant: string;
}

// Cheap parameters: these check the plumbing, not the cost.
const ROUND_TRIPS: RoundTrip[] = [
  {
    algorithm: 'argon2',
    options: { variant: 'argon2id', memory: 64, iterations: 1, parallelism: 1 },
    prefix: '$argon2id$v=19$m=64,t=1,p=1$',
    variant: 'argon2id',
  },
  {
    algorithm: 'argon2',
    options: { variant: 'argon2i', memory: 64, iterations: 1, parallelism: 2 },
    prefix: '$argon2i$v=19$m=64,t=1,p=2$',
    variant: 'argon2i',
  },
  {
    algorithm: 'argon2',
    options: { variant: 'd', memory: 64, iterations: 2, parallelism: 1 },
    prefix: '$argon2d$v=19$m=64,t=2,p=1$',
    variant: 'argon2d',
  },
  {
    algorithm: 'pbkdf2',
    options: { variant: 'sha1', iterations: 1000 },
    prefix: '$pbkdf2$1000$',
    variant: 'sha1',
  },
  {
    algorithm: 'pbkdf2',
    options: { variant: 'sha224', iterations: 1000 },
    prefix: '$pbkdf2-sha224$1000$',
    variant: 'sha224',
  },
  {
    algorithm: 'pbkdf2',
    options: { variant: 'sha256', iterations: 1000 },
    prefix: '$pbkdf2-sha256$1000$',
    variant: 'sha256',
  },
  {
    algorithm: 'pbkdf2',
    options: { variant: 'sha384', iterations: 1000 },
    prefix: '$pbkdf2-sha384$1000$',
    variant: 'sha384',
  },
  { algorithm: 'pbkdf2', options: { iterations: 1000 }, prefix: '$pbkdf2-sha512$1000$', variant: 'sha512' },
  { algorithm: 'scrypt', options: { iterations: 4 }, prefix: '$scrypt$ln=4,r=8,p=1$', variant: 'scrypt' },
  {
    algorithm: 'scrypt',
    options: { iterations: 4, blockSize: 4, parallelism: 2, keyLength: 64, saltLength: 32 },
    prefix: '$scrypt$ln=4,r=4,p=2$',
    variant: 'scrypt',
  },
  { algorithm: 'bcrypt', options: { cost: 4 }, prefix: '$2b$04$', variant: 'standard' },
  {
    algorithm: 'bcrypt',
    options: { variant: 'sha256', cost: 4 },
    prefix: '$bcrypt-sha256$v=2,t=2b,r=4$',
    variant: 'sha256',
  },
  { algorithm: 'sha2crypt', options: { rounds: 1000 }, prefix: '$6$rounds=1000$', variant: 'sha512' },
  {
    algorithm: 'sha2crypt',
    options: { variant: 'sha256', iterations: 1000 },
    prefix: '$5$rounds=1000$',
    variant: 'sha256',
  },
  { algorithm: 'plaintext', options: {}, prefix: '$plaintext$', variant: 'plaintext' },
  { algorithm: 'plaintext', options: { variant: 'base64' }, prefix: '$base64$', variant: 'base64' },
];

describe('hashSecret / verifySecret round trips', () => {
  for (const { algorithm, options, prefix, variant } of ROUND_TRIPS) {
    it(`${algorithm} ${variant} ${JSON.stringify(options)}`, async () => {
      for (const secret of ['correct horse battery staple', 'pässwörd 🔑 with $ and :']) {
        const digest = await hashSecret(secret, algorithm, options);
        assert.ok(digest.startsWith(prefix), digest);
        assert.deepEqual(isValidDigest(digest), { ok: true });
        const parsed = parseDigest(digest);
        assert.equal(parsed.algorithm, algorithm);
        assert.equal(parsed.variant, variant);
        assert.equal(encodeDigest(parsed), digest);
        assert.equal(await verifySecret(secret, digest), true);
        assert.equal(await verifySecret(secret, parsed), true);
        assert.equal(await verifySecret(secret.toUpperCase(), digest), false);
        assert.equal(await verifySecret(`${secret} `, digest), false);
        assert.equal(await verifySecret('', digest), false);
        if (algorithm !== 'plaintext') {
          assert.notEqual(
            await hashSecret(secret, algorithm, options),
            digest,
            'each digest gets a fresh salt',
          );
        }
      }
    });
  }

  it('defaults to argon2id m=19456 t=2 p=1 (OWASP) with a 16-byte salt and a 32-byte key', async () => {
    const digest = await hashSecret('hunter2');
    assert.match(digest, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const parsed = parseDigest(digest);
    assert.equal(parsed.algorithm === 'argon2' && parsed.salt.length, 16);
    assert.equal(parsed.algorithm === 'argon2' && parsed.hash.length, 32);
    assert.equal(await verifySecret('hunter2', digest), true);
  });

  it("uses OWASP's argon2id parameters and Authelia's defaults for the other algorithms", () => {
    assert.deepEqual(resolveArgon2Options({}), {
      variant: 'argon2id',
      memory: 19456,
      iterations: 2,
      parallelism: 1,
      keyLength: 32,
      saltLength: 16,
    });
    assert.deepEqual(resolvePbkdf2Options({}), { variant: 'sha512', iterations: 310000, saltLength: 16 });
    assert.deepEqual(resolvePbkdf2Options({ variant: 'sha256' }), {
      variant: 'sha256',
      iterations: 700000,
      saltLength: 16,
    });
    assert.deepEqual(resolveScryptOptions({}), {
      logN: 16,
      blockSize: 8,
      parallelism: 1,
      keyLength: 32,
      saltLength: 16,
    });
    assert.deepEqual(resolveBcryptOptions({}), { variant: 'standard', cost: 12 });
    assert.deepEqual(resolveSha2cryptOptions({}), { variant: 'sha512', rounds: 50000, saltLength: 16 });
  });

  it('bcrypt ignores everything after 72 bytes, so hashSecret refuses longer secrets', async () => {
    const seventyTwo = 'a'.repeat(72);
    const digest = await hashSecret(seventyTwo, 'bcrypt', { cost: 4 });
    assert.equal(await verifySecret(`${seventyTwo}but this part is ignored`, digest), true);
    await assert.rejects(hashSecret(`${seventyTwo}b`, 'bcrypt', { cost: 4 }), RangeError);
    // Multi-byte characters count as their UTF-8 bytes.
    await assert.rejects(hashSecret('é'.repeat(37), 'bcrypt', { cost: 4 }), RangeError);

    const prehashed = await hashSecret(`${seventyTwo}b`, 'bcrypt', { variant: 'sha256', cost: 4 });
    assert.equal(await verifySecret(`${seventyTwo}b`, prehashed), true);
    assert.equal(await verifySecret(`${seventyTwo}c`, prehashed), false);
  });

  it('rejects unusable secrets, algorithms and options', async () => {
    await assert.rejects(hashSecret(''), TypeError);
    await assert.rejects(hashSecret('x', 'md5' as DigestAlgorithm), RangeError);
    await assert.rejects(hashSecret('x', 'argon2', { cost: 12 }), /option cost does not apply to argon2/);
    await assert.rejects(hashSecret('x', 'argon2', { variant: 'argon2x' }), RangeError);
    await assert.rejects(hashSecret('x', 'argon2', { memory: 16, parallelism: 4 }), RangeError);
    await assert.rejects(hashSecret('x', 'argon2', { memory: 4 * 1024 * 1024 }), RangeError);
    await assert.rejects(hashSecret('x', 'argon2', { saltLength: 4 }), RangeError);
    await assert.rejects(hashSecret('x', 'pbkdf2', { variant: 'md5' }), RangeError);
    await assert.rejects(hashSecret('x', 'pbkdf2', { keyLength: 32 }), /fixed at 64 bytes/);
    await assert.rejects(hashSecret('x', 'pbkdf2', { iterations: 0 }), RangeError);
    await assert.rejects(hashSecret('x', 'scrypt', { iterations: 21 }), RangeError);
    await assert.rejects(hashSecret('x', 'scrypt', { iterations: 20, blockSize: 16 }), /1 GiB/);
    await assert.rejects(hashSecret('x', 'scrypt', { variant: 'yescrypt' }), RangeError);
    await assert.rejects(hashSecret('x', 'bcrypt', { cost: 3 }), RangeError);
    await assert.rejects(hashSecret('x', 'bcrypt', { cost: 12.5 }), RangeError);
    await assert.rejects(hashSecret('x', 'sha2crypt', { rounds: 999 }), RangeError);
    await assert.rejects(hashSecret('x', 'sha2crypt', { saltLength: 17 }), RangeError);
    await assert.rejects(hashSecret('x', 'sha2crypt', { rounds: 5000, iterations: 6000 }), RangeError);
    await assert.rejects(hashSecret('x', 'plaintext', { iterations: 1 }), RangeError);
  });
});

describe('parseDigest', () => {
  it('takes a digest apart', () => {
    const argon2 = parseDigest(ARGON2);
    assert.equal(argon2.algorithm, 'argon2');
    assert.equal(argon2.variant, 'argon2id');
    if (argon2.algorithm === 'argon2') {
      assert.deepEqual(argon2.parameters, { version: 19, memory: 256, iterations: 2, parallelism: 1 });
      assert.deepEqual(argon2.salt, Buffer.from('somesalt'));
      assert.equal(argon2.hash.length, 32);
    }
    const pbkdf2 = parseDigest(PBKDF2);
    assert.deepEqual(
      {
        algorithm: pbkdf2.algorithm,
        variant: pbkdf2.variant,
        parameters: pbkdf2.algorithm === 'pbkdf2' && pbkdf2.parameters,
      },
      { algorithm: 'pbkdf2', variant: 'sha512', parameters: { iterations: 310000 } },
    );
    const bcrypt = parseDigest(BCRYPT);
    assert.equal(bcrypt.algorithm === 'bcrypt' && bcrypt.parameters.revision, '2a');
    assert.equal(bcrypt.algorithm === 'bcrypt' && bcrypt.salt.length, 16);
    assert.equal(bcrypt.algorithm === 'bcrypt' && bcrypt.hash.length, 23);
  });

  it('treats a value without a leading $ as a plaintext secret', async () => {
    const parsed = parseDigest('s3cret$with$dollars');
    assert.equal(parsed.algorithm, 'plaintext');
    assert.equal(parsed.algorithm === 'plaintext' && parsed.prefixed, false);
    assert.equal(await verifySecret('s3cret$with$dollars', 's3cret$with$dollars'), true);
    assert.equal(await verifySecret('s3cret$with$dollar', 's3cret$with$dollars'), false);
    assert.equal(await verifySecret('a$b', '$plaintext$a$b'), true);
    assert.equal(await verifySecret('hello', '$base64$aGVsbG8='), true);
  });

  it('writes sha2crypt digests back with an explicit rounds field', () => {
    const implicit = '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5';
    assert.equal(
      encodeDigest(parseDigest(implicit)),
      '$5$rounds=5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
    );
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['a lone $', '$'],
    ['an empty identifier', '$$abc'],
    ['an unknown identifier', '$md5$abc$def'],
    ['an upper-case identifier', ARGON2.replace('argon2id', 'Argon2id')],
    ['yescrypt', '$y$j9T$salt$hash'],
    // argon2
    ['argon2 without its hash', '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ'],
    ['argon2 with an extra segment', `${ARGON2}$extra`],
    ['argon2 version 16', ARGON2.replace('v=19', 'v=16')],
    ['argon2 without a version', ARGON2.replace('$v=19', '')],
    ['argon2 without p', ARGON2.replace(',p=1', '')],
    ['argon2 with a repeated parameter', ARGON2.replace('t=2', 't=2,t=2')],
    ['argon2 with an unknown parameter', ARGON2.replace('p=1', 'p=1,k=1')],
    ['argon2 with a non-numeric parameter', ARGON2.replace('m=256', 'm=lots')],
    ['argon2 with a signed parameter', ARGON2.replace('m=256', 'm=+256')],
    ['argon2 memory above 2 GiB', ARGON2.replace('m=256', 'm=4194304')],
    ['argon2 memory below 8 KiB per lane', ARGON2.replace('m=256,t=2,p=1', 'm=8,t=2,p=2')],
    ['argon2 with t=0', ARGON2.replace('t=2', 't=0')],
    ['argon2 with t=33', ARGON2.replace('t=2', 't=33')],
    ['argon2 with p=0', ARGON2.replace('p=1', 'p=0')],
    ['argon2 with p=256', ARGON2.replace('m=256,t=2,p=1', 'm=4096,t=2,p=256')],
    ['argon2 salt with a bad character', ARGON2.replace('c29tZXNhbHQ', 'c29tZXNh!HQ')],
    ['argon2 salt with padding', ARGON2.replace('c29tZXNhbHQ', 'c29tZXNhbHQ=')],
    ['argon2 salt of impossible length', ARGON2.replace('c29tZXNhbHQ', 'c29tZ')],
    ['argon2 salt shorter than 8 bytes', ARGON2.replace('c29tZXNhbHQ', 'c29tZQ')],
    ['argon2 hash shorter than 16 bytes', ARGON2.replace(/\$[^$]+$/, '$AAAAAAAAAAA')],
    ['argon2 hash in adapted base64', ARGON2.replace('/uIPnA', '.uIPnA')],
    ['argon2 with an empty salt', ARGON2.replace('c29tZXNhbHQ', '')],
    // pbkdf2
    ['pbkdf2 with 0 iterations', PBKDF2.replace('310000', '0')],
    ['pbkdf2 with too many iterations', PBKDF2.replace('310000', '100000001')],
    ['pbkdf2 with non-numeric iterations', PBKDF2.replace('310000', '31e4')],
    ['pbkdf2 with empty iterations', PBKDF2.replace('310000', '')],
    ['pbkdf2 with "+" (not adapted base64)', PBKDF2.replace('.9yHx', '+9yHx')],
    [
      'pbkdf2 hash of the wrong length',
      '$pbkdf2-sha512$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M',
    ],
    ['pbkdf2 without its hash', '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q'],
    ['pbkdf2 with an unknown hash', PBKDF2.replace('sha512', 'md5')],
    ['pbkdf2 with an empty salt', PBKDF2.replace('c8p78n7pUMln0jzvd4aK4Q', '')],
    // scrypt
    ['scrypt with ln=0', SCRYPT.replace('ln=8', 'ln=0')],
    ['scrypt with ln=21', SCRYPT.replace('ln=8', 'ln=21')],
    ['scrypt with r=0', SCRYPT.replace('r=8', 'r=0')],
    ['scrypt with r=33', SCRYPT.replace('r=8', 'r=33')],
    ['scrypt with p=17', SCRYPT.replace('p=1', 'p=17')],
    ['scrypt without p', SCRYPT.replace(',p=1', '')],
    ['scrypt needing 2 GiB', SCRYPT.replace('ln=8,r=8', 'ln=20,r=16')],
    ['scrypt with N= instead of ln=', SCRYPT.replace('ln=8', 'N=256')],
    ['scrypt in adapted base64', SCRYPT.replace('Kv+iE', 'Kv.iE')],
    // bcrypt
    ['bcrypt cost 03', BCRYPT.replace('$06$', '$03$')],
    ['bcrypt cost 17', BCRYPT.replace('$06$', '$17$')],
    ['bcrypt single-digit cost', BCRYPT.replace('$06$', '$6$')],
    ['bcrypt truncated', BCRYPT.slice(0, -1)],
    ['bcrypt too long', `${BCRYPT}a`],
    ['bcrypt with a bad character', BCRYPT.replace('HzrHM', 'Hz!HM')],
    ['bcrypt $2x$', BCRYPT.replace('$2a$', '$2x$')],
    ['bcrypt $2$', BCRYPT.replace('$2a$', '$2$')],
    ['bcrypt $2c$', BCRYPT.replace('$2a$', '$2c$')],
    [
      'bcrypt-sha256 in the passlib v1 format',
      '$bcrypt-sha256$2a,12$KSOjON/ciJR86a00N5q61.$AmWZucQuHk13FGkQWhgMeiFvBfm2GCy',
    ],
    ['bcrypt-sha256 v=1', BCRYPT_SHA256.replace('v=2', 'v=1')],
    ['bcrypt-sha256 without r', BCRYPT_SHA256.replace(',r=12', '')],
    ['bcrypt-sha256 with t=2x', BCRYPT_SHA256.replace('t=2b', 't=2x')],
    ['bcrypt-sha256 with a short salt', BCRYPT_SHA256.replace('q61.$', 'q61$')],
    // sha2crypt
    ['sha2crypt below 1000 rounds', SHA512CRYPT.replace('rounds=1400', 'rounds=999')],
    ['sha2crypt above 1,000,000 rounds', SHA512CRYPT.replace('rounds=1400', 'rounds=1000001')],
    ['sha2crypt with non-numeric rounds', SHA512CRYPT.replace('rounds=1400', 'rounds=many')],
    ['sha2crypt with empty rounds', SHA512CRYPT.replace('rounds=1400', 'rounds=')],
    ['sha2crypt salt over 16 characters', SHA512CRYPT.replace('anotherlongsalts', 'anotherlongsaltst')],
    ['sha2crypt salt with a bad character', SHA512CRYPT.replace('anotherlongsalts', 'another long')],
    ['sha2crypt with an empty salt', `$6$$${SHA512CRYPT_HASH}`],
    ['sha2crypt hash of the wrong length', SHA512CRYPT.slice(0, -1)],
    ['sha2crypt hash with a bad character', SHA512CRYPT.replace('POfYw', 'POf+w')],
    ['sha2crypt without its hash', '$6$saltstring'],
    ['sha256crypt hash under $6$', '$6$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    // plaintext
    ['an empty $plaintext$', '$plaintext$'],
    ['an empty $base64$', '$base64$'],
    ['$base64$ that is not base64', '$base64$not base64!'],
  ];

  for (const [description, digest] of malformed) {
    it(`rejects ${description}`, async () => {
      assert.throws(() => parseDigest(digest), DigestFormatError);
      const result = isValidDigest(digest);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.reason.length > 10);
      await assert.rejects(verifySecret('password', digest), DigestFormatError);
    });
  }

  it('rejects non-strings', () => {
    assert.throws(() => parseDigest(42 as unknown as string), DigestFormatError);
  });

  it('never repeats the input in its error message', () => {
    const secretLookingValue = '$MyClientSecretValue$Abc123';
    assert.throws(
      () => parseDigest(secretLookingValue),
      (error: unknown) => {
        assert.ok(error instanceof DigestFormatError);
        assert.ok(!error.message.includes('MyClientSecretValue'), error.message);
        assert.ok(!error.message.includes('Abc123'), error.message);
        assert.match(error.message, /\$argon2id\$/, 'says which formats are allowed');
        return true;
      },
    );
  });
});

describe('verifySecret with a ParsedDigest', () => {
  it('re-checks bounds on a digest object built or altered by hand', async () => {
    const parsed = parseDigest(ARGON2);
    assert.equal(parsed.algorithm, 'argon2');
    if (parsed.algorithm !== 'argon2') return;
    const greedy: ParsedDigest = {
      ...parsed,
      parameters: { ...parsed.parameters, memory: 64 * 1024 * 1024 },
    };
    await assert.rejects(verifySecret('password', greedy), DigestFormatError);
    const unknown = { ...parsed, algorithm: 'md5' } as unknown as ParsedDigest;
    await assert.rejects(verifySecret('password', unknown), DigestFormatError);
    assert.equal(await verifySecret('password', parsed), true);
  });
});

describe('digestCostSummary', () => {
  it('describes algorithm and cost without salt or hash', () => {
    assert.equal(digestCostSummary(ARGON2), 'argon2id m=256 t=2 p=1');
    assert.equal(digestCostSummary(PBKDF2), 'pbkdf2-sha512 310000 iterations');
    assert.equal(digestCostSummary(SCRYPT), 'scrypt ln=8 r=8 p=1');
    assert.equal(digestCostSummary(BCRYPT), 'bcrypt cost=6');
    assert.equal(digestCostSummary(BCRYPT_SHA256), 'bcrypt-sha256 cost=12');
    assert.equal(digestCostSummary(SHA512CRYPT), 'sha512crypt rounds=1400');
    assert.equal(
      digestCostSummary('$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
      'sha256crypt rounds=5000',
    );
    assert.equal(digestCostSummary('$plaintext$hunter2'), 'plaintext (not hashed)');
    assert.equal(digestCostSummary('hunter2'), 'plaintext (not hashed)');
  });

  it('throws DigestFormatError for a malformed digest', () => {
    assert.throws(() => digestCostSummary('$argon2id$v=19$m=1'), DigestFormatError);
  });
});
