/** The SQLite implementation of Db on node:sqlite: WAL, busy_timeout first, BEGIN IMMEDIATE writes. */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Db, Row, SqlValue } from "./db.ts";

export interface SqliteOptions {
  synchronous?: "NORMAL" | "FULL";
  busyTimeoutMs?: number;
}

export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  const db = new DatabaseSync(path);
  // busy_timeout goes first so every later pragma already waits on a locked file.
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${options.synchronous === "FULL" ? "FULL" : "NORMAL"}`);
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA temp_store = MEMORY");
  return new SqliteDb(db, path);
}

class SqliteDb implements Db {
  #statements = new Map<string, StatementSync>();
  #depth = 0;
  constructor(readonly raw: DatabaseSync, readonly path: string) {}

  #prepare(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      if (this.#statements.size > 500) this.#statements.clear();
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, ...params: SqlValue[]) {
    const r = this.#prepare(sql).run(...params);
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }
  get<T = Row>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.#prepare(sql).get(...params) as T | undefined;
  }
  all<T = Row>(sql: string, ...params: SqlValue[]): T[] {
    return this.#prepare(sql).all(...params) as T[];
  }
  exec(sql: string) {
    this.raw.exec(sql);
  }
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return fn();
      } finally {
        this.#depth--;
      }
    }
    this.raw.exec("BEGIN IMMEDIATE");
    this.#depth = 1;
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error("transaction callbacks must be synchronous");
      this.raw.exec("COMMIT");
      return result;
    } catch (err) {
      if (this.raw.isTransaction) this.raw.exec("ROLLBACK");
      throw err;
    } finally {
      this.#depth = 0;
    }
  }
  backup(path: string) {
    this.#prepare("VACUUM INTO ?").run(path);
  }
  close() {
    this.#statements.clear();
    if (this.raw.isOpen) this.raw.close();
  }
}
