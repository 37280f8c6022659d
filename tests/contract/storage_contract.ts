/**
 * The storage contract: every Db implementation (SQLite now, PostgreSQL later) must pass
 * these. `open()` returns a fresh, empty database each call; `reopen(db)` a second handle to
 * the same database (for concurrency checks).
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../helpers/assert.ts";
import type { Db } from "../../runtime/storage/db.ts";
import { migrate, MigrationError } from "../../runtime/storage/migrate.ts";
import { authMigrations, TokenService } from "../../runtime/auth.ts";

export interface DbFactory {
  name: string;
  open(): Promise<Db>;
  reopen(db: Db): Promise<Db>;
  /** Writes a backup and opens it, to check the copy is complete. */
  openBackup(path: string): Promise<Db>;
  cleanup(db: Db): Promise<void>;
}

export function runStorageContract(f: DbFactory) {
  const t = (name: string, fn: (db: Db) => Promise<void> | void) =>
    Deno.test(`[${f.name}] ${name}`, async () => {
      const db = await f.open();
      try {
        await fn(db);
      } finally {
        await f.cleanup(db);
      }
    });

  t("run/get/all round-trip values with ? placeholders", (db) => {
    db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, n INTEGER)");
    assertEquals(db.run("INSERT INTO kv (k, v, n) VALUES (?, ?, ?)", "a", "x", 1).changes, 1);
    db.run("INSERT INTO kv (k, v, n) VALUES (?, ?, ?)", "b", null, 2);
    assertEquals(db.get<{ v: string }>("SELECT v FROM kv WHERE k = ?", "a")?.v, "x");
    assertEquals(db.all<{ k: string }>("SELECT k FROM kv ORDER BY n").map((r) => r.k), ["a", "b"]);
    assertEquals(db.get("SELECT v FROM kv WHERE k = ?", "zz"), undefined);
  });

  t("transaction() commits on return and rolls back everything on throw", (db) => {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    db.transaction(() => db.run("INSERT INTO t (id) VALUES (?)", 1));
    assertThrows(() =>
      db.transaction(() => {
        db.run("INSERT INTO t (id) VALUES (?)", 2);
        db.run("INSERT INTO t (id) VALUES (?)", 3);
        throw new Error("invariant failed");
      })
    );
    assertEquals(db.all<{ id: number }>("SELECT id FROM t").map((r) => r.id), [1]);
  });

  t("nested transaction() joins the outer one (inner throw rolls back all)", (db) => {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    assertThrows(() =>
      db.transaction(() => {
        db.run("INSERT INTO t (id) VALUES (1)");
        db.transaction(() => db.run("INSERT INTO t (id) VALUES (2)"));
        throw new Error("outer fails");
      })
    );
    assertEquals(db.all("SELECT id FROM t").length, 0);
  });

  t("transaction() refuses async callbacks instead of committing half the work", (db) => {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    assertThrows(
      () =>
        db.transaction(() => {
          db.run("INSERT INTO t (id) VALUES (1)");
          return Promise.resolve();
        }),
      Error,
      "synchronous",
    );
    assertEquals(db.all("SELECT id FROM t").length, 0);
  });

  t("a second connection sees committed writes and can write after the first commits", async (db) => {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    const other = await f.reopen(db);
    try {
      db.transaction(() => db.run("INSERT INTO t (id) VALUES (1)"));
      assertEquals(other.all("SELECT id FROM t").length, 1);
      other.transaction(() => other.run("INSERT INTO t (id) VALUES (2)"));
      assertEquals(db.all("SELECT id FROM t").length, 2);
    } finally {
      other.close();
    }
  });

  t("migrate() applies in order once and records each version", async (db) => {
    const ms = [
      { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" },
      { version: 2, name: "b", sql: "ALTER TABLE a ADD COLUMN y TEXT" },
    ];
    assertEquals(await migrate(db, "svc", ms), [1, 2]);
    assertEquals(await migrate(db, "svc", ms), []);
    db.run("INSERT INTO a (x, y) VALUES (1, 'ok')");
    assertEquals(
      await migrate(db, "svc", [...ms, { version: 3, name: "c", sql: "CREATE TABLE c (z INTEGER)" }]),
      [3],
    );
  });

  t("migrate() refuses an applied migration whose SQL changed", async (db) => {
    await migrate(db, "svc", [{ version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" }]);
    await assertRejects(
      () => migrate(db, "svc", [{ version: 1, name: "a", sql: "CREATE TABLE a (x TEXT)" }]),
      MigrationError,
      "changed after it was applied",
    );
  });

  t("migrate() refuses a database newer than the build (no downgrade)", async (db) => {
    await migrate(db, "svc", [
      { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" },
      { version: 2, name: "b", sql: "CREATE TABLE b (x INTEGER)" },
    ]);
    await assertRejects(
      () => migrate(db, "svc", [{ version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" }]),
      MigrationError,
      "downgrade",
    );
  });

  t("a failing migration leaves nothing half-applied", async (db) => {
    await assertRejects(() =>
      migrate(db, "svc", [{ version: 1, name: "bad", sql: "CREATE TABLE ok1 (x INTEGER); CREATE TABLE ((" }])
    );
    assertEquals(db.get("SELECT name FROM sqlite_master WHERE name = 'ok1'"), undefined);
    assertEquals(
      await migrate(db, "svc", [{ version: 1, name: "good", sql: "CREATE TABLE ok1 (x INTEGER)" }]),
      [1],
    );
  });

  t("backup() writes a complete, consistent copy", async (db) => {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    db.transaction(() => {
      for (let i = 0; i < 100; i++) db.run("INSERT INTO t (id, v) VALUES (?, ?)", i, `v${i}`);
    });
    const path = await Deno.makeTempFile({ suffix: ".db" });
    await Deno.remove(path);
    db.backup(path);
    const copy = await f.openBackup(path);
    try {
      assertEquals(copy.get<{ n: number }>("SELECT COUNT(*) AS n FROM t")?.n, 100);
    } finally {
      copy.close();
      await Deno.remove(path);
    }
  });

  t("the token repository works over this storage", async (db) => {
    await migrate(db, "kernel", authMigrations);
    const tokens = new TokenService(db);
    const { token, info } = await tokens.create({ name: "x", role: "viewer", tenant: "t1" });
    assertEquals((await tokens.authenticate(`Bearer ${token}`)).tokenId, info.id);
    assertEquals(tokens.list({ tenant: "t1" }).length, 1);
    assertEquals(tokens.list({ tenant: "t2" }).length, 0);
    assert(tokens.revoke(info.id).revokedAt);
  });
}
