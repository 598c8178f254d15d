// The one check of a new password, whichever door sets it (admin API, admin UI, CLI, portal):
// `password_policy.standard`'s rules, or zxcvbn's strength estimate, or without either 8 characters.
import type { ZxcvbnResult } from '@zxcvbn-ts/core';
import type { PasswordPolicySettings } from '../config/password-policy-schema.ts';
import { randomString } from '../crypto/random.ts';
import { InvalidInputError } from '../lib/errors.ts';

/** Sesame's floor when no engine is enabled. */
export const BASELINE_MIN_LENGTH = 8;
const GENERATED_LENGTH = 24;

const CLASSES = [
  { key: 'require_uppercase', test: /\p{Lu}/u, text: 'an upper-case letter' },
  { key: 'require_lowercase', test: /\p{Ll}/u, text: 'a lower-case letter' },
  { key: 'require_number', test: /\p{Nd}/u, text: 'a digit' },
  {
    key: 'require_special',
    test: /[^\p{L}\p{Nd}]/u,
    text: 'a character that is neither a letter nor a digit',
  },
] as const;

type Estimate = (password: string, userInputs: string[]) => ZxcvbnResult;
// Loaded on first use: the dictionaries take ~250 ms and many installations never enable zxcvbn.
let estimator: Promise<Estimate> | undefined;
function zxcvbn(): Promise<Estimate> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const factory = new ZxcvbnFactory({
      translations: english.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...english.dictionary },
    });
    return (password, userInputs) => factory.check(password, userInputs);
  })();
  return estimator;
}

/** Characters, not UTF-16 units: an emoji is one. */
const lengthOf = (password: string) => [...password].length;

export class PasswordPolicy {
  private readonly settings: PasswordPolicySettings;
  constructor(settings: PasswordPolicySettings) {
    this.settings = settings;
  }

  /** The fewest characters a password may have. */
  get minLength(): number {
    return this.settings.standard.enabled ? this.settings.standard.min_length : BASELINE_MIN_LENGTH;
  }

  /** The rules in words, for the pages where a password is chosen. */
  describe(): string[] {
    const { standard, zxcvbn: strength } = this.settings;
    const rules = [`At least ${this.minLength} characters.`];
    if (standard.enabled) {
      if (standard.max_length > 0) rules.push(`At most ${standard.max_length} characters.`);
      const kinds = CLASSES.filter((kind) => standard[kind.key]).map((kind) => kind.text);
      if (kinds.length > 0) rules.push(`At least ${kinds.join(', ')}.`);
    }
    if (strength.enabled)
      rules.push(
        `Hard to guess: no common words, names, dates or keyboard patterns (a strength of ${strength.min_score} out of 4 or more).`,
      );
    return rules;
  }

  /**
   * Throws InvalidInputError naming the rule the password breaks (for zxcvbn its warning and
   * suggestions); `userInputs` (username, names, e-mail) count as guessable. `field` names the form field.
   */
  async check(password: string, userInputs: string[] = [], field = 'password'): Promise<void> {
    const problem = this.standardProblem(password) ?? (await this.strengthProblem(password, userInputs));
    if (problem) throw new InvalidInputError(problem, field);
  }

  private standardProblem(password: string): string | undefined {
    const length = lengthOf(password);
    if (length < this.minLength) return `The password must have at least ${this.minLength} characters.`;
    const { standard } = this.settings;
    if (!standard.enabled) return undefined;
    if (standard.max_length > 0 && length > standard.max_length)
      return `The password must have at most ${standard.max_length} characters.`;
    const missing = CLASSES.find((kind) => standard[kind.key] && !kind.test.test(password));
    return missing && `The password must contain ${missing.text}.`;
  }

  private async strengthProblem(password: string, userInputs: string[]): Promise<string | undefined> {
    const { zxcvbn: strength } = this.settings;
    if (!strength.enabled) return undefined;
    const result = (await zxcvbn())(password, userInputs.filter(Boolean));
    if (result.score >= strength.min_score) return undefined;
    const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
    return `The password is too easy to guess (strength ${result.score} of 4, at least ${strength.min_score} needed).${advice ? ` ${advice}` : ''}`;
  }

  /** A random password that meets the policy, for an administrator to hand over. */
  async generate(): Promise<string> {
    const { standard } = this.settings;
    const most = standard.enabled && standard.max_length > 0 ? standard.max_length : GENERATED_LENGTH;
    const length = Math.max(Math.min(GENERATED_LENGTH, most), this.minLength);
    const charset = standard.enabled && standard.require_special ? 'ascii' : 'alphanumeric';
    // A try misses a class with a small chance (24 characters lack a digit ~1.5% of the time).
    for (let tries = 0; tries < 1000; tries++) {
      const password = randomString(length, charset);
      const problem = this.standardProblem(password) ?? (await this.strengthProblem(password, []));
      if (problem === undefined) return password;
    }
    throw new InvalidInputError(
      'No password meeting the password policy could be generated: type one.',
      'password',
    );
  }
}
