// Hashed client secrets at plain-secret speed. A `$pbkdf2-sha512$310000$…` digest costs ~150 ms to
// verify; token requests would pay it every time. After one successful verification we remember
// HMAC(process key, digest ‖ presented secret): the next request with the same secret for the same
// digest matches the record in microseconds. A wrong secret never matches a record, so it still pays
// the full hash (no timing oracle), and only successful verifications are recorded (no poisoning).
// The process key is random and never leaves memory, so the records are useless outside it.
//
// Wrong secrets are regulated, or a stream of them would keep the CPU busy hashing: `max_retries`
// failures within `find_time` for a client id (`modes: [user]`) or from an address (`ip`) refuse
// further secrets for it for `ban_time` without hashing them. A remembered secret is recognised
// before the ban is looked at, so an app already signed in keeps working while its id is hammered.
// A right secret not remembered yet (after a restart, a new secret) is refused during the ban like
// any other: telling it apart is the very hash the ban saves. Failures are counted in this process's
// memory: what is protected is this process's CPU, the records it would otherwise fall back on are
// per process too, and the token endpoint makes no database round trip for it.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SesameConfig } from '../config/load.ts';
import { verifySecret } from '../crypto/digest.ts';
import { FailureCounter } from '../factors/regulation.ts';

const MAX_RECORDS = 10_000;

export interface ClientAttempt {
  clientId: string;
  clientIp?: string;
}

export interface ClientBan {
  by: 'client' | 'ip';
  until: Date;
}

export interface SecretCheck {
  ok: boolean;
  /** A ban was in force: the secret was refused without being hashed. */
  refused?: ClientBan;
  /** This wrong secret began a ban. */
  banned?: ClientBan;
}

export interface ClientSecretVerifierOptions {
  /** Regulation of wrong secrets; none when absent. */
  regulation?: SesameConfig['regulation'];
  now?: () => number;
  verifyDigest?: (secret: string, digest: string) => Promise<boolean>;
}

export class ClientSecretVerifier {
  private readonly key = createSecretKey(randomBytes(32));
  /** digest → HMAC of the secret last verified against it. */
  private readonly verified = new Map<string, Buffer>();
  private readonly verifyDigest: (secret: string, digest: string) => Promise<boolean>;
  private readonly modes: readonly string[];
  private readonly failures?: FailureCounter;

  constructor(options: ClientSecretVerifierOptions = {}) {
    this.verifyDigest = options.verifyDigest ?? verifySecret;
    this.modes = options.regulation?.modes ?? [];
    if (options.regulation) this.failures = new FailureCounter(options.regulation, options.now);
  }

  private record(digest: string, secret: string): Buffer {
    return createHmac('sha256', this.key).update(digest).update('\0').update(secret).digest();
  }

  private keysOf(attempt: ClientAttempt | undefined): string[] {
    const keys: string[] = [];
    if (attempt && this.modes.includes('user')) keys.push(`client ${attempt.clientId}`);
    if (attempt?.clientIp && this.modes.includes('ip')) keys.push(`ip ${attempt.clientIp}`);
    return keys;
  }

  async verify(secret: string, digest: string, attempt?: ClientAttempt): Promise<SecretCheck> {
    const presented = this.record(digest, secret);
    const known = this.verified.get(digest);
    if (known && timingSafeEqual(known, presented)) return { ok: true };
    const keys = this.keysOf(attempt);
    const ban = this.failures?.banned(keys);
    if (ban) return { ok: false, refused: banOf(ban) };
    // Counted before hashing (see FailureCounter), taken back if the secret is right.
    const failure = this.failures?.fail(keys);
    const ok = await this.verifyDigest(secret, digest);
    if (!ok) return { ok, banned: failure?.started && banOf(failure.started) };
    failure?.forgive();
    if (this.verified.size >= MAX_RECORDS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(digest, presented);
    return { ok };
  }
}

function banOf(ban: { key: string; until: Date }): ClientBan {
  return { by: ban.key.startsWith('ip ') ? 'ip' : 'client', until: ban.until };
}
