import assert from "node:assert/strict";
import sqlite from "./sqlite.ts";
import fs from "./fs.ts";
import { opts, testConnection } from "./shared/testing.ts";
import type { Connector } from "./types.ts";

const exec = (c: Connector, conn: ReturnType<typeof testConnection>, op: string, input: unknown) =>
  c.execute(conn, op, c.operations[op].input.parse(input), opts()) as Promise<Record<string, unknown>>;

Deno.test("sqlite runs parameterized queries, statements and an atomic transaction on a file", async () => {
  const dir = await Deno.makeTempDir();
  const conn = testConnection(
    "sqlite",
    sqlite.settingsSchema.parse({ path: `${dir}/app.db` }) as Record<string, unknown>,
  );
  try {
    assert.equal((await sqlite.test(conn, opts())).ok, true);
    await exec(sqlite, conn, "execute", {
      sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, active INTEGER)",
    });
    const ins = await exec(sqlite, conn, "execute", {
      sql: "INSERT INTO users (name, active) VALUES (?, ?)",
      params: ["ada", true],
    });
    assert.deepEqual(ins, { changes: 1, lastInsertRowid: 1 });
    await exec(sqlite, conn, "execute", {
      sql: "INSERT INTO users (name, active) VALUES (:name, :active)",
      params: { name: "bob", active: false },
    });
    const q = await exec(sqlite, conn, "query", {
      sql: "SELECT name, active FROM users WHERE active = ? ORDER BY id",
      params: [1],
    });
    assert.deepEqual(q.rows, [{ name: "ada", active: 1 }]);
    assert.deepEqual(q.columns, ["name", "active"]);
    // injection stays data
    const inj = await exec(sqlite, conn, "query", {
      sql: "SELECT count(*) AS n FROM users WHERE name = ?",
      params: ["x' OR '1'='1"],
    });
    assert.deepEqual(inj.rows, [{ n: 0 }]);
    const tx = await exec(sqlite, conn, "transaction", {
      statements: [
        { sql: "INSERT INTO users (name, active) VALUES (?, 1)", params: ["cy"] },
        { sql: "SELECT count(*) AS n FROM users" },
      ],
    });
    assert.deepEqual((tx.results as unknown[])[1], { rows: [{ n: 3 }], rowCount: 1, columns: ["n"] });
    await assert.rejects(
      exec(sqlite, conn, "transaction", {
        statements: [{ sql: "INSERT INTO users (name) VALUES ('dan')" }, {
          sql: "INSERT INTO nope VALUES (1)",
        }],
      }),
      /no such table: nope/,
    );
    const after = await exec(sqlite, conn, "query", { sql: "SELECT count(*) AS n FROM users" });
    assert.deepEqual(after.rows, [{ n: 3 }], "the failed transaction rolled back");
  } finally {
    await sqlite.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fs reads, writes, lists, stats and deletes inside its root only", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  await Deno.writeTextFile(`${outside}/secret.txt`, "top secret");
  await Deno.symlink(outside, `${root}/escape`);
  await Deno.symlink(`${outside}/secret.txt`, `${root}/link.txt`);
  const conn = testConnection("fs", fs.settingsSchema.parse({ root }) as Record<string, unknown>);
  try {
    assert.equal((await fs.test(conn, opts())).ok, true);
    await exec(fs, conn, "write", { path: "a/b/hello.txt", content: "hi" });
    await exec(fs, conn, "write", { path: "a/b/hello.txt", content: " there", append: true });
    assert.equal((await exec(fs, conn, "read", { path: "a/b/hello.txt" })).content, "hi there");
    assert.equal(
      (await exec(fs, conn, "read", { path: "/a/b/hello.txt", encoding: "base64" })).content,
      btoa("hi there"),
    );
    await exec(fs, conn, "write", { path: "bin.dat", contentBase64: btoa("\x00\x01\xff") });
    assert.equal((await exec(fs, conn, "stat", { path: "bin.dat" })).size, 3);
    const listed = await exec(fs, conn, "list", { recursive: true });
    const paths = (listed.items as { path: string }[]).map((i) => i.path);
    assert.ok(paths.includes("a/b/hello.txt") && paths.includes("bin.dat"), paths.join(","));
    await assert.rejects(
      exec(fs, conn, "read", { path: "../" + outside.split("/").pop() + "/secret.txt" }),
      /leaves the connection's root/,
    );
    await assert.rejects(
      exec(fs, conn, "read", { path: "a/../../etc/passwd" }),
      /leaves the connection's root/,
    );
    await assert.rejects(
      exec(fs, conn, "read", { path: "escape/secret.txt" }),
      /outside the root through a link/,
    );
    await assert.rejects(exec(fs, conn, "read", { path: "link.txt" }), /outside the root through a link/);
    await assert.rejects(
      exec(fs, conn, "write", { path: "escape/new.txt", content: "x" }),
      /outside the root/,
    );
    await assert.rejects(exec(fs, conn, "read", { path: "missing.txt" }), /file 'missing.txt' not found/);
    await exec(fs, conn, "delete", { path: "a", recursive: true });
    await assert.rejects(exec(fs, conn, "stat", { path: "a/b/hello.txt" }), /not found/);
    const ro = testConnection(
      "fs",
      fs.settingsSchema.parse({ root, readOnly: true }) as Record<string, unknown>,
    );
    await assert.rejects(exec(fs, ro, "write", { path: "x.txt", content: "x" }), /read-only/);
    assert.equal(await Deno.readTextFile(`${outside}/secret.txt`), "top secret");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
