// Time-based one-time codes (RFC 6238) through otplib: enrolment confirmed by one code, ±skew
// periods accepted, and each time step accepted at most once per user (no replay in the window)
// unless `totp.disable_reuse_security_policy` says otherwise. Each secret keeps the algorithm,
// digits and period it was set up with, so changing the defaults never breaks an enrolled app.
import { generateSecret, generateURI, verify } from 'otplib';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import type { Store, TotpCredential } from '../store/index.ts';
import type { AlsoInTransaction } from './index.ts';

export type Clock = () => number;

/** A secret with how its codes are made. */
export type TotpKey = Pick<TotpCredential, 'secret' | 'algorithm' | 'digits' | 'period'>;
/** What a user may pick when setting up an app (within `totp.allowed_*`); the defaults otherwise. */
export type TotpChoice = Partial<Pick<TotpCredential, 'algorithm' | 'digits' | 'period'>>;

export interface TotpEnrolment extends TotpKey {
  uri: string;
  /** The otpauth:// URI as an SVG QR code, for an <img src="data:…">. */
  qrSvg: string;
}

const CODE = /^\d{6}(\d{2})?$/;

export class TotpService {
  private readonly store: Store;
  private readonly settings: SesameConfig['totp'];
  private readonly issuer: string;
  private readonly now: Clock;
  constructor(store: Store, config: SesameConfig, now: Clock = Date.now) {
    this.store = store;
    this.settings = config.totp;
    this.issuer = config.totp.issuer ?? config.branding.name;
    this.now = now;
  }

  get enabled(): boolean {
    return !this.settings.disable;
  }

  /** The values a user may choose among when setting up an app. */
  get choices(): { algorithms: TotpKey['algorithm'][]; digits: TotpKey['digits'][]; periods: number[] } {
    const { allowed_algorithms, allowed_digits, allowed_periods } = this.settings;
    return { algorithms: allowed_algorithms, digits: allowed_digits, periods: allowed_periods };
  }

  /**
   * A fresh, unconfirmed secret made as `choice` says (InvalidInputError outside `totp.allowed_*`);
   * any previous one (confirmed or not) stays until this one is confirmed.
   */
  async begin(label: string, choice: TotpChoice = {}): Promise<TotpEnrolment> {
    const key = { secret: generateSecret({ length: this.settings.secret_size }), ...this.parameters(choice) };
    const uri = generateURI({ issuer: this.issuer, label, ...key });
    return { ...key, uri, qrSvg: await this.qrFor(uri) };
  }

  private parameters(choice: TotpChoice): Omit<TotpKey, 'secret'> {
    const {
      algorithm = this.settings.algorithm,
      digits = this.settings.digits,
      period = this.settings.period,
    } = choice;
    const { algorithms, digits: lengths, periods } = this.choices;
    if (!algorithms.includes(algorithm))
      throw new InvalidInputError(`the algorithm must be one of ${algorithms.join(', ')}`, 'algorithm');
    if (!lengths.includes(digits))
      throw new InvalidInputError(`codes must have ${lengths.join(' or ')} digits`, 'digits');
    if (!periods.includes(period))
      throw new InvalidInputError(`the period must be one of ${periods.join(', ')} seconds`, 'period');
    return { algorithm, digits, period };
  }

  async qrFor(uri: string): Promise<string> {
    // Loaded on first use: only enrolment draws a QR code.
    const { default: QRCode } = await import('qrcode');
    return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  }

  /**
   * Confirms an enrolment with one code computed by the user's app; only then is the secret stored.
   * A bare secret is made with the default parameters.
   */
  async confirm(
    userId: string,
    key: string | TotpKey,
    code: string,
    also?: AlsoInTransaction,
  ): Promise<boolean> {
    const credential = {
      userId,
      ...(typeof key === 'string' ? { secret: key, ...this.parameters({}) } : key),
    };
    const step = await this.check(credential, code);
    if (step === undefined) return false;
    await this.store.transaction(async (tx) => {
      await tx.totp.begin(credential);
      await tx.totp.confirm(userId, step, new Date(this.now()));
      await also?.(tx);
    });
    return true;
  }

  async has(userId: string): Promise<boolean> {
    return (await this.store.totp.get(userId))?.confirmedAt !== undefined;
  }

  /**
   * True once per valid code: the code's time step is recorded (atomically, so two nodes cannot both
   * accept it) and the same or an earlier code fails after. With `disable_reuse_security_policy`, a
   * code is accepted again within its window.
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const credential = await this.store.totp.get(userId);
    if (!credential?.confirmedAt) return false;
    const reuse = this.settings.disable_reuse_security_policy;
    const step = await this.check(credential, code, reuse ? undefined : credential.lastTimeStep);
    if (step === undefined) return false;
    return reuse || this.store.totp.useTimeStep(userId, step);
  }

  /** False when there was nothing to remove (and `also` is not run). */
  async remove(userId: string, also?: AlsoInTransaction): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const removed = await tx.totp.delete(userId);
      if (removed) await also?.(tx);
      return removed;
    });
  }

  private async check(
    credential: TotpKey,
    code: string,
    afterTimeStep?: number,
  ): Promise<number | undefined> {
    const token = code.replace(/\s+/g, '');
    if (!CODE.test(token) || token.length !== credential.digits) return undefined;
    const epoch = Math.floor(this.now() / 1000);
    const result = await verify({
      secret: credential.secret,
      token,
      algorithm: credential.algorithm,
      digits: credential.digits,
      period: credential.period,
      epoch,
      epochTolerance: this.settings.skew * credential.period,
      afterTimeStep,
    });
    // delta is how many periods the matching code lies from now.
    return result.valid ? Math.floor(epoch / credential.period) + result.delta : undefined;
  }
}
