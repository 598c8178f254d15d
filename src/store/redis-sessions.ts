// Login sessions in Redis (Authelia's `session.redis`): oidc-provider's Session records and the
// forward-auth cookies' records, shared by every node without a database write per sign-in. Values
// are sealed (AES-GCM) with a key from `session.secret`; only ids, expiries and account ids are
// readable in Redis, as the indexes need them.
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { createSealer, type Sealer } from '../crypto/encryption.ts';
import { tlsOptionsOf, type ClientTlsSettings } from './tls.ts';
import type { Artifact } from './types.ts';

/** What the artifact repository hands to a store of its own for some models. */
export interface SessionArtifactStore {
  readonly models: ReadonlySet<string>;
  upsert(artifact: Omit<Artifact, 'consumedAt'>): Promise<void>;
  find(model: string, id: string, now?: Date): Promise<Artifact | undefined>;
  findByUid(model: string, uid: string, now?: Date): Promise<Artifact | undefined>;
  consume(model: string, id: string, now?: Date): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<number>;
  listSessions(
    query: { accountId?: string; limit?: number; offset?: number },
    now?: Date,
  ): Promise<Artifact[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisSessionOptions {
  host?: string;
  port: number;
  timeoutSeconds: number;
  maxRetries: number;
  username?: string;
  password?: string;
  databaseIndex: number;
  tls?: ClientTlsSettings;
  sentinel?: {
    name: string;
    username?: string;
    password?: string;
    nodes: { host: string; port: number }[];
  };
  /** Separates installations sharing one Redis database. */
  keyPrefix: string;
  sealer: Sealer;
}

/** The models kept in Redis: the login session and the forward-auth cookies naming it. */
export const REDIS_SESSION_MODELS: ReadonlySet<string> = new Set(['Session', 'ForwardAuthSession']);

/** A record without an expiry (oidc-provider always gives sessions one) still goes in this long. */
const FALLBACK_TTL_MS = 30 * 24 * 3600 * 1000;

interface Stored {
  payload: Record<string, unknown>;
  grantId?: string;
  uid?: string;
  userCode?: string;
  expiresAt?: number;
}

export function redisOptionsOf(options: RedisSessionOptions): RedisOptions {
  const common: RedisOptions = {
    username: options.username,
    password: options.password,
    db: options.databaseIndex,
    connectTimeout: options.timeoutSeconds * 1000,
    maxRetriesPerRequest: options.maxRetries,
    tls: options.tls ? tlsOptionsOf(options.tls) : undefined,
    keyPrefix: options.keyPrefix,
    lazyConnect: true,
  };
  if (options.sentinel) {
    const nodes = [...options.sentinel.nodes];
    if (options.host) nodes.unshift({ host: options.host, port: options.port });
    return {
      ...common,
      sentinels: nodes,
      name: options.sentinel.name,
      sentinelUsername: options.sentinel.username,
      sentinelPassword: options.sentinel.password,
      sentinelTLS: common.tls,
      enableTLSForSentinelMode: Boolean(common.tls),
    };
  }
  if (options.host?.startsWith('/')) return { ...common, path: options.host };
  return { ...common, host: options.host, port: options.port };
}

export class RedisSessionStore implements SessionArtifactStore {
  readonly models = REDIS_SESSION_MODELS;
  private readonly redis: Redis;
  private readonly sealer: Sealer;

  constructor(options: RedisSessionOptions) {
    this.redis = new Redis(redisOptionsOf(options));
    this.sealer = options.sealer;
    // Errors reach the request that needed Redis; the connection's own events are not fatal.
    this.redis.on('error', () => {});
  }

  /** Connects, and tells clearly when Redis cannot be reached (checked at start). */
  async ping(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect();
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async upsert(artifact: Omit<Artifact, 'consumedAt'>): Promise<void> {
    const expiresAt = artifact.expiresAt?.getTime();
    const ttl = Math.max(1, expiresAt !== undefined ? expiresAt - Date.now() : FALLBACK_TTL_MS);
    const stored: Stored = {
      payload: artifact.payload,
      grantId: artifact.grantId,
      uid: artifact.uid,
      userCode: artifact.userCode,
      expiresAt,
    };
    const key = recordKey(artifact.model, artifact.id);
    const multi = this.redis.multi().set(key, this.sealer.seal(JSON.stringify(stored), key), 'PX', ttl);
    if (artifact.uid) multi.set(uidKey(artifact.model, artifact.uid), artifact.id, 'PX', ttl);
    if (artifact.grantId) {
      multi.sadd(grantKey(artifact.grantId), `${artifact.model}:${artifact.id}`);
      multi.eval(EXTEND_TTL, 1, grantKey(artifact.grantId), ttl);
    }
    const accountId = artifact.payload.accountId;
    if (artifact.model === 'Session' && typeof accountId === 'string') {
      const score = expiresAt ?? Date.now() + ttl;
      multi.zadd(SESSIONS, score, artifact.id).zadd(accountSessionsKey(accountId), score, artifact.id);
    }
    await exec(multi);
  }

  async find(model: string, id: string, now = new Date()): Promise<Artifact | undefined> {
    const key = recordKey(model, id);
    const [sealed, consumed] = await this.redis.mget(key, consumedKey(model, id));
    if (!sealed) return undefined;
    const stored = JSON.parse(this.sealer.open(sealed, key)) as Stored;
    if (stored.expiresAt !== undefined && stored.expiresAt <= now.getTime()) return undefined;
    return {
      model,
      id,
      payload: stored.payload,
      grantId: stored.grantId,
      uid: stored.uid,
      userCode: stored.userCode,
      expiresAt: stored.expiresAt !== undefined ? new Date(stored.expiresAt) : undefined,
      consumedAt: consumed ? new Date(Number(consumed)) : undefined,
    };
  }

  async findByUid(model: string, uid: string, now = new Date()): Promise<Artifact | undefined> {
    const id = await this.redis.get(uidKey(model, uid));
    return id ? this.find(model, id, now) : undefined;
  }

  /** SET NX on a key of its own: of concurrent callers on any node, exactly one gets `true`. */
  async consume(model: string, id: string, now = new Date()): Promise<boolean> {
    const ttl = await this.redis.pttl(recordKey(model, id));
    if (ttl === -2) return false;
    const set = await this.redis.set(
      consumedKey(model, id),
      String(now.getTime()),
      'PX',
      ttl > 0 ? ttl : FALLBACK_TTL_MS,
      'NX',
    );
    return set === 'OK';
  }

  async destroy(model: string, id: string): Promise<void> {
    const found = await this.find(model, id, new Date(0));
    const multi = this.redis.multi().del(recordKey(model, id), consumedKey(model, id));
    if (found?.uid) multi.del(uidKey(model, found.uid));
    if (model === 'Session') {
      multi.zrem(SESSIONS, id);
      const accountId = found?.payload.accountId;
      if (typeof accountId === 'string') multi.zrem(accountSessionsKey(accountId), id);
    }
    await exec(multi);
  }

  async revokeByGrantId(grantId: string): Promise<number> {
    const members = await this.redis.smembers(grantKey(grantId));
    for (const member of members) {
      const split = member.indexOf(':');
      await this.destroy(member.slice(0, split), member.slice(split + 1));
    }
    await this.redis.del(grantKey(grantId));
    return members.length;
  }

  /** Live sessions, the latest to expire first (as the database lists them). */
  async listSessions(
    query: { accountId?: string; limit?: number; offset?: number } = {},
    now = new Date(),
  ): Promise<Artifact[]> {
    const index = query.accountId ? accountSessionsKey(query.accountId) : SESSIONS;
    await this.redis.zremrangebyscore(index, '-inf', now.getTime());
    const limit = query.limit ?? 100;
    const ids = await this.redis.zrange(
      index,
      '+inf',
      `(${now.getTime()}`,
      'BYSCORE',
      'REV',
      'LIMIT',
      query.offset ?? 0,
      limit,
    );
    const sessions: Artifact[] = [];
    for (const id of ids) {
      const session = await this.find('Session', id, now);
      // Destroyed without its index entry (a crash between the two): forget it now.
      if (!session) await this.redis.zrem(index, id);
      else if (!query.accountId || session.payload.accountId === query.accountId) sessions.push(session);
    }
    return sessions;
  }
}

/** Makes a key live at least ARGV[1] ms more (PEXPIRE's GT option needs Redis 7). */
const EXTEND_TTL = `local left = redis.call('PTTL', KEYS[1])
if left >= 0 and left >= tonumber(ARGV[1]) then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`;

const SESSIONS = 'sessions';
const recordKey = (model: string, id: string) => `a:${model}:${id}`;
const uidKey = (model: string, uid: string) => `u:${model}:${uid}`;
const consumedKey = (model: string, id: string) => `c:${model}:${id}`;
const grantKey = (grantId: string) => `g:${grantId}`;
const accountSessionsKey = (accountId: string) => `sessions:${accountId}`;

async function exec(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

type StorageConfig = Config['storage'];

/** One installation's keys, apart from another's that shares the Redis database. */
function installationOf(storage: StorageConfig): string {
  const where = storage.local
    ? `sqlite:${storage.local.path}`
    : storage.mysql
      ? `mysql:${storage.mysql.address}/${storage.mysql.database}`
      : `postgres:${storage.postgres?.address}/${storage.postgres?.database}/${storage.postgres?.schema}`;
  return createHash('sha256').update(where).digest('hex').slice(0, 12);
}

/** The Redis session store `session.redis` asks for, if it does. */
export function sessionStoreFromConfig(config: Config): RedisSessionStore | undefined {
  const redis = config.session?.redis;
  if (!redis) return undefined;
  // session.secret encrypts what is kept in Redis, as in Authelia; without it, the storage key does.
  const secret = config.session?.secret ?? `storage:${config.storage.encryption_key}`;
  const key = createHash('sha256').update(`sesame redis sessions\0${secret}`).digest('hex');
  const ha = redis.high_availability;
  return new RedisSessionStore({
    host: redis.host,
    port: redis.port,
    timeoutSeconds: redis.timeout,
    maxRetries: redis.max_retries,
    username: redis.username,
    password: redis.password,
    databaseIndex: redis.database_index,
    tls: redis.tls,
    sentinel: ha && {
      name: ha.sentinel_name,
      username: ha.sentinel_username,
      password: ha.sentinel_password,
      nodes: ha.nodes,
    },
    keyPrefix: `sesame:${installationOf(config.storage)}:`,
    sealer: createSealer(key),
  });
}
