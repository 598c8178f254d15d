import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';

// Fresh per process: nobody can precompute HMAC outputs, so comparing MACs reveals nothing about
// where (or whether) the inputs differ.
// A KeyObject, made once: a Buffer key would be converted to one on every call.
const comparisonKey = createSecretKey(randomBytes(32));

function mac(value: string | Buffer): Buffer {
  return createHmac('sha256', comparisonKey).update(value).digest();
}

/**
 * Compares two secrets in constant time, including when their lengths differ: both sides are reduced
 * to fixed-size HMACs first, so neither content nor length leaks through timing.
 * Strings are compared as their UTF-8 bytes, so a string and a Buffer holding those bytes are equal.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(mac(a), mac(b));
}
