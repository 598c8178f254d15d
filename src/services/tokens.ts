// Admin API tokens: shown once at creation, kept as a SHA-256 (a 256-bit random token needs no slow
// hash), scoped to resources, revocable, optionally expiring.
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../lib/errors.ts';
import type { ApiToken, Store } from '../store/index.ts';

export const TOKEN_PREFIX = 'sesame_';

/** What a token may touch; `write` includes `read`, `*` stands for every resource. */
export const API_RESOURCES = [
  'applications',
  'providers',
  'users',
  'groups',
  'sessions',
  'keys',
  'consents',
  'events',
  'tokens',
  'access',
] as const;
export type ApiResource = (typeof API_RESOURCES)[number];
export type ApiAccess = 'read' | 'write';

const SCOPE = new RegExp(`^(\\*|${API_RESOURCES.join('|')}):(read|write)$`);
export const SCOPE_HELP = `<resource>:read or <resource>:write, where resource is * or one of ${API_RESOURCES.join(', ')}`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function scopeAllows(scopes: readonly string[], resource: ApiResource, access: ApiAccess): boolean {
  return scopes.some((scope) => {
    const [granted, level] = scope.split(':');
    return (granted === '*' || granted === resource) && (level === 'write' || access === 'read');
  });
}

/** What a listed token can still do: the admin UI and the CLI show it. */
export function tokenState(token: ApiToken, now = new Date()): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  return token.expiresAt && token.expiresAt <= now ? 'expired' : 'active';
}

// Writing last_used_at on every call would turn each read into a write; once a minute is enough.
const TOUCH_INTERVAL_MS = 60_000;

export class ApiTokenService {
  private readonly store: Store;
  private readonly now: () => Date;
  private readonly touched = new Map<string, number>();
  constructor(store: Store, now: () => Date = () => new Date()) {
    this.store = store;
    this.now = now;
  }

  async create(
    input: { name: string; scopes: string[]; expiresAt?: Date },
    actor: string,
  ): Promise<{ token: string; record: ApiToken }> {
    if (!input.name.trim()) throw new InvalidInputError('the token needs a name', 'name');
    if (input.scopes.length === 0)
      throw new InvalidInputError(`give at least one scope (${SCOPE_HELP})`, 'scopes');
    for (const scope of input.scopes)
      if (!SCOPE.test(scope)) throw new InvalidInputError(`scope '${scope}' is not ${SCOPE_HELP}`, 'scopes');
    if (input.expiresAt && input.expiresAt.getTime() <= this.now().getTime())
      throw new InvalidInputError('the expiry is in the past', 'expires_at');
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.transaction(async (tx) => {
      const created = await tx.apiTokens.create({
        name: input.name.trim(),
        tokenHash: hashToken(token),
        scopes: [...new Set(input.scopes)],
        createdBy: actor,
        expiresAt: input.expiresAt,
      });
      await tx.events.append({
        type: 'api_token.created',
        actor,
        subject: created.id,
        details: { name: created.name, scopes: created.scopes },
      });
      return created;
    });
    return { token, record };
  }

  /** The token's record when it is valid now; undefined for unknown, revoked or expired tokens alike. */
  async authenticate(presented: string): Promise<ApiToken | undefined> {
    if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return undefined;
    const record = await this.store.apiTokens.findByHash(hashToken(presented));
    const now = this.now();
    if (!record || record.revokedAt || (record.expiresAt && record.expiresAt <= now)) return undefined;
    const last = this.touched.get(record.id) ?? record.lastUsedAt?.getTime() ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.touched.set(record.id, now.getTime());
      await this.store.apiTokens.touch(record.id, now);
    }
    return record;
  }

  list(): Promise<ApiToken[]> {
    return this.store.apiTokens.list();
  }

  async revoke(id: string, actor: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const record = await tx.apiTokens.get(id);
      if (!record) throw new NotFoundError(`there is no API token with id '${id}'`);
      if (!(await tx.apiTokens.revoke(id, this.now()))) return;
      await tx.events.append({
        type: 'api_token.revoked',
        actor,
        subject: id,
        details: { name: record.name },
      });
    });
  }
}
