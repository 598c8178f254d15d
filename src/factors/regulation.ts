// Brute-force regulation as Authelia does it: `max_retries` failures within `find_time` ban the
// username (and/or the client IP) for `ban_time`. Attempts live in the database so every node sees
// them. While banned, nothing is verified: the caller answers as for a wrong password at no cost.
import type { SesameConfig } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/index.ts';

type Settings = SesameConfig['regulation'];

interface Attempt {
  occurredAt: Date;
  success: boolean;
}

/**
 * The end of the ban the latest attempts (newest first) put in force at `now`, if any: banned when
 * the last `max_retries` attempts all failed, within find_time of each other, and the newest is less
 * than ban_time ago.
 */
export function banEnd(recent: readonly Attempt[], settings: Settings, now: number): Date | undefined {
  const { max_retries: retries, find_time: findTime, ban_time: banTime } = settings;
  if (retries <= 0 || recent.length < retries) return undefined;
  const last = recent.slice(0, retries);
  if (last.some((attempt) => attempt.success)) return undefined;
  const newest = last[0]!.occurredAt.getTime();
  const oldest = last[retries - 1]!.occurredAt.getTime();
  if (newest - oldest > findTime * 1000 || now >= newest + banTime * 1000) return undefined;
  return new Date(newest + banTime * 1000);
}

export interface AttemptSubject {
  username: string;
  clientIp?: string;
}

export interface Ban {
  by: 'user' | 'ip';
  until: Date;
}

export class Regulator {
  private readonly store: Store;
  private readonly settings: Settings;
  private readonly now: () => number;
  private readonly logger?: Logger;
  constructor(store: Store, config: SesameConfig, now: () => number = Date.now, logger?: Logger) {
    this.store = store;
    this.settings = config.regulation;
    this.now = now;
    this.logger = logger;
  }

  get enabled(): boolean {
    return this.settings.max_retries > 0;
  }

  private keys(subject: AttemptSubject): ['user' | 'ip', string][] {
    const keys: ['user' | 'ip', string][] = [];
    if (this.settings.modes.includes('user')) keys.push(['user', normaliseUsername(subject.username)]);
    if (this.settings.modes.includes('ip') && subject.clientIp) keys.push(['ip', subject.clientIp]);
    return keys;
  }

  /** The ban in force for this username or address, if any. */
  async banned(subject: AttemptSubject): Promise<Ban | undefined> {
    if (!this.enabled) return undefined;
    const { max_retries: retries, find_time: findTime, ban_time: banTime } = this.settings;
    const now = this.now();
    for (const [by, key] of this.keys(subject)) {
      const since = new Date(now - (findTime + banTime) * 1000);
      const until = banEnd(await this.store.attempts.recent(by, key, since, retries), this.settings, now);
      if (until) return { by, until };
    }
    return undefined;
  }

  /** Records an attempt; a failure that starts a ban is an audit event. */
  async record(subject: AttemptSubject, factor: string, success: boolean): Promise<Ban | undefined> {
    const occurredAt = new Date(this.now());
    await this.store.attempts.record({
      occurredAt,
      username: normaliseUsername(subject.username),
      clientIp: subject.clientIp,
      factor,
      success,
    });
    if (success || !this.enabled) return undefined;
    const ban = await this.banned(subject);
    if (ban) {
      await this.store.events.append({
        type: 'regulation.banned',
        subject: normaliseUsername(subject.username),
        clientIp: subject.clientIp,
        details: { by: ban.by, until: ban.until.toISOString(), factor },
      });
      this.logger?.warn(
        { by: ban.by, username: normaliseUsername(subject.username), ip: subject.clientIp, until: ban.until },
        'authentication banned after repeated failures',
      );
    }
    return ban;
  }

  /** Attempts older than any window regulation reads are deleted by the periodic clean-up. */
  prune(): Promise<number> {
    const { find_time: findTime, ban_time: banTime } = this.settings;
    return this.store.attempts.deleteBefore(new Date(this.now() - (findTime + banTime) * 1000 - 60_000));
  }
}

function normaliseUsername(username: string): string {
  return username.trim().toLowerCase().slice(0, 200);
}

const MAX_COUNTED_KEYS = 10_000;

/**
 * The same rule over failures counted in this process's memory, for guards of this process's own
 * work (see oidc/client-secrets.ts): no database round trip, at most MAX_COUNTED_KEYS keys, the one
 * that failed least recently forgotten first.
 */
export class FailureCounter {
  private readonly settings: Settings;
  private readonly now: () => number;
  /** key → its latest failures, newest first, at most max_retries. */
  private readonly failures = new Map<string, Attempt[]>();
  constructor(settings: Settings, now: () => number = Date.now) {
    this.settings = settings;
    this.now = now;
  }

  /** The first of these keys under a ban, and when the ban ends. */
  banned(keys: readonly string[]): { key: string; until: Date } | undefined {
    for (const key of keys) {
      const failures = this.failures.get(key);
      const until = failures && banEnd(failures, this.settings, this.now());
      if (!until) continue;
      // Kept from being forgotten while it is being hammered.
      this.failures.delete(key);
      this.failures.set(key, failures);
      return { key, until };
    }
    return undefined;
  }

  /** Counts a failure under each key; returns the first ban it begins. */
  fail(keys: readonly string[]): { key: string; until: Date } | undefined {
    if (this.settings.max_retries <= 0) return undefined;
    const failure: Attempt = { occurredAt: new Date(this.now()), success: false };
    let started: { key: string; until: Date } | undefined;
    for (const key of keys) {
      const failures = [failure, ...(this.failures.get(key) ?? [])].slice(0, this.settings.max_retries);
      this.failures.delete(key);
      if (this.failures.size >= MAX_COUNTED_KEYS) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, failures);
      const until = banEnd(failures, this.settings, this.now());
      if (until && !started) started = { key, until };
    }
    return started;
  }
}

/** The artifact model of a used request slot. */
const QUOTA_SLOT = 'QuotaSlot';

/**
 * At most `limit` uses per key within any `windowSeconds`, counted in the database so every node
 * shares the count: a use claims one of the key's numbered slots until `windowSeconds` from then,
 * and a claim is atomic, so parallel requests never get more than `limit` between them. For what
 * must not be repeated at will but is no authentication (mails a request sends, for instance).
 */
export class Quota {
  private readonly store: Store;
  private readonly now: () => number;
  constructor(store: Store, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  /** Uses one of `key`'s slots; false while they are all taken. */
  async take(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const now = this.now();
    const end = new Date(now + windowSeconds * 1000);
    for (let slot = 0; slot < limit; slot += 1)
      if (await this.store.artifacts.claim(QUOTA_SLOT, `${key}:${slot}`, end, new Date(now))) return true;
    return false;
  }
}
