// Runs one test body against every storage engine: SQLite in a temporary file, PostgreSQL in a
// fresh schema and MySQL (MariaDB) in a fresh database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSealer } from '../../src/crypto/encryption.ts';
import { Store, type StoreOptions } from '../../src/store/index.ts';
import { createDatabase, dropDatabase, mysqlConnection, skipWithoutMysql, uniqueDatabase } from './mysql.ts';
import { dropSchema, postgresConnection, skipWithoutPostgres, uniqueSchema } from './postgres.ts';

export const TEST_ENCRYPTION_KEY = 'test-encryption-key-0123456789';

export interface EngineFixture {
  name: 'sqlite' | 'postgres' | 'mysql';
  skip(): Promise<string | false>;
  /** Options for a new store on a fresh database; `open` opens more connections to the same one. */
  create(): Promise<{ options: StoreOptions; open(): Store; cleanup(): Promise<void> }>;
}

export const engines: EngineFixture[] = [
  {
    name: 'sqlite',
    skip: () => Promise.resolve(false),
    create() {
      const dir = mkdtempSync(join(tmpdir(), 'sesame-store-'));
      const options: StoreOptions = {
        kind: 'sqlite',
        path: join(dir, 'db.sqlite3'),
        sealer: createSealer(TEST_ENCRYPTION_KEY),
      };
      return Promise.resolve({
        options,
        open: () => Store.open(options),
        cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      });
    },
  },
  {
    name: 'postgres',
    skip: skipWithoutPostgres,
    create() {
      const schema = uniqueSchema();
      const options: StoreOptions = {
        kind: 'postgres',
        sealer: createSealer(TEST_ENCRYPTION_KEY),
        ...postgresConnection(schema),
      };
      return Promise.resolve({ options, open: () => Store.open(options), cleanup: () => dropSchema(schema) });
    },
  },
  {
    name: 'mysql',
    skip: skipWithoutMysql,
    async create() {
      const database = uniqueDatabase();
      await createDatabase(database);
      const options: StoreOptions = {
        kind: 'mysql',
        sealer: createSealer(TEST_ENCRYPTION_KEY),
        ...mysqlConnection(database),
      };
      return { options, open: () => Store.open(options), cleanup: () => dropDatabase(database) };
    },
  },
];
