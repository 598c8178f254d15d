import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const RFC3986_UNRESERVED_SYMBOLS = '-._~';

/**
 * Named character sets. The names and contents follow Authelia's `crypto rand --charset`
 * (`numeric-hex` is upper case there); `hexadecimal`, `base64` and `base64-url` are Sesame additions.
 */
export type Charset =
  | 'ascii'
  | 'alphanumeric'
  | 'alphanumeric-lower'
  | 'alphanumeric-upper'
  | 'alphabetic'
  | 'alphabetic-lower'
  | 'alphabetic-upper'
  | 'numeric'
  | 'numeric-hex'
  | 'hexadecimal'
  | 'rfc3986'
  | 'rfc3986-lower'
  | 'rfc3986-upper'
  | 'base64'
  | 'base64-url';

/**
 * A charset name, or the literal characters to draw from. (`string & {}` keeps editors suggesting the
 * names instead of collapsing the union to plain string.)
 */
export type CharsetOrCharacters = Charset | (string & {});

export const CHARSETS: Readonly<Record<Charset, string>> = {
  ascii: LOWER + UPPER + DIGITS + SYMBOLS,
  alphanumeric: LOWER + UPPER + DIGITS,
  'alphanumeric-lower': LOWER + DIGITS,
  'alphanumeric-upper': UPPER + DIGITS,
  alphabetic: LOWER + UPPER,
  'alphabetic-lower': LOWER,
  'alphabetic-upper': UPPER,
  numeric: DIGITS,
  'numeric-hex': DIGITS + 'ABCDEF',
  hexadecimal: DIGITS + 'abcdef',
  rfc3986: LOWER + UPPER + DIGITS + RFC3986_UNRESERVED_SYMBOLS,
  'rfc3986-lower': LOWER + DIGITS + RFC3986_UNRESERVED_SYMBOLS,
  'rfc3986-upper': UPPER + DIGITS + RFC3986_UNRESERVED_SYMBOLS,
  base64: UPPER + LOWER + DIGITS + '+/',
  'base64-url': UPPER + LOWER + DIGITS + '-_',
};

export const MAX_RANDOM_LENGTH = 1_000_000;

function isCharset(name: string): name is Charset {
  return Object.hasOwn(CHARSETS, name);
}

function alphabetOf(charset: CharsetOrCharacters): string[] {
  if (isCharset(charset)) return [...CHARSETS[charset]];
  // Anything else is taken as the literal characters to draw from (compared by code point, so
  // characters outside the BMP count once).
  const characters = [...charset];
  if (characters.length < 2) {
    throw new RangeError(
      `charset must be one of ${Object.keys(CHARSETS).join(', ')}, or at least 2 custom characters`,
    );
  }
  // A repeated character would be drawn more often than the others.
  if (new Set(characters).size !== characters.length) {
    throw new RangeError('custom charset characters must be unique');
  }
  return characters;
}

/**
 * A random string of `length` characters drawn uniformly from a named charset or from the given
 * characters. crypto.randomInt rejects out-of-range draws instead of using a modulo, so no character is
 * favoured.
 */
export function randomString(length: number, charset: CharsetOrCharacters = 'alphanumeric'): string {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_RANDOM_LENGTH) {
    throw new RangeError(`length must be an integer from 1 to ${MAX_RANDOM_LENGTH} (got ${String(length)})`);
  }
  const alphabet = alphabetOf(charset);
  const picked = new Array<string>(length);
  for (let index = 0; index < length; index++) {
    picked[index] = alphabet[randomInt(alphabet.length)] as string;
  }
  return picked.join('');
}

/** A random UUID (version 4), for identifiers that must be unique but need not be secret. */
export function randomId(): string {
  return randomUUID();
}

// Below 16 bytes (128 bits) a token could be guessed by a determined attacker.
const TOKEN_BYTES = { min: 16, max: MAX_RANDOM_LENGTH };

/** An unguessable token: `bytes` random bytes, base64url-encoded without padding. */
export function randomToken(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < TOKEN_BYTES.min || bytes > TOKEN_BYTES.max) {
    throw new RangeError(
      `token size must be an integer from ${TOKEN_BYTES.min} to ${TOKEN_BYTES.max} bytes (got ${String(bytes)})`,
    );
  }
  return randomBytes(bytes).toString('base64url');
}
