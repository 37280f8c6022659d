/**
 * MySQL / MariaDB connector (npm `mysql2/promise`). Statements with parameters run as server-side
 * prepared statements (values are bound, never interpolated); statements without parameters use
 * the text protocol so every statement type works. Transactions are all-or-nothing. On timeout or
 * cancellation the running statement is stopped with `KILL QUERY <thread id>` from a separate
 * connection and the session is discarded rather than returned to the pool.
 * Tested against the real MariaDB on 127.0.0.1:3306 (mysql_test.ts).
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { operationInput, parseSettings, userPass } from "./shared/validate.ts";
import { toJsonValue } from "./shared/json.ts";
import { sqlOperations } from "./shared/sql.ts";
import type { ConnectionOptions, Pool, PoolConnection } from "mysql2/promise";

const KIND = "mysql";

export const settingsSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1").describe("server host name or IP"),
  port: z.int().min(1).max(65535).default(3306),
  database: z.string().min(1).describe("database (schema) name"),
  user: z.string().min(1).default("root").describe("user to log in as; the password is the credential"),
  tls: z.enum(["disable", "require", "verify-full"]).default("disable"),
  maxConnections: z.int().min(1).max(100).default(5),
  connectTimeoutSeconds: z.int().min(1).max(300).default(10),
  charset: z.string().regex(/^[A-Za-z0-9_]+$/).default("UTF8MB4_UNICODE_CI"),
});
type Settings = z.output<typeof settingsSchema>;

const params = z.union([z.array(z.unknown()).max(65_535), z.record(z.string(), z.unknown())]).default([])
  .describe("values for ? placeholders (array) or :name placeholders (object); objects/arrays bind as JSON");
const { queryInput, transactionInput, operations: ops } = sqlOperations({
  params,
  sqlDescription: "one SQL statement with ? (or :name) placeholders",
  isolationLevels: ["read uncommitted", "read committed", "repeatable read", "serializable"],
  executeDescription: "Run a parameterized statement and return affected rows / insert id",
});
export const operations = ops;

interface Client {
  pool: Pool;
  config: ConnectionOptions;
}

const pools = new PoolCache<Client>((c) => c.pool.end());

function driverConfig(connection: ResolvedConnection, s: Settings): ConnectionOptions {
  const cred = userPass(connection.credential);
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: cred.username ?? s.user,
    password: cred.password ?? cred.token,
    ssl: s.tls === "disable" ? undefined : { rejectUnauthorized: s.tls === "verify-full" },
    connectTimeout: s.connectTimeoutSeconds * 1000,
    charset: s.charset,
    supportBigNumbers: true,
    dateStrings: true,
    maxPreparedStatements: 256,
  };
}

function client(connection: ResolvedConnection): Promise<Client> {
  return pools.get(connection, async () => {
    const s = parseSettings(settingsSchema, connection);
    const mysql = await import("mysql2/promise");
    const config = driverConfig(connection, s);
    const pool = mysql.createPool({
      ...config,
      connectionLimit: s.maxConnections,
      waitForConnections: true,
      enableKeepAlive: true,
    });
    return { pool, config };
  });
}

/** Stops a running statement from a separate session; the thread id comes from the driver. */
async function killQuery(c: Client, threadId: number): Promise<void> {
  const mysql = await import("mysql2/promise");
  const killer = await mysql.createConnection({ ...c.config, connectTimeout: 5000 });
  try {
    await killer.query("KILL QUERY ?", [threadId]);
  } finally {
    killer.destroy();
  }
}

type Params = z.output<typeof params>;

const bindValue = (v: unknown) =>
  v !== null && typeof v === "object" && !(v instanceof Uint8Array) && !(v instanceof Date)
    ? JSON.stringify(v)
    : v;

async function runStatement(conn: PoolConnection, sql: string, values: Params) {
  const named = !Array.isArray(values);
  const bound = named
    ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, bindValue(v)]))
    : values.map(bindValue);
  const empty = named ? Object.keys(bound).length === 0 : (bound as unknown[]).length === 0;
  const opts = { sql, namedPlaceholders: named };
  // no values: the text protocol runs any statement (some cannot be prepared)
  const [result, fields] = empty ? await conn.query(opts) : await conn.execute(opts, bound as never);
  return shape(result, fields as { name: string; type?: number; columnType?: number }[] | undefined);
}

interface Header {
  affectedRows: number;
  insertId: number;
  changedRows?: number;
  warningStatus?: number;
}

function shape(result: unknown, fields?: { name: string; type?: number; columnType?: number }[]) {
  if (Array.isArray(result)) {
    return {
      rows: result as Record<string, unknown>[],
      fields: (fields ?? []).map((f) => ({ name: f.name, type: f.columnType ?? f.type })),
    };
  }
  const h = result as Header;
  return {
    header: {
      affectedRows: h.affectedRows,
      insertId: toJsonValue(h.insertId),
      ...(h.changedRows !== undefined ? { changedRows: h.changedRows } : {}),
      warnings: h.warningStatus ?? 0,
    },
  };
}

function asResult(r: Awaited<ReturnType<typeof shape>>, maxRows = Infinity) {
  if ("header" in r && r.header) return r.header;
  const rows = r.rows ?? [];
  return {
    rows: toJsonValue(rows.length > maxRows ? rows.slice(0, maxRows) : rows) as unknown[],
    rowCount: rows.length,
    fields: r.fields ?? [],
    ...(rows.length > maxRows ? { truncated: true } : {}),
  };
}

const ISOLATION: Record<string, string> = {
  "read uncommitted": "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
  "read committed": "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
  "repeatable read": "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
  "serializable": "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
};

async function withSession<T>(
  connection: ResolvedConnection,
  options: ExecuteOptions,
  what: string,
  work: (conn: PoolConnection, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const c = await client(connection);
  let conn: PoolConnection | undefined;
  let kill: Promise<void> | undefined;
  return await withDeadline(options, async (signal) => {
    const acquired = await c.pool.getConnection();
    conn = acquired;
    try {
      if (signal.aborted) throw signal.reason;
      return await work(acquired, signal);
    } finally {
      if (signal.aborted) {
        // wait for the KILL so it cannot hit the next user of this thread, then discard it
        await kill?.catch(() => {});
        acquired.destroy();
      } else {
        acquired.release();
      }
    }
  }, {
    kind: KIND,
    what,
    credential: connection.credential,
    onAbort: () => {
      if (conn) kill = killQuery(c, conn.threadId);
    },
  });
}

function run(connection: ResolvedConnection, operation: string, input: unknown, options: ExecuteOptions) {
  const valid = operationInput(KIND, operations, operation, input);
  if (operation === "query" || operation === "execute") {
    const i = valid as z.output<typeof queryInput>;
    return withSession(connection, options, operation, async (conn) => {
      const r = asResult(await runStatement(conn, i.sql, i.params), i.maxRows);
      return r;
    });
  }
  const t = valid as z.output<typeof transactionInput>;
  return withSession(connection, options, operation, async (conn, signal) => {
    if (t.isolationLevel) await conn.query(ISOLATION[t.isolationLevel]);
    await conn.query(t.readOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION");
    try {
      const results = [];
      for (const st of t.statements) {
        if (signal.aborted) throw signal.reason;
        results.push(asResult(await runStatement(conn, st.sql, st.params)));
      }
      await conn.query("COMMIT");
      return { committed: true, results };
    } catch (err) {
      await conn.query("ROLLBACK").catch(() => {});
      throw err;
    }
  });
}

const connector: Connector = {
  kind: KIND,
  description: "MySQL / MariaDB: parameterized queries, statements and transactions",
  settingsSchema,
  operations,
  async test(connection, options) {
    const started = Date.now();
    const row = await withSession(connection, options, "connection test", async (conn) => {
      const [rows] = await conn.query(
        "SELECT VERSION() AS version, DATABASE() AS db, CURRENT_USER() AS user",
      );
      return (rows as Record<string, string>[])[0];
    });
    return {
      ok: true,
      database: row.db,
      user: row.user,
      serverVersion: row.version,
      latencyMs: Date.now() - started,
    };
  },
  execute: run,
  close: (trn) => pools.close(trn),
};

export default connector;
