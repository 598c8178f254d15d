// Published digests from other implementations: if these verify, Sesame reads what they wrote.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseDigest, verifySecret } from './digest.ts';
import { deriveArgon2Key, loadNodeRsArgon2, nodeHasArgon2 } from './digests/argon2.ts';
import type { Argon2Variant } from './digests/argon2.ts';

interface Vector {
  source: string;
  secret: string;
  digest: string;
  /** Costly at its native parameters: only the matching secret is checked. */
  slow?: boolean;
}

const AUTHELIA_PBKDF2 =
  '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

const VECTORS: Vector[] = [
  // Authelia documentation (users file example and `crypto hash generate argon2` output).
  {
    source: 'Authelia docs, users file',
    secret: 'password',
    digest: '$argon2id$v=19$m=65536,t=3,p=2$BpLnfgDsc2WD8F2q$o/vzA4myCqZZ36bUGsDY//8mKUYNZZaR0t4MFFSs+iM',
    slow: true,
  },
  // phc-winner-argon2 reference test suite (password "password", salt "somesalt").
  {
    source: 'argon2 reference, argon2i m=256 t=2 p=1',
    secret: 'password',
    digest: '$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8',
  },
  {
    source: 'argon2 reference, argon2i m=256 t=2 p=2',
    secret: 'password',
    digest: '$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E',
  },
  {
    source: 'argon2 reference, argon2id m=256 t=2 p=1',
    secret: 'password',
    digest: '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
  },
  {
    source: 'argon2 reference, argon2id m=256 t=2 p=2',
    secret: 'password',
    digest: '$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc',
  },
  // passlib documentation.
  {
    source: 'passlib pbkdf2_sha256 docs',
    secret: 'password',
    digest: '$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M',
  },
  {
    source: 'passlib pbkdf2_sha256 docs, 10-byte salt',
    secret: 'password',
    digest: '$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE',
  },
  {
    source: 'passlib pbkdf2_sha256 example with "." in the hash',
    secret: 'toomanysecrets',
    digest: '$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk',
  },
  {
    source: 'passlib scrypt docs, ln=8',
    secret: 'password',
    digest: '$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ',
  },
  // jBCrypt / OpenBSD test vectors.
  {
    source: 'jBCrypt, empty string',
    secret: '',
    digest: '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.',
  },
  {
    source: 'jBCrypt, "a"',
    secret: 'a',
    digest: '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe',
  },
  {
    source: 'jBCrypt, "abc"',
    secret: 'abc',
    digest: '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i',
  },
  {
    source: 'jBCrypt, alphabet',
    secret: 'abcdefghijklmnopqrstuvwxyz',
    digest: '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC',
  },
  {
    source: 'jBCrypt, symbols',
    secret: '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    digest: '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO',
  },
  // Apache httpd docs (`htpasswd -nbB myName myPassword`), a $2y$ digest.
  {
    source: 'Apache htpasswd docs',
    secret: 'myPassword',
    digest: '$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC',
  },
  // hashcat example hash for mode 30601 (passlib bcrypt_sha256 v2).
  {
    source: 'hashcat example, bcrypt-sha256',
    secret: 'hashcat',
    digest: '$bcrypt-sha256$v=2,t=2b,r=12$KSOjON/ciJR86a00N5q61.$AmWZucQuHk13FGkQWhgMeiFvBfm2GCy',
    slow: true,
  },
  // Drepper's SHA-crypt specification (the outputs; salts longer than 16 characters are truncated there).
  {
    source: 'SHA-crypt spec, $6$ implicit rounds',
    secret: 'Hello world!',
    digest:
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  },
  {
    source: 'SHA-crypt spec, $6$ rounds=10000',
    secret: 'Hello world!',
    digest:
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  },
  {
    source: 'SHA-crypt spec, $6$ rounds=1400',
    secret: 'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    digest:
      '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  },
  {
    source: 'SHA-crypt spec, $6$ minimum rounds',
    secret: 'the minimum number is still observed',
    digest:
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  },
  {
    source: 'SHA-crypt spec, $5$ implicit rounds',
    secret: 'Hello world!',
    digest: '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
  },
  {
    source: 'SHA-crypt spec, $5$ rounds=5000',
    secret: 'This is just a test',
    digest: '$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5',
  },
  {
    source: 'SHA-crypt spec, $5$ rounds=1400',
    secret: 'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    digest: '$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1',
  },
];

describe('published digests', () => {
  it('verifies the Authelia pbkdf2-sha512 guide vector, and rejects another secret', async () => {
    const [right, wrong] = await Promise.all([
      verifySecret('insecure_secret', AUTHELIA_PBKDF2),
      verifySecret('insecure_secret2', AUTHELIA_PBKDF2),
    ]);
    assert.equal(right, true);
    assert.equal(wrong, false);
  });

  for (const { source, secret, digest, slow = false } of VECTORS) {
    it(`verifies ${source}`, async () => {
      assert.equal(await verifySecret(secret, digest), true);
      if (!slow) assert.equal(await verifySecret(`${secret}!`, digest), false);
    });
  }
});

const bothArgon2BackendsAvailable =
  nodeHasArgon2() &&
  (await loadNodeRsArgon2().then(
    () => true,
    () => false,
  ));

describe('argon2 backends', () => {
  const bothAvailable = bothArgon2BackendsAvailable;

  it('crypto.argon2 and @node-rs/argon2 derive the same keys', { skip: !bothAvailable }, async () => {
    const variants: Argon2Variant[] = ['argon2id', 'argon2i', 'argon2d'];
    for (const variant of variants) {
      for (const [memory, iterations, parallelism] of [
        [64, 1, 1],
        [256, 2, 2],
        [1024, 3, 4],
      ] as const) {
        const input = {
          variant,
          secret: Buffer.from('correct horse battery staple ✓', 'utf8'),
          salt: randomBytes(16),
          memory,
          iterations,
          parallelism,
          keyLength: 32,
        };
        assert.deepEqual(await deriveArgon2Key(input, 'node'), await deriveArgon2Key(input, 'node-rs'));
      }
    }
  });

  it('the node-rs backend verifies a reference vector', { skip: !bothAvailable }, async () => {
    const parsed = parseDigest(
      '$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc',
    );
    assert.equal(parsed.algorithm, 'argon2');
    if (parsed.algorithm !== 'argon2') return;
    const key = await deriveArgon2Key(
      {
        variant: parsed.variant,
        secret: Buffer.from('password'),
        salt: parsed.salt,
        ...parsed.parameters,
        keyLength: 32,
      },
      'node-rs',
    );
    assert.deepEqual(key, parsed.hash);
  });
});
