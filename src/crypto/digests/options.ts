import type { DigestOptions } from '../digest.ts';
import type { IntegerBounds } from './encoding.ts';

/**
 * Refuses options that mean nothing for the chosen algorithm, so that a typo such as passing `cost`
 * to argon2 fails loudly instead of silently producing a digest with other parameters.
 */
export function assertOnlyOptions(
  options: DigestOptions,
  allowed: readonly (keyof DigestOptions)[],
  algorithm: string,
): void {
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !(allowed as readonly string[]).includes(key)) {
      throw new RangeError(
        `option ${key} does not apply to ${algorithm}; allowed options: ${allowed.join(', ')}`,
      );
    }
  }
}

export function integerOption(
  value: number | undefined,
  fallback: number,
  bounds: IntegerBounds,
  what: string,
): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < bounds.min || chosen > bounds.max) {
    throw new RangeError(`${what} must be an integer from ${bounds.min} to ${bounds.max}`);
  }
  return chosen;
}

export function variantOption<T extends string>(
  value: string | undefined,
  fallback: T,
  aliases: Readonly<Record<string, T>>,
  algorithm: string,
): T {
  if (value === undefined) return fallback;
  // hasOwn: keys such as 'constructor' must not resolve through the prototype.
  const variant = Object.hasOwn(aliases, value) ? aliases[value] : undefined;
  if (variant === undefined) {
    throw new RangeError(`${algorithm} variant must be one of: ${Object.keys(aliases).join(', ')}`);
  }
  return variant;
}
