// An elevated session (identity_validation.elevated_session, as Authelia 4.39 has it): before a
// signed-in user changes their second factors or their e-mail address, they prove again that it is
// them, with a one-time code mailed to their address, and their login session may then make such
// changes for elevation_lifespan. The elevation is recorded in the store, keyed by the login
// session's uid, so every node sees it, and it ends with the session (sign-out destroys the session;
// the next sign-in gets a new uid). Codes are stored as HMACs only, bound to the user and the
// session, and work once: of parallel submissions exactly one elevates (ArtifactRepository.consume).
// Without a notifier, or for a user without an address, the current password is asked instead.
import { createHmac } from 'node:crypto';
import type { PasswordAuthenticator } from '../auth/login.ts';
import type { IdentityValidationSettings } from '../config/identity-validation-schema.ts';
import { deriveKey } from '../crypto/derive.ts';
import { randomString } from '../crypto/random.ts';
import type { Factors } from '../factors/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Store, User } from '../store/index.ts';
import { inBackground } from './notifications.ts';
import { proveCurrentPassword } from './password-proof.ts';

/** The artifact models: an issued code (by session and digest), an elevation (by session uid). */
const CODE_MODEL = 'ElevationCode';
const ELEVATION_MODEL = 'Elevation';
/** Letters and digits nobody mistakes for one another (no 0/O, 1/I/L). */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** At most this many unused codes per session at a time: a session cannot flood the mailbox. */
const LIVE_CODES = 3;

type Settings = IdentityValidationSettings['elevated_session'];

/** The signed-in session that wants to change something. */
export interface ElevationSession {
  user: User;
  /** The login session's public uid. */
  sessionUid: string;
  /** The session's sign-in methods (RFC 8176): `mfa` once a second factor was used. */
  amr: string[];
  clientIp: string;
}

/** What the session still has to do before it may change second factors or the address. */
export type ElevationNeed =
  | { kind: 'elevated'; until?: Date }
  /** require_second_factor: the user has a second factor but this session did not use it. */
  | { kind: 'second-factor' }
  /** A code mailed to `to` (masked: a***@example.com). */
  | { kind: 'code'; to: string; lifespan: string }
  /** No notifier, or no address: the current password instead. */
  | { kind: 'password' };

export type SendOutcome = 'sent' | 'too-many' | 'not-needed';
export type ProofOutcome = 'elevated' | 'wrong' | 'used' | 'banned' | 'not-needed';

export interface ElevationDependencies {
  store: Store;
  factors: Factors;
  authenticator: PasswordAuthenticator;
  settings: Settings;
  hmacSecret: string;
  /** The notifier, when there is one. */
  mailer?: Mailer;
  logger?: Logger;
}

/** `alice@example.com` → `a***@example.com`. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${[...address.slice(0, at)][0]}***${address.slice(at)}`;
}

/** A duration in words: 300 → "5 minutes". */
export function inWords(seconds: number): string {
  const unit = (value: number, name: string) => `${value} ${name}${value === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** What a user types: case and spaces or dashes between groups do not matter. */
function normalised(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').slice(0, 64);
}

export class ElevationService {
  private readonly deps: ElevationDependencies;
  private readonly key: Buffer;
  /** The code mails on their way (tests wait for them; the request does not). */
  readonly pending = new Set<Promise<void>>();
  constructor(deps: ElevationDependencies) {
    this.deps = deps;
    this.key = deriveKey(deps.hmacSecret, 'elevationCodes');
  }

  private now(): Date {
    return new Date(this.deps.factors.now());
  }

  /** The code's record: bound to the session by its id, to the user by the digest's input. */
  private codeId(session: ElevationSession, code: string): string {
    const digest = createHmac('sha256', this.key)
      .update(`${session.user.id}\n${session.sessionUid}\n${normalised(code)}`)
      .digest('base64url');
    return `${session.sessionUid}:${digest}`;
  }

  async need(session: ElevationSession): Promise<ElevationNeed> {
    const { settings, store, factors, mailer } = this.deps;
    const record = await store.artifacts.find(ELEVATION_MODEL, session.sessionUid, this.now());
    if (record && record.payload.userId === session.user.id)
      return { kind: 'elevated', until: record.expiresAt };
    const usedSecondFactor = session.amr.includes('mfa');
    if (settings.skip_second_factor && usedSecondFactor) return { kind: 'elevated' };
    if (
      settings.require_second_factor &&
      !usedSecondFactor &&
      (await factors.hasSecondFactor(session.user.id))
    )
      return { kind: 'second-factor' };
    if (mailer && session.user.email)
      return { kind: 'code', to: maskAddress(session.user.email), lifespan: inWords(settings.code_lifespan) };
    return { kind: 'password' };
  }

  async isElevated(session: ElevationSession): Promise<boolean> {
    return (await this.need(session)).kind === 'elevated';
  }

  /** Mails a new code when the session needs one; the mail goes out after the answer. */
  async sendCode(session: ElevationSession): Promise<SendOutcome> {
    if ((await this.need(session)).kind !== 'code') return 'not-needed';
    const { store, settings } = this.deps;
    const now = this.now();
    const live = await store.artifacts.listByIdPrefix(CODE_MODEL, `${session.sessionUid}:`, now);
    if (live.filter((code) => !code.consumedAt).length >= LIVE_CODES) return 'too-many';
    const code = randomString(settings.characters, CODE_ALPHABET);
    const expiresAt = new Date(now.getTime() + settings.code_lifespan * 1000);
    await store.artifacts.upsert({
      model: CODE_MODEL,
      id: this.codeId(session, code),
      payload: { userId: session.user.id },
      expiresAt,
    });
    await this.audit(session, 'elevation.code_sent', { expires_at: expiresAt.toISOString() });
    this.mail(session, code, now);
    return 'sent';
  }

  private mail(session: ElevationSession, code: string, now: Date): void {
    const { user, clientIp } = session;
    const mail = this.deps.mailer!.send({
      to: user.email!,
      title: 'Your one-time code',
      template: 'one-time-code',
      data: {
        name: user.displayName || user.username,
        code,
        lifespan: inWords(this.deps.settings.code_lifespan),
        time: now.toUTCString(),
        ip: clientIp,
      },
    });
    inBackground(this.pending, mail, this.deps.logger, 'one-time code mail not sent', {
      user: user.username,
    });
  }

  /**
   * The mailed code: elevates the session once; a wrong one counts against the regulator. It is
   * checked even when the session is already elevated, so a second submission of a code (a
   * parallel one) is told it was used.
   */
  async enterCode(session: ElevationSession, code: string): Promise<ProofOutcome> {
    const need = (await this.need(session)).kind;
    if (need !== 'code' && need !== 'elevated') return 'not-needed';
    const { store, factors } = this.deps;
    const attempt = { username: session.user.username, clientIp: session.clientIp };
    if (await factors.regulator.banned(attempt)) return this.failed(session, 'code', 'banned');
    const id = this.codeId(session, code);
    const record = await store.artifacts.find(CODE_MODEL, id, this.now());
    if (!record || record.payload.userId !== session.user.id) {
      await factors.regulator.record(attempt, 'elevation-code', false);
      return this.failed(session, 'code', 'wrong');
    }
    // The right code, already used (by a parallel submission, or a second tab): not a guess.
    if (record.consumedAt || !(await store.artifacts.consume(CODE_MODEL, id, this.now())))
      return this.failed(session, 'code', 'used');
    await factors.regulator.record(attempt, 'elevation-code', true);
    return this.elevate(session, 'code');
  }

  /** The current password, where no code can be mailed (no notifier, or no address). */
  async enterPassword(session: ElevationSession, password: string): Promise<ProofOutcome> {
    if ((await this.need(session)).kind !== 'password') return 'not-needed';
    const { authenticator, factors } = this.deps;
    const proof = await proveCurrentPassword(
      { authenticator, regulator: factors.regulator },
      session,
      password,
      'elevation-password',
    );
    if (proof !== 'proven') return this.failed(session, 'password', proof);
    return this.elevate(session, 'password');
  }

  private async elevate(session: ElevationSession, method: 'code' | 'password'): Promise<ProofOutcome> {
    const lifespan = this.deps.settings.elevation_lifespan;
    const expiresAt = new Date(this.now().getTime() + lifespan * 1000);
    await this.deps.store.artifacts.upsert({
      model: ELEVATION_MODEL,
      id: session.sessionUid,
      payload: { userId: session.user.id, method },
      expiresAt,
    });
    await this.audit(session, 'elevation.succeeded', { method, until: expiresAt.toISOString() });
    return 'elevated';
  }

  private async failed(
    session: ElevationSession,
    method: 'code' | 'password',
    reason: 'wrong' | 'used' | 'banned',
  ): Promise<ProofOutcome> {
    await this.audit(session, 'elevation.failed', { method, reason });
    return reason;
  }

  private audit(session: ElevationSession, type: string, details: Record<string, unknown>) {
    const { user, clientIp, sessionUid } = session;
    return this.deps.store.events.append({
      type,
      actor: user.username,
      subject: user.id,
      clientIp,
      details: { session: sessionUid, ...details },
    });
  }
}
