// The `totp` options against a real store: a code is accepted once (also when two nodes race for it)
// unless disable_reuse_security_policy says otherwise; users choose among the allowed parameters; and
// a secret keeps working with the parameters it was set up with when the defaults change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate, generateSecret } from 'otplib';
import type { TotpKey } from '../src/factors/totp.ts';
import type { InvalidInputError } from '../src/lib/errors.ts';
import type { User } from '../src/store/index.ts';
import { PASSWORD } from './support/flows.ts';
import { skipWithoutPostgres } from './support/postgres.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

let now = Date.UTC(2026, 5, 1, 12, 0, 10);
const clock = () => now;
const codeFor = (key: TotpKey) => generate({ ...key, epoch: Math.floor(now / 1000) });

async function enrolled(sesame: TestSesame, username: string, key?: Partial<TotpKey>): Promise<TotpKey> {
  const user = await sesame.addUser({ username, password: PASSWORD });
  const { totp } = sesame.running.factors;
  const enrolment = await totp.begin(username, key);
  const full = { ...enrolment, ...key };
  assert.ok(await totp.confirm(user.id, full, await codeFor(full)));
  now += full.period * 1000; // the next code, so the confirming one is not a replay
  return full;
}

const idOf = async (sesame: TestSesame, username: string): Promise<string> =>
  ((await sesame.running.store.users.findByUsername(username)) as User).id;

describe('TOTP with the default reuse policy, on two PostgreSQL nodes', async () => {
  const skip = await skipWithoutPostgres();
  let first: TestSesame;
  let second: TestSesame;
  before(async () => {
    if (skip) return;
    first = await startTestSesame('postgres', '', { clock });
    second = await startTestSesame('postgres', '', { clock, nodeOf: first });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  test('a code is accepted once, even when both nodes check it at the same moment', { skip }, async () => {
    const key = await enrolled(first, 'ada');
    const id = await idOf(first, 'ada');
    const code = await codeFor(key);
    const answers = await Promise.all([
      first.running.factors.totp.verify(id, code),
      second.running.factors.totp.verify(id, code),
    ]);
    assert.deepEqual(answers.toSorted(), [false, true]);
    assert.equal(await first.running.factors.totp.verify(id, code), false, 'a replay');
  });
});

describe('TOTP options on SQLite', () => {
  let relaxed: TestSesame;
  let choosy: TestSesame;
  before(async () => {
    relaxed = await startTestSesame('sqlite', '', {
      clock,
      topLevelYaml: 'totp:\n  disable_reuse_security_policy: true\n',
    });
    choosy = await startTestSesame('sqlite', '', {
      clock,
      topLevelYaml: `totp:
  algorithm: SHA1
  allowed_algorithms: [SHA256, SHA512]
  allowed_digits: [8]
  allowed_periods: [60]
`,
    });
  });
  after(async () => {
    await relaxed?.stop();
    await choosy?.stop();
  });

  test('disable_reuse_security_policy accepts a code again within its window', async () => {
    const key = await enrolled(relaxed, 'bob');
    const id = await idOf(relaxed, 'bob');
    const code = await codeFor(key);
    assert.equal(await relaxed.running.factors.totp.verify(id, code), true);
    assert.equal(await relaxed.running.factors.totp.verify(id, code), true);
    assert.equal(await relaxed.running.factors.totp.verify(id, '000000'), false);
  });

  test('the allowed lists keep the defaults, and a user may choose among them', async () => {
    const { totp } = choosy.running.factors;
    assert.deepEqual(totp.choices, {
      algorithms: ['sha256', 'sha512', 'sha1'],
      digits: [8, 6],
      periods: [60, 30],
    });
    const key = await enrolled(choosy, 'cleo', { algorithm: 'sha512', digits: 8, period: 60 });
    const enrolment = await totp.begin('cleo', { algorithm: 'sha512', digits: 8, period: 60 });
    assert.match(enrolment.uri, /algorithm=SHA512/);
    assert.match(enrolment.uri, /digits=8/);
    assert.match(enrolment.uri, /period=60/);
    const stored = await choosy.running.store.totp.get(await idOf(choosy, 'cleo'));
    assert.deepEqual([stored?.algorithm, stored?.digits, stored?.period], ['sha512', 8, 60]);
    assert.equal(await totp.verify(await idOf(choosy, 'cleo'), await codeFor(key)), true);
  });

  test('a choice outside the allowed lists is refused', async () => {
    const { totp } = relaxed.running.factors;
    for (const [choice, field] of [
      [{ algorithm: 'sha256' }, 'algorithm'],
      [{ digits: 8 }, 'digits'],
      [{ period: 60 }, 'period'],
    ] as const)
      await assert.rejects(totp.begin('dan', choice), (error: InvalidInputError) => error.field === field);
  });

  test('a secret set up with other parameters keeps working when they are no longer the defaults', async () => {
    const user = await relaxed.addUser({ username: 'eli', password: PASSWORD });
    const key: TotpKey = { secret: generateSecret(), algorithm: 'sha256', digits: 8, period: 60 };
    await relaxed.running.store.totp.begin({ userId: user.id, ...key });
    await relaxed.running.store.totp.confirm(user.id, 0, new Date(now));
    assert.equal(await relaxed.running.factors.totp.verify(user.id, await codeFor(key)), true);
    const sixDigits = await generate({ ...key, digits: 6, epoch: Math.floor(now / 1000) });
    assert.equal(await relaxed.running.factors.totp.verify(user.id, sixDigits), false);
  });
});
