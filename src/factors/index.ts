// A user's second factors together: what they have, what a login may use, and the admin reset.
import type { SesameConfig } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { Repositories, Store } from '../store/index.ts';
import { PasskeyService } from './passkeys.ts';
import { RecoveryCodeService } from './recovery.ts';
import { Regulator } from './regulation.ts';
import { TotpService, type Clock } from './totp.ts';

/**
 * Work done in the same transaction as a factor's change (its audit event), given what changed: a
 * change and its event are written together or not at all.
 */
export type AlsoInTransaction<T = void> = (tx: Repositories, changed: T) => Promise<unknown>;

export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export class Factors {
  readonly totp: TotpService;
  readonly recovery: RecoveryCodeService;
  readonly passkeys: PasskeyService;
  readonly regulator: Regulator;
  /** The clock codes and bans are read against (tests move it). */
  readonly now: Clock;
  private readonly store: Store;
  constructor(store: Store, config: SesameConfig, now: Clock = Date.now, logger?: Logger) {
    this.store = store;
    this.now = now;
    this.totp = new TotpService(store, config, now);
    this.passkeys = new PasskeyService(store, config, now);
    this.recovery = new RecoveryCodeService(store, config.identity_providers.oidc.hmac_secret, now);
    this.regulator = new Regulator(store, config, now, logger);
  }

  async summary(userId: string): Promise<FactorSummary> {
    const [totp, passkeys, recoveryCodes] = await Promise.all([
      this.totp.has(userId),
      this.store.webauthn.listForUser(userId),
      this.recovery.remaining(userId),
    ]);
    return { totp, passkeys: passkeys.length, recoveryCodes };
  }

  /** Recovery codes alone do not count: they are the way back in, not a factor to log in with daily. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    const summary = await this.summary(userId);
    return summary.totp || summary.passkeys > 0;
  }

  /** An administrator's reset: every factor and recovery code goes; the user enrols again. */
  async reset(userId: string, actor: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.totp.delete(userId);
      await tx.webauthn.removeAll(userId);
      await tx.recoveryCodes.deleteAll(userId);
      await tx.events.append({ type: 'factors.reset', actor, subject: userId, details: {} });
    });
  }
}
