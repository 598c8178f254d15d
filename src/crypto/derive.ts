// Every key Sesame needs beyond the stored ones is derived from `identity_providers.oidc.hmac_secret`
// (or, without that section, from a secret derived from `storage.encryption_key`),
// one key per purpose, so that every node derives the same keys and no two purposes share one.
import { createHmac } from 'node:crypto';

/**
 * The purposes in use. A purpose's text is part of its key: changing it changes the key (and so
 * invalidates cookies, recovery codes or pairwise subjects made with the old one).
 */
export const KEY_PURPOSES = {
  /** oidc-provider's cookie signing (login sessions, interactions). */
  engineCookies: 'sesame cookie signing key',
  /** Hashed and pairwise subject identifiers: apps see these as `sub`, so this must never change. */
  subjects: 'sesame subject identifiers',
  /** Recovery codes are stored as HMACs under this key. */
  recoveryCodes: 'sesame recovery codes',
  /** CSRF tokens of Sesame's own pages and of the admin API's browser calls. */
  csrf: 'sesame session csrf',
  /** The sealed cookie that carries a value shown once after a form. */
  oneTimeNotes: 'sesame one-time notes',
  /** Signed cookies of Sesame's own pages (@fastify/cookie), such as the portal's sign-in state. */
  pageCookies: 'sesame page cookies',
  /** E-mailed single-use links (password reset, invitations, address verification) without a configured jwt_secret. */
  identityLinks: 'sesame identity verification links',
  /** E-mailed one-time codes that elevate a session are stored as HMACs under this key. */
  elevationCodes: 'sesame elevation codes',
  /** DPoP nonces (RFC 9449 §8): every node must accept the nonces any other node hands out. */
  dpopNonces: 'sesame dpop nonces',
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;

export function deriveKey(hmacSecret: string, purpose: KeyPurpose): Buffer {
  return createHmac('sha256', hmacSecret).update(KEY_PURPOSES[purpose]).digest();
}

/**
 * The hmac_secret of an installation without `identity_providers.oidc` (forward-auth only): derived
 * from `storage.encryption_key`, which every node shares and which must stay stable anyway. Its own
 * purpose text keeps it apart from anything else made from the encryption key.
 */
export function hmacSecretFromEncryptionKey(encryptionKey: string): string {
  return createHmac('sha256', encryptionKey)
    .update('sesame hmac_secret without identity_providers')
    .digest('hex');
}
