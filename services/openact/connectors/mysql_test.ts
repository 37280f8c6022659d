import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import my from "./mysql.ts";
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
  testConnection("mysql", { host: "127.0.0.1", port: 3306, database: "test", user: "root", ...extra });

type Rows<T = Record<string, unknown>> = { rows: T[]; rowCount: number };

const withTable = (fn: (table: string, c: ResolvedConnection) => Promise<void>) =>
  withSqlTable(my, conn(), {
    prefix: "oa_my",
    create: (t) => `create table ${t} (id int primary key, name varchar(200), doc json) engine=InnoDB`,
  }, fn);

Deno.test("mysql test() does a live round trip against MariaDB", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  try {
    const r = await my.test(conn(), opts());
    assertEquals(r.ok, true);
    assertEquals(r.database, "test");
    assert(String(r.serverVersion).length > 0);
  } finally {
    await my.close();
  }
});

Deno.test("mysql binds ? and :name parameters as values, never as SQL", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await withTable(async (table, c) => {
    const evil = "x'); drop table " + table + "; --";
    const ins = await my.execute(c, "execute", {
      sql: `insert into ${table} (id, name, doc) values (?, ?, ?)`,
      params: [1, evil, { tags: ["a"], n: 2 }],
    }, opts());
    assertEquals((ins as { affectedRows: number }).affectedRows, 1);
    const r = await my.execute(c, "query", {
      sql: `select id, name, json_value(doc, '$.n') as n from ${table} where name = :name and id = :id`,
      params: { name: evil, id: 1 },
    }, opts()) as Rows;
    assertEquals(r.rows, [{ id: 1, name: evil, n: "2" }]);
  });
});

Deno.test("mysql execute reports affected rows; query caps rows with maxRows", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await withTable(async (table, c) => {
    for (let i = 1; i <= 4; i++) {
      await my.execute(c, "execute", {
        sql: `insert into ${table} (id, name) values (?, ?)`,
        params: [i, `n${i}`],
      }, opts());
    }
    const upd = await my.execute(c, "execute", {
      sql: `update ${table} set name = ? where id > ?`,
      params: ["big", 2],
    }, opts()) as { affectedRows: number };
    assertEquals(upd.affectedRows, 2);
    const capped = await my.execute(
      c,
      "query",
      { sql: `select id from ${table} order by id`, maxRows: 3 },
      opts(),
    ) as
      & Rows
      & { truncated?: boolean };
    assertEquals(capped.rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assertEquals([capped.rowCount, capped.truncated], [4, true]);
  });
});

Deno.test("mysql transaction commits all statements together", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await withTable(async (table, c) => {
    const r = await my.execute(c, "transaction", {
      statements: [
        { sql: `insert into ${table} (id, name) values (?, ?)`, params: [1, "a"] },
        { sql: `insert into ${table} (id, name) values (?, ?)`, params: [2, "b"] },
        { sql: `select count(*) as n from ${table}` },
      ],
      isolationLevel: "serializable",
    }, opts()) as { committed: boolean; results: Rows[] };
    assertEquals(r.committed, true);
    assertEquals(r.results[2].rows, [{ n: 2 }]);
  });
});

Deno.test("mysql transaction rolls back every statement when one fails, naming the error code", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await withTable(async (table, c) => {
    const err = await assertRejects(() =>
      my.execute(c, "transaction", {
        statements: [
          { sql: `insert into ${table} (id, name) values (?, ?)`, params: [1, "a"] },
          { sql: `insert into ${table} (id, name) values (?, ?)`, params: [1, "dup"] },
        ],
      }, opts()), ConnectorError);
    assertEquals(err.code, "ER_DUP_ENTRY");
    const r = await my.execute(c, "query", { sql: `select count(*) as n from ${table}` }, opts()) as Rows;
    assertEquals(r.rows, [{ n: 0 }]);
  });
});

async function sleepers(c: ReturnType<typeof conn>, marker: string): Promise<number> {
  const r = await my.execute(c, "query", {
    sql:
      "select count(*) as n from information_schema.processlist where info like ? and info not like '%processlist%'",
    params: [`%${marker}%`],
  }, opts()) as Rows<{ n: number }>;
  return r.rows[0].n;
}

Deno.test("mysql timeout kills the running statement on the server and fails promptly", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  const c = conn();
  const marker = uniqueName("oa_sleep");
  try {
    const started = Date.now();
    await assertRejects(
      () => my.execute(c, "query", { sql: `select sleep(30) as ${marker}` }, opts(300)),
      ConnectorTimeoutError,
      "timed out after 300 ms",
    );
    assert(Date.now() - started < 5000);
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      left = await sleepers(c, marker);
      if (left) await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(left, 0);
  } finally {
    await my.close();
  }
});

Deno.test("mysql caller abort cancels a transaction and rolls it back", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await withTable(async (table, c) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await assertRejects(() =>
      my.execute(c, "transaction", {
        statements: [
          { sql: `insert into ${table} (id) values (?)`, params: [1] },
          { sql: "select sleep(30)" },
        ],
      }, opts(10_000, ac.signal)), ConnectorCancelledError);
    let n = -1;
    for (let i = 0; i < 50 && n !== 0; i++) {
      n = (await my.execute(c, "query", { sql: `select count(*) as n from ${table}` }, opts()) as Rows<
        { n: number }
      >)
        .rows[0].n;
      if (n) await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(n, 0);
  });
});

Deno.test("mysql pools one client per connection revision and close() drops it", async () => {
  if (!await requireService("MariaDB", 3306)) return;
  await assertPoolPerRevision(my, conn({ maxConnections: 1 }), "select connection_id() as id");
});

Deno.test("mysql bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const missing = await assertRejects(() => my.execute(c, "query", {}, opts()), ValidationError);
  assertEquals(missing.errors[0].path, "/input/sql");
  const badParams = await assertRejects(
    () => my.execute(c, "execute", { sql: "select 1", params: "x" }, opts()),
    ValidationError,
  );
  assertEquals(badParams.errors[0].path, "/input/params");
  const tx = await assertRejects(
    () => my.execute(c, "transaction", { statements: [], isolationLevel: "chaos" }, opts()),
    ValidationError,
  );
  assertEquals(tx.errors.map((e) => e.path).sort(), ["/input/isolationLevel", "/input/statements"]);
  const s = await assertRejects(
    () => my.execute(testConnection("mysql", { port: 3306 }), "query", { sql: "select 1" }, opts()),
    ValidationError,
  );
  assertEquals(s.errors[0].path, "/settings/database");
  await my.close();
});

Deno.test("mysql unreachable server is a 503 without the password", async () => {
  const c = testConnection("mysql", { port: 1, database: "test" }, { credential: "s3cret-pass" });
  const err = await assertRejects(() => my.test(c, opts()), ConnectorUnavailableError);
  assert(!err.message.includes("s3cret-pass"));
  await my.close();
});

Deno.test("mysql operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(my.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
