// The one seam between the repositories and the database engines. Repositories write portable
// SQL with `?` placeholders; each engine's executor adapts placeholders and value types. Where the
// engines' SQL differs (upserts, JSON functions), a repository asks `dialect`.

export type Dialect = 'sqlite' | 'postgres' | 'mysql';
export type SqlValue = string | number | boolean | null | Date | undefined;

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** `changes`: rows written or matched; `insertId`: an AUTO_INCREMENT key made (MySQL only). */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number; insertId?: number }>;
  /** Runs `fn` in one transaction: all its writes commit together or none do. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/**
 * The tail of an INSERT that, when the row's key exists, updates `columns` from the new row.
 * MySQL's form (VALUES(), which MySQL 8.0.20+ deprecates but keeps) is the one MariaDB also reads.
 */
export function onConflictUpdate(dialect: Dialect, key: string[], columns: string[]): string {
  return dialect === 'mysql'
    ? `ON DUPLICATE KEY UPDATE ${columns.map((column) => `${column} = VALUES(${column})`).join(', ')}`
    : `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/**
 * `lower(column)`, compared regardless of case. MySQL keeps it in an indexed generated column
 * `<column>_lower` (MariaDB does not match an expression to such an index by itself).
 */
export function lowered(dialect: Dialect, column: string): string {
  const [alias, name] = column.includes('.') ? column.split('.') : [undefined, column];
  return dialect === 'mysql' ? `${alias ? `${alias}.` : ''}${name}_lower` : `lower(${column})`;
}

/** A patch with only the fields that are set: repositories treat a present key as "set this". */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Engines hand timestamps back differently (epoch ms vs Date); rows are read through these. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(Number(value));
}

export function toOptionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : toDate(value);
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function fromJson<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string' || value === '') return fallback;
  return JSON.parse(value) as T;
}

export function optional(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** A unique-constraint violation, whichever engine raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const err = error as { code?: string; errcode?: number; message?: string };
  return (
    err.code === '23505' ||
    err.code === 'ER_DUP_ENTRY' ||
    err.errcode === 2067 ||
    err.errcode === 1555 ||
    /UNIQUE constraint failed/.test(err.message ?? '')
  );
}
