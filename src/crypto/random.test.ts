import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHARSETS, randomId, randomString, randomToken } from './random.ts';
import type { Charset } from './random.ts';

/** Pearson's chi-squared statistic of observed counts against a uniform expectation. */
function chiSquared(counts: Map<string, number>, symbols: number, draws: number): number {
  const expected = draws / symbols;
  let statistic = 0;
  for (const count of counts.values()) statistic += (count - expected) ** 2 / expected;
  // Symbols never drawn still contribute.
  statistic += (symbols - counts.size) * expected;
  return statistic;
}

function countCharacters(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  return counts;
}

describe('CHARSETS', () => {
  it("matches Authelia's crypto rand charsets", () => {
    assert.equal(CHARSETS.alphanumeric, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    assert.equal(CHARSETS['numeric-hex'], '0123456789ABCDEF');
    assert.equal(CHARSETS.rfc3986, `${CHARSETS.alphanumeric}-._~`);
    assert.equal(CHARSETS['rfc3986-lower'], 'abcdefghijklmnopqrstuvwxyz0123456789-._~');
    assert.equal(CHARSETS.ascii.length, 94, 'every printable ASCII character except space');
    for (const [name, characters] of Object.entries(CHARSETS)) {
      assert.equal(new Set(characters).size, characters.length, `${name} has no duplicates`);
    }
  });
});

describe('randomString', () => {
  it('returns the requested length from the requested charset', () => {
    for (const name of Object.keys(CHARSETS) as Charset[]) {
      const value = randomString(200, name);
      assert.equal(value.length, 200);
      for (const character of value) assert.ok(CHARSETS[name].includes(character), `${character} in ${name}`);
    }
    assert.match(randomString(72), /^[A-Za-z0-9]{72}$/, 'alphanumeric by default');
    assert.equal(randomString(1).length, 1);
  });

  it('accepts custom characters, counting by code point', () => {
    const value = randomString(100, 'ab🔑');
    assert.equal([...value].length, 100);
    assert.match(value, /^(?:a|b|🔑)+$/u);
    assert.deepEqual(new Set(randomString(300, 'xy')), new Set(['x', 'y']));
  });

  it('draws characters uniformly', () => {
    const draws = 20_000;
    const numeric = chiSquared(countCharacters(randomString(draws, 'numeric')), 10, draws);
    const rfc3986 = chiSquared(countCharacters(randomString(draws, 'rfc3986')), 66, draws);
    // 99.99th percentiles of chi-squared with 9 and 65 degrees of freedom are about 33.7 and 117;
    // a biased generator (e.g. byte % 66) lands far above.
    assert.ok(numeric < 33.7, `numeric chi-squared ${numeric}`);
    assert.ok(rfc3986 < 117, `rfc3986 chi-squared ${rfc3986}`);
  });

  it('rejects lengths outside 1..1,000,000 with a RangeError that says what is allowed', () => {
    for (const length of [0, -1, 1_000_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => randomString(length), {
        name: 'RangeError',
        message: /length must be an integer from 1 to 1000000/,
      });
    }
    assert.equal(randomString(1_000_000, 'numeric').length, 1_000_000);
  });

  it('rejects custom character sets that would not be uniform or random', () => {
    assert.throws(() => randomString(10, 'a'), RangeError);
    assert.throws(() => randomString(10, ''), RangeError);
    assert.throws(() => randomString(10, 'aab'), /unique/);
  });
});

describe('randomId', () => {
  it('returns distinct version 4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    assert.equal(ids.size, 1000);
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('randomToken', () => {
  it('returns base64url of 32 random bytes by default', () => {
    const token = randomToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.notEqual(randomToken(), token);
    assert.equal(Buffer.from(randomToken(64), 'base64url').length, 64);
  });

  it('refuses token sizes that are too small to be unguessable', () => {
    assert.throws(() => randomToken(8), { name: 'RangeError', message: /from 16 to/ });
    assert.throws(() => randomToken(0), RangeError);
    assert.throws(() => randomToken(2_000_000), RangeError);
  });
});
