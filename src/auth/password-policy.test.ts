import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { passwordPolicySchema } from '../config/password-policy-schema.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { PasswordPolicy } from './password-policy.ts';

const policyOf = (input: unknown) => new PasswordPolicy(passwordPolicySchema.parse(input));

/** The message of the refusal, or undefined when the password is accepted. */
async function refusal(policy: PasswordPolicy, password: string, inputs: string[] = []) {
  try {
    await policy.check(password, inputs, 'new_password');
    return undefined;
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.field, 'new_password');
    return error.message;
  }
}

describe('password policy', () => {
  test('without an enabled engine a password needs 8 characters, counted as characters', async () => {
    const policy = policyOf({});
    assert.equal(await refusal(policy, 'seven77'), 'The password must have at least 8 characters.');
    assert.equal(await refusal(policy, 'password'), undefined);
    // Four emoji are 8 UTF-16 units but 4 characters.
    assert.match((await refusal(policy, '🔑🔑🔑🔑'))!, /at least 8/);
    assert.deepEqual(policy.describe(), ['At least 8 characters.']);
  });

  test('each standard rule refuses with its own message', async () => {
    const policy = policyOf({
      standard: {
        enabled: true,
        min_length: 10,
        max_length: 16,
        require_uppercase: true,
        require_lowercase: true,
        require_number: true,
        require_special: true,
      },
    });
    assert.equal(await refusal(policy, 'Ab1!short'), 'The password must have at least 10 characters.');
    assert.equal(
      await refusal(policy, 'Ab1!' + 'x'.repeat(13)),
      'The password must have at most 16 characters.',
    );
    assert.equal(await refusal(policy, 'ab1!abcdefgh'), 'The password must contain an upper-case letter.');
    assert.equal(await refusal(policy, 'AB1!ABCDEFGH'), 'The password must contain a lower-case letter.');
    assert.equal(await refusal(policy, 'Abc!abcdefgh'), 'The password must contain a digit.');
    assert.equal(
      await refusal(policy, 'Abc1abcdefgh'),
      'The password must contain a character that is neither a letter nor a digit.',
    );
    assert.equal(await refusal(policy, 'Abc1 abcdefgh'), undefined, 'a space is a special character');
    assert.deepEqual(policy.describe(), [
      'At least 10 characters.',
      'At most 16 characters.',
      'At least an upper-case letter, a lower-case letter, a digit, a character that is neither a letter nor a digit.',
    ]);
  });

  test('a standard min_length below the baseline is honoured; 0 means the default', async () => {
    assert.equal(await refusal(policyOf({ standard: { enabled: true, min_length: 4 } }), 'abcd'), undefined);
    assert.equal(policyOf({ standard: { enabled: true, min_length: 0 } }).minLength, 8);
  });

  test('zxcvbn refuses a known weak password with its feedback and accepts a strong one', async () => {
    const policy = policyOf({ zxcvbn: { enabled: true } });
    const weak = await refusal(policy, 'Password1!');
    assert.match(weak!, /too easy to guess \(strength 1 of 4, at least 3 needed\)/);
    assert.match(weak!, /This is similar to a commonly used password\./);
    assert.equal(await refusal(policy, 'correct horse battery staple'), undefined);
    assert.match(policy.describe().at(-1)!, /Hard to guess/);
  });

  test('zxcvbn counts the account’s own names as guessable, and min_score is honoured', async () => {
    const policy = policyOf({ zxcvbn: { enabled: true, min_score: 4 } });
    assert.equal(await refusal(policy, 'xK9#mQ2$vL8@pR'), undefined);
    const personal = await refusal(policy, 'margaret.hamilton1936', [
      'margaret.hamilton',
      'Margaret Hamilton',
    ]);
    assert.match(personal!, /too easy to guess/);
    assert.equal(await refusal(policy, 'margaret.hamilton1936'), undefined, 'strong for anybody else');
    const lenient = policyOf({ zxcvbn: { enabled: true, min_score: 1 } });
    assert.equal(await refusal(lenient, 'hunter22'), undefined);
  });

  test('a generated password meets the policy', async () => {
    const strict = policyOf({
      standard: {
        enabled: true,
        max_length: 12,
        require_uppercase: true,
        require_number: true,
        require_special: true,
      },
    });
    for (let i = 0; i < 20; i++) {
      const password = await strict.generate();
      assert.equal(password.length, 12);
      assert.equal(await refusal(strict, password), undefined);
    }
    const strong = policyOf({ zxcvbn: { enabled: true, min_score: 4 } });
    assert.equal(await refusal(strong, await strong.generate()), undefined);
  });

  test('the configuration follows Authelia: one engine at most, scores 0 to 4', () => {
    const both = passwordPolicySchema.safeParse({ standard: { enabled: true }, zxcvbn: { enabled: true } });
    assert.equal(both.success, false);
    assert.match(both.error.issues[0]!.message, /both enabled/);
    assert.equal(passwordPolicySchema.safeParse({ zxcvbn: { enabled: true, min_score: 5 } }).success, false);
    assert.equal(passwordPolicySchema.parse({ zxcvbn: { enabled: true, min_score: 0 } }).zxcvbn.min_score, 3);
    const unsatisfiable = passwordPolicySchema.safeParse({
      standard: { enabled: true, min_length: 12, max_length: 10 },
    });
    assert.equal(unsatisfiable.success, false);
    // Authelia's suites write the rules with the engines off.
    assert.equal(
      passwordPolicySchema.safeParse({
        standard: { enabled: false, min_length: 8, max_length: 0, require_uppercase: true },
        zxcvbn: { enabled: false },
      }).success,
      true,
    );
  });
});
