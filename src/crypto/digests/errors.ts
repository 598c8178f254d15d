/**
 * Thrown when a stored digest (or the options used to create one) cannot be used.
 *
 * Messages say what is wrong and what is allowed, but never repeat the input: a value that does not
 * parse as a digest may well be a secret pasted into the wrong field.
 */
export class DigestFormatError extends Error {
  override name = 'DigestFormatError';
}
