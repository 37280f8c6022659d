/**
 * sqlite: parameterized query, execute and transactions on a database file (node:sqlite).
 * One open handle per connection revision. node:sqlite runs statements synchronously, so a
 * running statement cannot be interrupted; the signal is checked before each statement.
 */
import { z } from "zod";
import { DatabaseSync } from "node:sqlite";
import { isAbsolute } from "node:path";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { GatewayTimeoutError } from "../../../runtime/errors.ts";

const KIND = "sqlite";

const Settings = z.strictObject({
  path: z.string().min(1).refine(isAbsolute, "must be an absolute file path").describe("Database file"),
  readOnly: z.boolean().default(false),
  create: z.boolean().default(true).describe("Create the file when it does not exist"),
  busyTimeoutMs: z.number().int().min(0).max(60_000).default(5000),
});
type Settings = z.infer<typeof Settings>;

type Param = string | number | boolean | null;
const Params = z.union([
  z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
]).default([]);
const Statement = z.strictObject({ sql: z.string().min(1), params: Params });
const Transaction = z.strictObject({ statements: z.array(Statement).min(1).max(1000) });

const handles = new Map<string, { revision: string; db: DatabaseSync }>();

function open(connection: ResolvedConnection): DatabaseSync {
  const hit = handles.get(connection.trn);
  if (hit && hit.revision === connection.revision) return hit.db;
  hit?.db.close();
  const s = connection.settings as Settings;
  let db: DatabaseSync;
  try {
    if (!s.create) Deno.statSync(s.path);
    db = new DatabaseSync(s.path, { readOnly: s.readOnly });
    db.exec(`PRAGMA busy_timeout = ${s.busyTimeoutMs}`);
  } catch (err) {
    throw new ConnectorError(KIND, `cannot open ${s.path}: ${(err as Error).message}`, "OpenFailed");
  }
  handles.set(connection.trn, { revision: connection.revision, db });
  return db;
}

const bind = (params: Param[] | Record<string, Param>) => {
  const conv = (v: Param) => (typeof v === "boolean" ? (v ? 1 : 0) : v);
  if (Array.isArray(params)) return { positional: params.map(conv), named: undefined };
  return {
    positional: [],
    named: Object.fromEntries(Object.entries(params).map(([k, v]) => [k.replace(/^[:@$]/, ""), conv(v)])),
  };
};

const jsonSafe = (raw: Record<string, unknown>) => {
  const row = { ...raw };
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "bigint") row[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    else if (v instanceof Uint8Array) row[k] = { base64: btoa(String.fromCharCode(...v)) };
  }
  return row;
};

function run(db: DatabaseSync, stmt: z.infer<typeof Statement>, mode: "query" | "execute" | "auto") {
  const { positional, named } = bind(stmt.params as Param[] | Record<string, Param>);
  let prepared;
  try {
    prepared = db.prepare(stmt.sql);
  } catch (err) {
    throw new ConnectorError(KIND, (err as Error).message, "SqlError");
  }
  const args = named ? [named, ...positional] : positional;
  try {
    const returnsRows = mode === "query" || (mode === "auto" && prepared.columns().length > 0);
    if (returnsRows) {
      const rows = (prepared.all as (...a: unknown[]) => Record<string, unknown>[])(...args).map(jsonSafe);
      return { rows, rowCount: rows.length, columns: prepared.columns().map((c) => c.name) };
    }
    const r =
      (prepared.run as (...a: unknown[]) => { changes: number | bigint; lastInsertRowid: number | bigint })(
        ...args,
      );
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  } catch (err) {
    throw new ConnectorError(KIND, (err as Error).message, "SqlError");
  }
}

function checkSignal(options: ExecuteOptions) {
  if (options.signal.aborted) throw new GatewayTimeoutError(`${KIND}: cancelled before the statement ran`);
}

const connector: Connector = {
  kind: KIND,
  description: "SQLite database file: parameterized queries, statements and transactions",
  settingsSchema: Settings,
  operations: {
    query: { description: "Run a SELECT and return {rows, rowCount, columns}", input: Statement },
    execute: {
      description: "Run INSERT/UPDATE/DELETE/DDL and return {changes, lastInsertRowid}",
      input: Statement,
    },
    transaction: { description: "Run statements atomically (BEGIN IMMEDIATE … COMMIT)", input: Transaction },
  },
  test(connection, options) {
    checkSignal(options);
    const db = open(connection);
    const row = db.prepare("SELECT sqlite_version() AS version").get() as { version: string };
    return Promise.resolve({ ok: true, version: row.version });
  },
  execute(connection, operation, input, options) {
    checkSignal(options);
    const db = open(connection);
    if (operation === "query") return Promise.resolve(run(db, input as z.infer<typeof Statement>, "query"));
    if (operation === "execute") {
      return Promise.resolve(run(db, input as z.infer<typeof Statement>, "execute"));
    }
    const { statements } = input as z.infer<typeof Transaction>;
    db.exec("BEGIN IMMEDIATE");
    try {
      const results = statements.map((s) => {
        checkSignal(options);
        return run(db, s, "auto");
      });
      db.exec("COMMIT");
      return Promise.resolve({ results });
    } catch (err) {
      db.exec("ROLLBACK");
      return Promise.reject(err);
    }
  },
  close(trn) {
    for (const [key, { db }] of handles) {
      if (trn === undefined || key === trn) {
        db.close();
        handles.delete(key);
      }
    }
    return Promise.resolve();
  },
};

export default connector;
