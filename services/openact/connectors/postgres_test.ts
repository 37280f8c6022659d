import { assert, assertEquals, assertGreater, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import pg from "./postgres.ts";
import {
  ConnectorCancelledError,
  ConnectorError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { opts, testConnection, uniqueName } from "./shared/testing.ts";
import { assertPoolPerRevision, withSqlTable } from "./shared/sql_testing.ts";
import type { ResolvedConnection } from "./types.ts";

const conn = (extra: Record<string, unknown> = {}) =>
  testConnection("postgres", { host: "127.0.0.1", port: 5432, database: "test", user: "postgres", ...extra });

const withTable = (fn: (table: string, c: ResolvedConnection) => Promise<void>) =>
  withSqlTable(pg, conn(), {
    prefix: "oa_pg",
    create: (t) => `create table ${t} (id int primary key, name text, doc jsonb)`,
  }, fn);

Deno.test("postgres test() does a live round trip and reports database and user", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  const c = conn();
  try {
    const r = await pg.test(c, opts());
    assertEquals(r.ok, true);
    assertEquals(r.database, "test");
    assertEquals(r.user, "postgres");
    assert(typeof r.serverVersion === "string");
  } finally {
    await pg.close();
  }
});

Deno.test("postgres query binds parameters as values, never as SQL", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await withTable(async (table, c) => {
    const evil = "x'); drop table " + table + "; --";
    await pg.execute(c, "execute", {
      sql: `insert into ${table} (id, name, doc) values ($1, $2, $3)`,
      params: [1, evil, { tags: ["a", "b"], n: 2 }],
    }, opts());
    const r = await pg.execute(c, "query", {
      sql: `select id, name, doc, doc->>'n' as n from ${table} where name = $1`,
      params: [evil],
    }, opts()) as { rows: Record<string, unknown>[]; rowCount: number; fields: { name: string }[] };
    assertEquals(r.rowCount, 1);
    assertEquals(r.rows[0], { id: 1, name: evil, doc: { tags: ["a", "b"], n: 2 }, n: "2" });
    assertEquals(r.fields.map((f) => f.name), ["id", "name", "doc", "n"]);
  });
});

Deno.test("postgres execute reports affected rows and RETURNING rows; query caps rows with maxRows", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await withTable(async (table, c) => {
    const ins = await pg.execute(c, "execute", {
      sql: `insert into ${table} (id, name) select g, 'n' || g from generate_series(1, $1::int) g`,
      params: [5],
    }, opts()) as { command: string; rowCount: number };
    assertEquals([ins.command, ins.rowCount], ["INSERT", 5]);
    const upd = await pg.execute(c, "execute", {
      sql: `update ${table} set name = $1 where id > $2 returning id`,
      params: ["big", 3],
    }, opts()) as { rowCount: number; rows: { id: number }[] };
    assertEquals(upd.rowCount, 2);
    assertEquals(upd.rows.map((r) => r.id).sort(), [4, 5]);
    const capped = await pg.execute(
      c,
      "query",
      { sql: `select id from ${table} order by id`, maxRows: 2 },
      opts(),
    );
    assertEquals(capped, {
      rows: [{ id: 1 }, { id: 2 }],
      rowCount: 5,
      fields: [{ name: "id", typeOid: 23 }],
      truncated: true,
    } as unknown);
  });
});

Deno.test("postgres transaction commits all statements together", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await withTable(async (table, c) => {
    const r = await pg.execute(c, "transaction", {
      statements: [
        { sql: `insert into ${table} (id, name) values ($1, $2)`, params: [1, "a"] },
        { sql: `insert into ${table} (id, name) values ($1, $2)`, params: [2, "b"] },
        { sql: `select count(*)::int as n from ${table}` },
      ],
      isolationLevel: "serializable",
    }, opts()) as { committed: boolean; results: { rowCount: number; rows: unknown[] }[] };
    assertEquals(r.committed, true);
    assertEquals(r.results[2].rows, [{ n: 2 }]);
  });
});

Deno.test("postgres transaction rolls back every statement when one fails, naming the SQLSTATE", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await withTable(async (table, c) => {
    const err = await assertRejects(() =>
      pg.execute(c, "transaction", {
        statements: [
          { sql: `insert into ${table} (id, name) values ($1, $2)`, params: [1, "a"] },
          { sql: `insert into ${table} (id, name) values ($1, $2)`, params: [1, "duplicate"] },
        ],
      }, opts()), ConnectorError);
    assertEquals(err.code, "23505");
    assertEquals(err.status, 502);
    const r = await pg.execute(c, "query", { sql: `select count(*)::int as n from ${table}` }, opts());
    assertEquals((r as { rows: unknown[] }).rows, [{ n: 0 }]);
  });
});

Deno.test("postgres timeout cancels the running statement on the server and fails promptly", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  const c = conn({ applicationName: uniqueName("oa_cancel") });
  try {
    const started = Date.now();
    await assertRejects(
      () => pg.execute(c, "query", { sql: "select pg_sleep(30)" }, opts(300)),
      ConnectorTimeoutError,
      "timed out after 300 ms",
    );
    assert(Date.now() - started < 5000, "timeout must not wait for the statement");
    // the server no longer runs it: the same pool answers and pg_stat_activity shows no sleeper
    const r = await pg.execute(c, "query", {
      sql:
        "select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'",
    }, opts()) as { rows: { n: number }[] };
    assertEquals(r.rows[0].n, 0);
  } finally {
    await pg.close();
  }
});

Deno.test("postgres caller abort cancels a transaction and rolls it back", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await withTable(async (table, c) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await assertRejects(() =>
      pg.execute(c, "transaction", {
        statements: [
          { sql: `insert into ${table} (id) values ($1)`, params: [1] },
          { sql: "select pg_sleep(30)" },
        ],
      }, opts(10_000, ac.signal)), ConnectorCancelledError);
    // the rollback happens when the cancelled statement errors; give it a moment
    let n = -1;
    for (let i = 0; i < 50 && n !== 0; i++) {
      const r = await pg.execute(c, "query", { sql: `select count(*)::int as n from ${table}` }, opts());
      n = (r as { rows: { n: number }[] }).rows[0].n;
      if (n !== 0) await new Promise((res) => setTimeout(res, 50));
    }
    assertEquals(n, 0);
  });
});

Deno.test("postgres already-aborted signal fails before any work", async () => {
  const ac = new AbortController();
  ac.abort();
  await assertRejects(
    () => pg.execute(conn(), "query", { sql: "select 1" }, opts(1000, ac.signal)),
    ConnectorCancelledError,
  );
  await pg.close();
});

Deno.test("postgres pools one client per connection revision and close() drops it", async () => {
  if (!await requireService("PostgreSQL", 5432)) return;
  await assertPoolPerRevision(pg, conn({ maxConnections: 1 }), "select pg_backend_pid() as id");
});

Deno.test("postgres bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const missing = await assertRejects(() => pg.execute(c, "query", { params: [] }, opts()), ValidationError);
  assertEquals(missing.errors[0].path, "/input/sql");
  const extra = await assertRejects(
    () => pg.execute(c, "query", { sql: "select 1", bogus: 1 }, opts()),
    ValidationError,
  );
  assertEquals(extra.errors[0].path, "/input/bogus");
  const tx = await assertRejects(
    () => pg.execute(c, "transaction", { statements: [{ sql: "" }] }, opts()),
    ValidationError,
  );
  assertEquals(tx.errors[0].path, "/input/statements/0/sql");
  const badSettings = await assertRejects(
    () =>
      pg.execute(
        testConnection("postgres", { database: "test", port: "x" }),
        "query",
        { sql: "select 1" },
        opts(),
      ),
    ValidationError,
  );
  assertEquals(badSettings.errors[0].path, "/settings/port");
  await assertRejects(() => pg.execute(c, "drop", {}, opts()), Error, "unknown operation 'drop'");
  await pg.close();
});

Deno.test("postgres unreachable server is a 503 ConnectorUnavailableError without the password", async () => {
  const c = testConnection("postgres", {
    host: "127.0.0.1",
    port: 1,
    database: "test",
    connectTimeoutSeconds: 2,
  }, {
    credential: "s3cret-pass",
  });
  const err = await assertRejects(() => pg.test(c, opts(5000)), ConnectorUnavailableError);
  assertEquals(err.status, 503);
  assert(!err.message.includes("s3cret-pass"));
  await pg.close();
});

Deno.test("postgres operation inputs and settings export as JSON Schema", () => {
  for (const [name, op] of Object.entries(pg.operations)) {
    const schema = z.toJSONSchema(op.input) as { type: string };
    assertEquals(schema.type, "object", name);
  }
  const settings = z.toJSONSchema(pg.settingsSchema) as { properties: Record<string, unknown> };
  assertGreater(Object.keys(settings.properties).length, 3);
});
