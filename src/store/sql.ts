// The one seam between the repositories and the two database engines. Repositories write portable
// SQL with `?` placeholders; each engine's executor adapts placeholders and value types.

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | boolean | null | Date | undefined;

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs `fn` in one transaction: all its writes commit together or none do. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** A patch with only the fields that are set: repositories treat a present key as "set this". */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Both engines hand timestamps back differently (epoch ms vs Date); rows are read through these. */
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
    err.errcode === 2067 ||
    err.errcode === 1555 ||
    /UNIQUE constraint failed/.test(err.message ?? '')
  );
}
