// The large data set for the data-scale mode, written through Sesame's store layer: its engine
// executors (the same SQL seam the repositories use), batched multi-row INSERTs inside
// transactions, and the client repository for the clients. Rows have the shape the repositories
// and src/oidc/adapter.ts write, so Sesame reads them as its own.
import { randomBytes, randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords.ts';
import type { SesameConfig } from '../../src/config/load.ts';
import { createSealer } from '../../src/crypto/encryption.ts';
import { Repositories, storeOptionsFromConfig, type NewOAuthClient } from '../../src/store/index.ts';
import { MysqlExecutor } from '../../src/store/mysql.ts';
import { PostgresExecutor } from '../../src/store/postgres.ts';
import type { SqlExecutor, SqlValue } from '../../src/store/sql.ts';
import { SqliteExecutor } from '../../src/store/sqlite.ts';

export interface ScaleSizes {
  users: number;
  clients: number;
  /** Stored protocol artifacts: grants, sessions, access and refresh tokens in equal parts. */
  tokens: number;
}

export interface SeedReport {
  sizes: ScaleSizes;
  seconds: { users: number; clients: number; tokens: number; analyze: number; total: number };
}

const ROWS_PER_TRANSACTION = 20_000;

// Identifiers like oidc-provider's (43 characters of base64url), cut from a pool of random bytes.
let pool = Buffer.alloc(0);
let offset = 0;
function id(): string {
  if (offset + 32 > pool.length) {
    pool = randomBytes(32 * 4096);
    offset = 0;
  }
  offset += 32;
  return pool.toString('base64url', offset - 32, offset);
}

/** INSERTs `count` rows made by `row(i)`, several rows per statement, in transactions. */
async function insertRows(
  executor: SqlExecutor,
  table: string,
  columns: string[],
  count: number,
  row: (index: number) => SqlValue[],
  parallel: number,
): Promise<void> {
  // SQLite and PostgreSQL both take this many bound values in one statement comfortably.
  const perStatement = Math.max(1, Math.floor(4000 / columns.length));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sqlFor = (rows: number) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const first = next;
      const last = Math.min(count, first + ROWS_PER_TRANSACTION);
      next = last;
      await executor.transaction(async (tx) => {
        for (let start = first; start < last; start += perStatement) {
          const end = Math.min(last, start + perStatement);
          const values: SqlValue[] = [];
          for (let index = start; index < end; index++) values.push(...row(index));
          await tx.run(sqlFor(end - start), values);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

export async function seedLargeDataSet(
  config: SesameConfig,
  sizes: ScaleSizes,
  progress: (line: string) => void,
): Promise<SeedReport> {
  const sealer = createSealer(config.storage.encryption_key);
  const options = storeOptionsFromConfig(config.storage, sealer);
  const executor =
    options.kind === 'sqlite'
      ? SqliteExecutor.open({ path: options.path })
      : options.kind === 'mysql'
        ? new MysqlExecutor(options)
        : new PostgresExecutor(options);
  // A bulk load into random-keyed indexes: this connection gets a page cache that holds them (the
  // default is 2 MiB) and does not wait for the disk at every commit (a crash would only lose the
  // seed, which is made again). Sesame's own connection keeps its settings.
  if (executor instanceof SqliteExecutor)
    executor.database.exec('PRAGMA cache_size = -262144; PRAGMA synchronous = OFF');
  // PostgreSQL and MySQL take writes on several connections at once; node:sqlite is one synchronous connection.
  const parallel = options.kind === 'sqlite' ? 1 : 3;
  const repositories = new Repositories(executor, sealer);
  const began = performance.now();
  try {
    // Users: every one with a password digest (one digest at the configured cost, shared) and a group.
    let step = performance.now();
    const digest = await hashPassword(id(), config.authentication_backend.password_hashing);
    const group = await repositories.groups.ensure('scale-users');
    const userIds = Array.from({ length: sizes.users }, () => randomUUID());
    const now = new Date();
    await insertRows(
      executor,
      'users',
      [
        'id',
        'username',
        'email',
        'email_verified',
        'display_name',
        'given_name',
        'family_name',
        'picture',
        'disabled',
        'source',
        'created_at',
        'updated_at',
      ],
      sizes.users,
      (index) => [
        userIds[index],
        `user${index}`,
        `user${index}@example.com`,
        true,
        `User ${index}`,
        'User',
        String(index),
        null,
        false,
        'local',
        now,
        now,
      ],
      parallel,
    );
    await insertRows(
      executor,
      'password_credentials',
      ['user_id', 'digest', 'updated_at'],
      sizes.users,
      (index) => [userIds[index], digest, now],
      parallel,
    );
    await insertRows(
      executor,
      'user_groups',
      ['user_id', 'group_id'],
      sizes.users,
      (index) => [userIds[index], group.id],
      parallel,
    );
    const usersSeconds = seconds(step);
    progress(`${sizes.users.toLocaleString('en')} users in ${usersSeconds.toFixed(1)} s`);

    // Clients: through the client repository, in one transaction.
    step = performance.now();
    const secretDigest = await hashPassword(id(), config.authentication_backend.password_hashing);
    const clientIds = Array.from({ length: sizes.clients }, (_, index) => `scale-client-${index}`);
    await repositories.transaction(async (tx) => {
      for (const clientId of clientIds) {
        const client: NewOAuthClient = {
          clientId,
          name: `Scale client ${clientId}`,
          secretDigest,
          public: false,
          redirectUris: [{ url: `https://${clientId}.example.com/callback`, matching_mode: 'strict' }],
          postLogoutRedirectUris: [],
          scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
          grantTypes: ['authorization_code', 'refresh_token'],
          responseTypes: ['code'],
          consentMode: 'implicit',
          authorizationPolicy: 'one_factor',
          allowedGroups: [],
          tokenEndpointAuthMethod: 'client_secret_basic',
          idTokenSignedResponseAlg: 'RS256',
          userinfoSignedResponseAlg: 'none',
          accessTokenSignedResponseAlg: 'none',
          requirePkce: true,
          subjectMode: 'user_id',
          lifespans: {},
          settings: {},
        };
        await tx.clients.create(client);
      }
    });
    const clientsSeconds = seconds(step);
    progress(`${sizes.clients.toLocaleString('en')} clients in ${clientsSeconds.toFixed(1)} s`);

    // Tokens: grants, sessions, access and refresh tokens as oidc-provider stores them, all live.
    step = performance.now();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const models = ['Grant', 'Session', 'AccessToken', 'RefreshToken'] as const;
    let bundle:
      { grantId: string; accountId: string; clientId: string; uid: string; exp: number } | undefined;
    await insertRows(
      executor,
      'oidc_artifacts',
      ['model', 'id', 'payload', 'grant_id', 'uid', 'user_code', 'expires_at'],
      sizes.tokens,
      (index) => {
        const model = models[index % models.length]!;
        if (model === 'Grant' || !bundle)
          bundle = {
            grantId: id(),
            accountId: userIds[index % Math.max(1, userIds.length)] ?? randomUUID(),
            clientId: clientIds[index % Math.max(1, clientIds.length)] ?? 'scale-client',
            uid: id(),
            exp: nowSeconds + 86_400 + (index % 13) * 86_400,
          };
        const { grantId, accountId, clientId, uid, exp } = bundle;
        const jti = model === 'Grant' ? grantId : id();
        const common = { iat: nowSeconds, exp, kind: model, jti };
        const scope = 'openid profile email offline_access';
        const payload =
          model === 'Grant'
            ? { ...common, accountId, clientId, openid: { scope } }
            : model === 'Session'
              ? {
                  ...common,
                  uid,
                  accountId,
                  loginTs: nowSeconds,
                  amr: ['pwd'],
                  authorizations: { [clientId]: { sid: id(), grantId, persistsLogout: true } },
                }
              : {
                  ...common,
                  accountId,
                  clientId,
                  grantId,
                  gty: 'authorization_code',
                  scope,
                  sessionUid: uid,
                  expiresWithSession: false,
                  ...(model === 'RefreshToken'
                    ? { rotations: 0, iiat: nowSeconds, authTime: nowSeconds }
                    : {}),
                };
        return [
          model,
          jti,
          JSON.stringify(payload),
          model === 'Grant' || model === 'Session' ? null : grantId,
          model === 'Session' ? uid : null,
          null,
          new Date(exp * 1000),
        ];
      },
      parallel,
    );
    const tokensSeconds = seconds(step);
    progress(`${sizes.tokens.toLocaleString('en')} tokens and grants in ${tokensSeconds.toFixed(1)} s`);

    // What autovacuum would do soon anyway; done now so it does not run during the measurements.
    step = performance.now();
    if (options.kind === 'postgres')
      await executor.run(
        'VACUUM (ANALYZE) users, password_credentials, user_groups, oauth_clients, oidc_artifacts',
      );
    const analyzeSeconds = seconds(step);
    return {
      sizes,
      seconds: {
        users: usersSeconds,
        clients: clientsSeconds,
        tokens: tokensSeconds,
        analyze: analyzeSeconds,
        total: seconds(began),
      },
    };
  } finally {
    if (executor instanceof SqliteExecutor) executor.close();
    else await executor.close();
  }
}
