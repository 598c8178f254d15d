// Signing keys. Taken from `identity_providers.oidc.jwks` when the operator gives them; otherwise
// generated on first start (RSA for RS256/PS256, P-256 for ES256, Ed25519 for EdDSA) and stored
// sealed with `storage.encryption_key`. Rotation adds a new set and retires the old one, which stays
// published (so tokens it signed keep verifying) until `retired_at + overlap`.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { SigningKey, Store } from '../store/index.ts';

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
export function configuredKeys(entries: Config['identity_providers']['oidc']['jwks']): Jwk[] {
  return entries.map((entry) => privateJwkOf(createPrivateKey(entry.key), entry.algorithm, entry.key_id));
}

export class SigningKeyService {
  private readonly store: Store;
  private readonly overlapSeconds: number;
  constructor(store: Store, overlapSeconds: number) {
    this.store = store;
    this.overlapSeconds = overlapSeconds;
  }

  private async generateSet(): Promise<SigningKey[]> {
    const added: SigningKey[] = [];
    for (const family of GENERATED_FAMILIES) {
      const jwk = privateJwkOf(family.generate(), family.algorithm);
      added.push(
        await this.store.signingKeys.add({
          kid: jwk.kid!,
          algorithm: family.algorithm,
          use: 'sig',
          privateJwk: JSON.stringify(jwk),
          publicJwk: JSON.stringify(publicJwkOf(jwk)),
          status: 'active',
        }),
      );
    }
    return added;
  }

  /** The stored keys, generating the first set when there is none. */
  async load(now = Date.now()): Promise<Jwk[]> {
    let keys = await this.store.signingKeys.list();
    if (!keys.some((key) => key.status === 'active')) {
      await this.generateSet();
      keys = await this.store.signingKeys.list();
    }
    const published = keys.filter(
      (key) =>
        key.status === 'active' ||
        (key.retiredAt && key.retiredAt.getTime() + this.overlapSeconds * 1000 > now),
    );
    const ordered = [
      ...published.filter((key) => key.status === 'active').reverse(),
      ...published.filter((key) => key.status !== 'active'),
    ];
    return ordered.map((key) => JSON.parse(key.privateJwk) as Jwk);
  }

  /**
   * Generates a new active set and retires the previous one; returns the new kids. The one
   * `keys.rotated` event is written here, credited to `actor` (`cli`, `user:…`, `token:…`).
   */
  async rotate(actor: string): Promise<{ added: string[]; retired: string[] }> {
    const previous = await this.store.signingKeys.list('active');
    const added = await this.generateSet();
    for (const key of previous) await this.store.signingKeys.setStatus(key.kid, 'retired');
    await this.store.events.append({
      type: 'keys.rotated',
      actor,
      details: { added: added.map((key) => key.kid), retired: previous.map((key) => key.kid) },
    });
    return { added: added.map((key) => key.kid), retired: previous.map((key) => key.kid) };
  }
}

export function publicJwks(keys: Jwk[]): Jwk[] {
  return keys.map(publicJwkOf);
}
