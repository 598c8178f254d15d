// Signing keys. Taken from `identity_providers.oidc.jwks` when the operator gives them; otherwise
// generated on first start (RSA for RS256/PS256, P-256 for ES256, Ed25519 for EdDSA) and stored
// sealed with `storage.encryption_key`. Rotation adds a new set and retires the old one, which stays
// published (so tokens it signed keep verifying) until `retired_at + overlap`.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { OidcConfig } from '../config/schema.ts';
import type { Repositories, SigningKey, Store } from '../store/index.ts';

export type Jwk = Record<string, unknown> & { kty: string; kid?: string; alg?: string };

/** One key per family: RS256 and PS256 share the RSA key. */
const GENERATED_FAMILIES = [
  { algorithm: 'RS256', generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
  { algorithm: 'ES256', generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  { algorithm: 'EdDSA', generate: () => generateKeyPairSync('ed25519').privateKey },
] as const;

/** The RFC 7638 thumbprint, shortened: a stable kid derived from the public key. */
export function thumbprintKid(jwk: Jwk): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url').slice(0, 16);
}

function privateJwkOf(key: KeyObject, algorithm: string, kid?: string): Jwk {
  const jwk = key.export({ format: 'jwk' }) as Jwk;
  const id = kid ?? thumbprintKid(jwk);
  // RSA keys serve PS256 too; oidc-provider picks a key by kty, so leave alg unset for RSA.
  return { ...jwk, kid: id, use: 'sig', ...(jwk.kty === 'RSA' ? {} : { alg: algorithm }) };
}

function publicJwkOf(jwk: Jwk): Jwk {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

export interface KeySet {
  /** Private JWKs for oidc-provider, active keys first (they sign), retired after (they only verify). */
  keys: Jwk[];
  source: 'config' | 'database';
}

/** Keys from the configuration file: the operator's PEMs, kid as given or derived. */
export function configuredKeys(entries: OidcConfig['jwks']): Jwk[] {
  return entries.map((entry) => privateJwkOf(createPrivateKey(entry.key), entry.algorithm, entry.key_id));
}

/** A freshly generated key, not yet stored. */
interface NewKey {
  jwk: Jwk;
  algorithm: string;
}

function generateSet(): NewKey[] {
  return GENERATED_FAMILIES.map((family) => ({
    jwk: privateJwkOf(family.generate(), family.algorithm),
    algorithm: family.algorithm,
  }));
}

async function storeSet(repositories: Repositories, set: NewKey[]): Promise<SigningKey[]> {
  const added: SigningKey[] = [];
  for (const { jwk, algorithm } of set)
    added.push(
      await repositories.signingKeys.add({
        kid: jwk.kid!,
        algorithm,
        use: 'sig',
        privateJwk: JSON.stringify(jwk),
        publicJwk: JSON.stringify(publicJwkOf(jwk)),
        status: 'active',
      }),
    );
  return added;
}

/** When a retired key leaves the JWKS: `overlapSeconds` after it retired (undefined for others). */
export function publishedUntil(key: SigningKey, overlapSeconds: number): Date | undefined {
  return key.retiredAt ? new Date(key.retiredAt.getTime() + overlapSeconds * 1000) : undefined;
}

/** Active keys sign; retired ones are published (they verify) until `publishedUntil`. */
export function isPublished(key: SigningKey, overlapSeconds: number, now = Date.now()): boolean {
  return key.status === 'active' || (publishedUntil(key, overlapSeconds)?.getTime() ?? 0) > now;
}

/** The published keys as private JWKs for oidc-provider, generating the first set when there is none. */
export async function loadSigningKeys(
  store: Store,
  overlapSeconds: number,
  now = Date.now(),
): Promise<Jwk[]> {
  let keys = await store.signingKeys.list();
  if (!keys.some((key) => key.status === 'active')) {
    await storeSet(store, generateSet());
    keys = await store.signingKeys.list();
  }
  const published = keys.filter((key) => isPublished(key, overlapSeconds, now));
  const ordered = [
    ...published.filter((key) => key.status === 'active').reverse(),
    ...published.filter((key) => key.status !== 'active'),
  ];
  return ordered.map((key) => JSON.parse(key.privateJwk) as Jwk);
}

/**
 * Generates a new key set now (slow, so outside any transaction) and returns the step that stores it
 * as the active set and retires the previous one, for the caller's transaction (the keys service
 * writes the audit event beside it).
 */
export function keyRotation(): (tx: Repositories) => Promise<{ added: string[]; retired: string[] }> {
  const set = generateSet();
  return async (tx) => {
    const previous = await tx.signingKeys.list('active');
    const added = await storeSet(tx, set);
    for (const key of previous) await tx.signingKeys.setStatus(key.kid, 'retired');
    return { added: added.map((key) => key.kid), retired: previous.map((key) => key.kid) };
  };
}

export function publicJwks(keys: Jwk[]): Jwk[] {
  return keys.map(publicJwkOf);
}
