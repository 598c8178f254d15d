// Brute-force regulation as Authelia does it: `max_retries` failures within `find_time` ban the
// username (and/or the client IP) for `ban_time`. Attempts live in the database so every node sees
// them. While banned, nothing is verified: the caller answers as for a wrong password at no cost.
import type { SesameConfig } from '../config/load.ts';
import type { Logger } from '../server/logger.ts';
import type { Store } from '../store/index.ts';

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
  private readonly settings: SesameConfig['regulation'];
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
      const recent = await this.store.attempts.recent(by, key, since, retries);
      // Banned when the last `retries` attempts all failed, within find_time of each other, and the
      // newest is less than ban_time ago.
      if (recent.length < retries || recent.some((attempt) => attempt.success)) continue;
      const newest = recent[0]!.occurredAt.getTime();
      const oldest = recent[recent.length - 1]!.occurredAt.getTime();
      if (newest - oldest <= findTime * 1000 && now < newest + banTime * 1000)
        return { by, until: new Date(newest + banTime * 1000) };
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
