// Hashed client secrets at plain-secret speed. A `$pbkdf2-sha512$310000$…` digest costs ~150 ms to
// verify; token requests would pay it every time. After one successful verification we remember
// HMAC(process key, digest ‖ presented secret): the next request with the same secret for the same
// digest matches the record in microseconds. A wrong secret never matches a record, so it still pays
// the full hash (no timing oracle), and only successful verifications are recorded (no poisoning).
// The process key is random and never leaves memory, so the records are useless outside it.
//
// Wrong secrets are regulated, or a stream of them would keep the CPU busy hashing: `max_retries`
// failures within `find_time` for a client id from one address (`modes: [user]`) or from an address
// (`ip`) refuse further secrets for it for `ban_time` without hashing them, and each of those keys
// has one hash running at a time. A remembered secret is recognised before the ban is looked at, so
// an app already signed in keeps working while its id is hammered; an app calling from elsewhere
// than the attacker is not banned at all. A right secret not remembered yet, from a banned address,
// is refused during the ban like any other: telling it apart is the very hash the ban saves. Failures are counted in this process's
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
  /** record of a presented secret → its hash in progress, shared by identical requests. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** ban key → the hash in progress for it. */
  private readonly running = new Map<string, Promise<boolean>>();

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
    // A client id is counted per address: the id is public, so a count of its own would let anyone
    // lock the app out wherever it calls from.
    if (attempt && this.modes.includes('user'))
      keys.push(`client ${attempt.clientId} ${attempt.clientIp ?? '-'}`);
    if (attempt?.clientIp && this.modes.includes('ip')) keys.push(`ip ${attempt.clientIp}`);
    return keys;
  }

  async verify(secret: string, digest: string, attempt?: ClientAttempt): Promise<SecretCheck> {
    const presented = this.record(digest, secret);
    const known = this.verified.get(digest);
    if (known && timingSafeEqual(known, presented)) return { ok: true };
    // The same secret already being hashed (an app's parallel requests after a restart): its answer.
    const id = presented.toString('base64');
    const shared = this.inFlight.get(id);
    if (shared) return { ok: await shared };
    const keys = this.keysOf(attempt);
    // One hash at a time per key, so a burst of wrong secrets is counted one by one and stops at
    // the ban; failures are counted once the hash has said so, never while it runs.
    for (let busy = this.busy(keys); busy; busy = this.busy(keys)) {
      await busy.catch(() => undefined);
      const settled = this.inFlight.get(id);
      if (settled) return { ok: await settled };
    }
    const ban = this.failures?.banned(keys);
    if (ban) return { ok: false, refused: banOf(ban) };
    const check = this.verifyDigest(secret, digest);
    this.inFlight.set(id, check);
    for (const key of keys) this.running.set(key, check);
    let ok: boolean;
    try {
      ok = await check;
    } finally {
      this.inFlight.delete(id);
      for (const key of keys) if (this.running.get(key) === check) this.running.delete(key);
    }
    if (!ok) {
      const started = this.failures?.fail(keys);
      return { ok, banned: started && banOf(started) };
    }
    if (this.verified.size >= MAX_RECORDS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(digest, presented);
    return { ok };
  }

  private busy(keys: readonly string[]): Promise<boolean> | undefined {
    for (const key of keys) {
      const running = this.running.get(key);
      if (running) return running;
    }
    return undefined;
  }
}

function banOf(ban: { key: string; until: Date }): ClientBan {
  return { by: ban.key.startsWith('ip ') ? 'ip' : 'client', until: ban.until };
}
