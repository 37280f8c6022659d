/**
 * PostgreSQL connector (npm `postgres`). Parameterized queries ($1, $2 … bound by the server,
 * never interpolated), statement execution, and all-or-nothing transactions of statements.
 * One pool per connection revision; timeouts and cancellation send a PostgreSQL CancelRequest
 * for the running statement, which also rolls back an open transaction.
 * Tested against the real PostgreSQL on 127.0.0.1:5432 (postgres_test.ts).
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { operationInput, parseSettings, userPass } from "./shared/validate.ts";
import { toJsonValue } from "./shared/json.ts";
import { sqlOperations } from "./shared/sql.ts";
import type { Sql } from "postgres";

const KIND = "postgres";

export const settingsSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1").describe("server host name or IP"),
  port: z.int().min(1).max(65535).default(5432),
  database: z.string().min(1).describe("database name"),
  user: z.string().min(1).default("postgres").describe("role to log in as; the password is the credential"),
  tls: z.enum(["disable", "prefer", "require", "verify-full"]).default("disable"),
  maxConnections: z.int().min(1).max(100).default(5),
  idleTimeoutSeconds: z.int().min(0).max(86_400).default(30),
  connectTimeoutSeconds: z.int().min(1).max(300).default(10),
  applicationName: z.string().max(63).default("aionix-openact"),
});

const params = z.array(z.unknown()).max(65_535).default([])
  .describe("values bound to $1, $2, …; objects are sent as jsonb");
const { queryInput, transactionInput, operations: ops } = sqlOperations({
  params,
  sqlDescription: "one SQL statement with $1, $2 … placeholders",
  isolationLevels: ["read committed", "repeatable read", "serializable"],
  executeDescription: "Run a parameterized statement and return the affected row count",
});
export const operations = ops;

const pools = new PoolCache<Sql>((sql) => sql.end({ timeout: 2 }));

function pool(connection: ResolvedConnection): Promise<Sql> {
  return pools.get(connection, async () => {
    const s = parseSettings(settingsSchema, connection);
    const cred = userPass(connection.credential);
    const { default: postgres } = await import("postgres");
    return postgres({
      host: s.host,
      port: s.port,
      database: s.database,
      username: cred.username ?? s.user,
      password: cred.password ?? cred.token,
      ssl: s.tls === "disable" ? false : s.tls,
      max: s.maxConnections,
      idle_timeout: s.idleTimeoutSeconds || undefined,
      connect_timeout: s.connectTimeoutSeconds,
      // user SQL is arbitrary: unnamed statements keep per-connection caches from growing
      prepare: false,
      onnotice: () => {},
      connection: { application_name: s.applicationName },
    });
  });
}

const isPlainObject = (v: unknown) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) &&
  !(v instanceof Date);

/** Objects (and arrays of objects) bind as jsonb; scalars and scalar arrays as the server infers. */
function bindable(sql: Sql, values: unknown[]): never[] {
  return values.map((v) =>
    isPlainObject(v) || (Array.isArray(v) && v.some(isPlainObject)) ? sql.json(v as never) : v
  ) as never[];
}

interface PgResult extends Array<Record<string, unknown>> {
  count: number;
  command: string;
  columns?: { name: string; type: number }[];
}

function shape(result: PgResult, maxRows = Infinity) {
  const rows = result.length > maxRows ? result.slice(0, maxRows) : [...result];
  return {
    command: result.command,
    rowCount: result.count ?? result.length,
    rows: toJsonValue(rows) as Record<string, unknown>[],
    fields: (result.columns ?? []).map((c) => ({ name: c.name, typeOid: c.type })),
    ...(result.length > maxRows ? { truncated: true } : {}),
  };
}

type Pending = { cancel(): void } | undefined;

async function run(
  connection: ResolvedConnection,
  operation: string,
  input: unknown,
  options: ExecuteOptions,
) {
  const valid = operationInput(KIND, operations, operation, input);
  const sql = await pool(connection);
  let current: Pending;
  return await withDeadline(options, async (signal) => {
    if (operation === "query" || operation === "execute") {
      const i = valid as z.output<typeof queryInput>;
      const q = sql.unsafe(i.sql, bindable(sql, i.params));
      current = q;
      const result = shape(await q as unknown as PgResult, i.maxRows);
      if (operation === "query") {
        const { command: _command, ...rest } = result;
        return rest;
      }
      return { command: result.command, rowCount: result.rowCount, rows: result.rows };
    }
    const t = valid as z.output<typeof transactionInput>;
    const mode = [
      t.isolationLevel ? `isolation level ${t.isolationLevel}` : "",
      t.readOnly ? "read only" : "",
    ]
      .filter(Boolean).join(" ");
    const results = await sql.begin(mode, async (tx) => {
      const out = [];
      for (const st of t.statements) {
        // the pool may hand out the connection after the deadline: never start work then
        if (signal.aborted) throw signal.reason;
        const q = tx.unsafe(st.sql, bindable(sql, st.params));
        current = q;
        const r = shape(await q as unknown as PgResult);
        out.push({ command: r.command, rowCount: r.rowCount, rows: r.rows });
      }
      return out;
    });
    return { committed: true, results };
  }, { kind: KIND, what: operation, onAbort: () => current?.cancel(), credential: connection.credential });
}

const connector: Connector = {
  kind: KIND,
  description: "PostgreSQL: parameterized queries, statements and transactions",
  settingsSchema,
  operations,
  async test(connection, options) {
    const sql = await pool(connection);
    const started = Date.now();
    let q: Pending;
    const rows = await withDeadline(options, async () => {
      const pending = sql.unsafe(
        "select current_database() as database, current_user as user, current_setting('server_version') as version",
      );
      q = pending;
      return await pending;
    }, {
      kind: KIND,
      what: "connection test",
      onAbort: () => q?.cancel(),
      credential: connection.credential,
    });
    const row = rows[0] as Record<string, string>;
    return {
      ok: true,
      database: row.database,
      user: row.user,
      serverVersion: row.version,
      latencyMs: Date.now() - started,
    };
  },
  execute: run,
  close: (trn) => pools.close(trn),
};

export default connector;
