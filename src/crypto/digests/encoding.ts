import { DigestFormatError } from './errors.ts';

// Standard base64 without padding: what the PHC string format (argon2) and passlib's scrypt use.
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+$/;
// passlib's "adapted base64" (pbkdf2): '.' replaces '+', no padding.
const ADAPTED_BASE64 = /^[A-Za-z0-9./]+$/;

export type Base64Alphabet = 'standard' | 'adapted';

/** Decodes unpadded base64, refusing anything Node's lenient decoder would silently skip over. */
export function decodeUnpaddedBase64(text: string, alphabet: Base64Alphabet, what: string): Buffer {
  const pattern = alphabet === 'standard' ? STANDARD_BASE64 : ADAPTED_BASE64;
  const allowed =
    alphabet === 'standard'
      ? 'standard base64 without padding (A-Z a-z 0-9 + /)'
      : "passlib's adapted base64 without padding (A-Z a-z 0-9 . /)";
  // A length of 1 mod 4 cannot come from any byte string.
  if (!pattern.test(text) || text.length % 4 === 1) {
    throw new DigestFormatError(`${what} must be ${allowed}`);
  }
  const standard = alphabet === 'adapted' ? text.replaceAll('.', '+') : text;
  return Buffer.from(standard, 'base64');
}

export function encodeUnpaddedBase64(bytes: Buffer, alphabet: Base64Alphabet): string {
  const standard = bytes.toString('base64').replace(/=+$/, '');
  return alphabet === 'adapted' ? standard.replaceAll('+', '.') : standard;
}

/** A PHC-style string: `$<identifier>$<field>…$<salt>$<hash>`, salt and hash in unpadded base64. */
export function encodePhc(
  identifier: string,
  fields: readonly string[],
  digest: { salt: Buffer; hash: Buffer },
  alphabet: Base64Alphabet,
): string {
  const salt = encodeUnpaddedBase64(digest.salt, alphabet);
  return ['', identifier, ...fields, salt, encodeUnpaddedBase64(digest.hash, alphabet)].join('$');
}

export interface IntegerBounds {
  min: number;
  max: number;
}

/** Parses a plain decimal integer (no sign, no exponent, no whitespace) and checks it is within bounds. */
export function parseBoundedInteger(text: string, bounds: IntegerBounds, what: string): number {
  const allowed = `an integer from ${bounds.min} to ${bounds.max}`;
  if (!/^[0-9]{1,15}$/.test(text)) {
    throw new DigestFormatError(`${what} must be ${allowed}`);
  }
  const value = Number(text);
  assertInBounds(value, bounds, what);
  return value;
}

export function assertInBounds(value: number, bounds: IntegerBounds, what: string): void {
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new DigestFormatError(`${what} must be an integer from ${bounds.min} to ${bounds.max}`);
  }
}

export function assertLengthInBounds(bytes: Buffer, bounds: IntegerBounds, what: string): void {
  if (bytes.length < bounds.min || bytes.length > bounds.max) {
    throw new DigestFormatError(`${what} must be ${bounds.min} to ${bounds.max} bytes long`);
  }
}

/**
 * Parses a PHC-style parameter list such as `m=65536,t=3,p=4` into a map, requiring exactly the
 * expected keys (in any order, each once).
 */
export function parseParameterList(
  text: string,
  expectedKeys: readonly string[],
  algorithm: string,
): Map<string, string> {
  const expected = expectedKeys.join(', ');
  const parameters = new Map<string, string>();
  for (const pair of text.split(',')) {
    const separator = pair.indexOf('=');
    const key = separator > 0 ? pair.slice(0, separator) : '';
    if (!expectedKeys.includes(key)) {
      throw new DigestFormatError(`${algorithm} parameters must be exactly ${expected} (as key=value pairs)`);
    }
    if (parameters.has(key)) {
      throw new DigestFormatError(`${algorithm} parameter ${key} appears more than once`);
    }
    parameters.set(key, pair.slice(separator + 1));
  }
  const missing = expectedKeys.filter((key) => !parameters.has(key));
  if (missing.length > 0) {
    throw new DigestFormatError(`${algorithm} digest is missing parameter ${missing.join(', ')}`);
  }
  return parameters;
}

/** Returns the parameter, which parseParameterList guarantees is present. */
export function requireParameter(parameters: Map<string, string>, key: string): string {
  const value = parameters.get(key);
  if (value === undefined) throw new DigestFormatError(`digest is missing parameter ${key}`);
  return value;
}
