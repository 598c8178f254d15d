// Signing keys as an admin action: the list (public halves) and rotation, with the one overlap rule
// (how long a retired key stays published) and the one `keys.rotated` audit event.
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { isPublished, keyRotation, loadSigningKeys, publishedUntil, type Jwk } from '../oidc/keys.ts';
import type { SigningKey, Store } from '../store/index.ts';

/** A retired key stays published for as long as the longest-lived token it may have signed. */
function keyOverlapSeconds(config: SesameConfig): number {
  const { lifespans } = config.identity_providers.oidc;
  return Math.max(lifespans.id_token, lifespans.access_token, lifespans.refresh_token);
}

/** Loads the signing keys kept in the database (see loadSigningKeys). */
export interface SigningKeySource {
  load(now?: number): Promise<Jwk[]>;
}

/** The database's signing keys, retired ones published for the overlap. */
export function signingKeyService(store: Store, config: SesameConfig): SigningKeySource {
  const overlapSeconds = keyOverlapSeconds(config);
  return { load: (now) => loadSigningKeys(store, overlapSeconds, now) };
}

/** Rotation is refused while the operator's configuration file supplies the keys. */
export class KeysFromConfigurationError extends InvalidInputError {
  constructor() {
    super('keys come from identity_providers.oidc.jwks: rotate them in the configuration file');
    this.name = 'KeysFromConfigurationError';
  }
}

export interface KeyRow extends SigningKey {
  /** For a retired key: when it leaves the JWKS. */
  publishedUntil?: Date;
  /** Active, or retired less than the overlap ago: the JWKS lists it. */
  published: boolean;
}

export class KeyService {
  readonly overlapSeconds: number;
  /** Keys from `identity_providers.oidc.jwks`: the stored ones are unused and rotation is refused. */
  readonly fromConfiguration: boolean;
  private readonly store: Store;
  constructor(store: Store, config: SesameConfig) {
    this.store = store;
    this.overlapSeconds = keyOverlapSeconds(config);
    this.fromConfiguration = config.identity_providers.oidc.jwks.length > 0;
  }

  async list(now = Date.now()): Promise<KeyRow[]> {
    const keys = await this.store.signingKeys.list();
    return keys.map((key) => ({
      ...key,
      publishedUntil: publishedUntil(key, this.overlapSeconds),
      published: isPublished(key, this.overlapSeconds, now),
    }));
  }

  /**
   * New keys sign from now on; the previous ones keep verifying for the overlap. Writes the one
   * `keys.rotated` event, credited to `actor` (`cli`, `user:…`, `token:…`).
   */
  async rotate(actor: string): Promise<{ added: string[]; retired: string[] }> {
    if (this.fromConfiguration) throw new KeysFromConfigurationError();
    // A store without keys (a CLI rotation before the first start) gets its first set to retire.
    await loadSigningKeys(this.store, this.overlapSeconds);
    const rotate = keyRotation();
    const result = await this.store.transaction(async (tx) => {
      const rotated = await rotate(tx);
      await tx.events.append({ type: 'keys.rotated', actor, details: rotated });
      return rotated;
    });
    // The key rows told this process's listeners (and its cluster's workers) while the transaction
    // was still open, when a reload could read the old keys: tell them once more, now it is committed.
    this.store.changes.notify('signing_keys');
    return result;
  }
}
