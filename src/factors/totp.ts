// Time-based one-time codes (RFC 6238) through otplib: enrolment confirmed by one code, ±skew
// periods accepted, and each time step accepted at most once per user (no replay in the window).
import { generateSecret, generateURI, verify } from 'otplib';
import type { SesameConfig } from '../config/load.ts';
import type { Store, TotpCredential } from '../store/index.ts';
import type { AlsoInTransaction } from './index.ts';

export type Clock = () => number;

export interface TotpEnrolment {
  secret: string;
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

  /** A fresh, unconfirmed secret; any previous one (confirmed or not) stays until this one is confirmed. */
  async begin(label: string): Promise<TotpEnrolment> {
    const secret = generateSecret({ length: this.settings.secret_size });
    const uri = generateURI({
      issuer: this.issuer,
      label,
      secret,
      algorithm: this.settings.algorithm,
      digits: this.settings.digits,
      period: this.settings.period,
    });
    return { secret, uri, qrSvg: await this.qrFor(uri) };
  }

  async qrFor(uri: string): Promise<string> {
    // Loaded on first use: only enrolment draws a QR code.
    const { default: QRCode } = await import('qrcode');
    return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  }

  /** Confirms an enrolment with one code computed by the user's app; only then is the secret stored. */
  async confirm(userId: string, secret: string, code: string, also?: AlsoInTransaction): Promise<boolean> {
    const credential = {
      userId,
      secret,
      algorithm: this.settings.algorithm,
      digits: this.settings.digits,
      period: this.settings.period,
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

  /** True once per valid code: the code's time step is recorded, so the same code fails after. */
  async verify(userId: string, code: string): Promise<boolean> {
    const credential = await this.store.totp.get(userId);
    if (!credential?.confirmedAt) return false;
    const step = await this.check(credential, code, credential.lastTimeStep);
    if (step === undefined) return false;
    return this.store.totp.useTimeStep(userId, step);
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
    credential: Pick<TotpCredential, 'secret' | 'algorithm' | 'digits' | 'period'>,
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
