/**
 * The storage kernel's narrow SQL interface. SQL written against it stays portable
 * (`?` placeholders, no SQLite-only syntax in repositories) so a PostgreSQL backend can
 * implement the same interface and run the same contract tests.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Db {
  /** Runs a statement that returns no rows. */
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get<T = Row>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T = Row>(sql: string, ...params: SqlValue[]): T[];
  /** Executes a script of several statements (migrations). */
  exec(sql: string): void;
  /**
   * Runs fn inside a write transaction (`BEGIN IMMEDIATE` on SQLite). Nested calls join the
   * outer transaction. fn must be synchronous: nothing else may interleave with it.
   */
  transaction<T>(fn: () => T): T;
  /** Copies the database into a new file, consistently, while it is in use. */
  backup(path: string): void;
  close(): void;
  readonly path: string;
}
