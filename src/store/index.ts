// The storage interface the rest of Sesame uses; which engine is behind it is decided here only.
import type { Config } from '../config/schema.ts';
import { ChangeFeed } from './changes.ts';
import { migrateMysql, migratePostgres, migrateSqlite, type MigrationReport } from './migrate.ts';
import { MysqlExecutor, type MysqlOptions } from './mysql.ts';
import { PostgresExecutor, type PostgresOptions } from './postgres.ts';
import { ApiTokenRepository } from './repositories/api-tokens.ts';
import { ApplicationRepository } from './repositories/applications.ts';
import { ArtifactRepository } from './repositories/artifacts.ts';
import { ClientRepository } from './repositories/clients.ts';
import { EventRepository } from './repositories/events.ts';
import {
  AttemptRepository,
  RecoveryCodeRepository,
  TotpRepository,
  WebauthnRepository,
} from './repositories/factors.ts';
import { GroupRepository } from './repositories/groups.ts';
import { InvitationRepository } from './repositories/invitations.ts';
import { PasswordRepository } from './repositories/passwords.ts';
import { SigningKeyRepository, type Sealer } from './repositories/signing-keys.ts';
import { UserRepository } from './repositories/users.ts';
import type { Dialect, SqlExecutor } from './sql.ts';
import { SqliteExecutor } from './sqlite.ts';
import type { SessionArtifactStore } from './redis-sessions.ts';

export type StoreOptions = (
  | { kind: 'sqlite'; path: string; synchronous?: 'normal' | 'full' }
  | ({ kind: 'postgres' } & PostgresOptions)
  | ({ kind: 'mysql' } & MysqlOptions)
) & {
  sealer: Sealer;
  /** Login sessions kept outside the database (`session.redis`). */
  sessions?: SessionArtifactStore;
};

type Engine = SqliteExecutor | PostgresExecutor | MysqlExecutor;

function openEngine(options: StoreOptions): Engine {
  switch (options.kind) {
    case 'sqlite':
      return SqliteExecutor.open({ path: options.path, synchronous: options.synchronous });
    case 'postgres':
      return new PostgresExecutor(options);
    case 'mysql':
      return new MysqlExecutor(options);
  }
}

/** Repositories over one executor; `transaction` hands out the same repositories bound to one transaction. */
export class Repositories {
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly passwords: PasswordRepository;
  readonly clients: ClientRepository;
  readonly applications: ApplicationRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly artifacts: ArtifactRepository;
  readonly events: EventRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly totp: TotpRepository;
  readonly recoveryCodes: RecoveryCodeRepository;
  readonly webauthn: WebauthnRepository;
  readonly attempts: AttemptRepository;
  readonly invitations: InvitationRepository;

  protected readonly executor: SqlExecutor;
  protected readonly sealer: Sealer;
  /** Tells this process's caches about changes; shared by the repositories of every transaction. */
  readonly changes: ChangeFeed;
  protected readonly sessions?: SessionArtifactStore;
  constructor(
    executor: SqlExecutor,
    sealer: Sealer,
    changes = new ChangeFeed(),
    sessions?: SessionArtifactStore,
  ) {
    this.executor = executor;
    this.sealer = sealer;
    this.changes = changes;
    this.sessions = sessions;
    this.users = new UserRepository(executor);
    this.groups = new GroupRepository(executor);
    this.passwords = new PasswordRepository(executor);
    this.clients = new ClientRepository(executor, () => changes.notify('clients'));
    this.applications = new ApplicationRepository(executor, () => changes.notify('clients'));
    this.signingKeys = new SigningKeyRepository(executor, sealer, () => changes.notify('signing_keys'));
    this.artifacts = new ArtifactRepository(executor, sessions);
    this.events = new EventRepository(executor);
    this.apiTokens = new ApiTokenRepository(executor);
    this.totp = new TotpRepository(executor, sealer);
    this.recoveryCodes = new RecoveryCodeRepository(executor);
    this.webauthn = new WebauthnRepository(executor);
    this.attempts = new AttemptRepository(executor);
    this.invitations = new InvitationRepository(executor);
  }

  get dialect(): Dialect {
    return this.executor.dialect;
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.executor.transaction((tx) =>
      fn(new Repositories(tx, this.sealer, this.changes, this.sessions)),
    );
  }
}

export class Store extends Repositories {
  private readonly engine: Engine;

  private constructor(engine: Engine, sealer: Sealer, sessions?: SessionArtifactStore) {
    super(engine, sealer, undefined, sessions);
    this.engine = engine;
  }

  static open(options: StoreOptions): Store {
    return new Store(openEngine(options), options.sealer, options.sessions);
  }

  /** Applies pending migrations under the engine's lock. */
  migrate(): Promise<MigrationReport> {
    if (this.engine instanceof SqliteExecutor) return migrateSqlite(this.engine);
    if (this.engine instanceof MysqlExecutor) return migrateMysql(this.engine);
    return migratePostgres(this.engine);
  }

  /** Reads the change counters written by other processes; see changes.ts. */
  pollChanges(): Promise<string[]> {
    return this.changes.poll(this.engine);
  }

  /** Succeeds when the database answers; what /readyz reports. */
  async ping(): Promise<void> {
    await this.engine.get('SELECT 1 AS ok');
    await this.sessions?.ping();
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.sessions?.close();
  }

  /** A description for logs, without credentials. */
  describe(): string {
    if (this.engine instanceof SqliteExecutor)
      return `sqlite ${this.engine.database.location() ?? ':memory:'}`;
    if (this.engine instanceof MysqlExecutor) return `mysql database ${this.engine.database}`;
    return `postgres schema ${this.engine.schema}`;
  }
}

export function storeOptionsFromConfig(storage: Config['storage'], sealer: Sealer): StoreOptions {
  if (storage.local)
    return { kind: 'sqlite', path: storage.local.path, synchronous: storage.local.synchronous, sealer };
  if (storage.mysql) {
    const mysql = storage.mysql;
    return {
      kind: 'mysql',
      sealer,
      address: mysql.address,
      database: mysql.database,
      username: mysql.username,
      password: mysql.password,
      timeoutSeconds: mysql.timeout,
      maxConnections: mysql.max_connections,
      tls: mysql.tls,
    };
  }
  const postgres = storage.postgres!;
  return {
    kind: 'postgres',
    sealer,
    address: postgres.address,
    database: postgres.database,
    schema: postgres.schema,
    username: postgres.username,
    password: postgres.password,
    timeoutSeconds: postgres.timeout,
    maxConnections: postgres.max_connections,
    tls: postgres.tls,
  };
}

export type { MigrationReport } from './migrate.ts';
export type * from './types.ts';
export type { AuthenticationAttempt, TotpCredential, WebauthnCredential } from './repositories/factors.ts';
