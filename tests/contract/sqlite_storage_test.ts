import { assertEquals } from "../helpers/assert.ts";
import { openSqlite } from "../../runtime/storage/mod.ts";
import type { Db } from "../../runtime/storage/db.ts";
import { runStorageContract } from "./storage_contract.ts";

runStorageContract({
  name: "sqlite",
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "aionix-contract-" });
    return openSqlite(`${dir}/aionix.db`);
  },
  reopen: (db) => Promise.resolve(openSqlite(db.path)),
  openBackup: (path) => Promise.resolve(openSqlite(path)),
  async cleanup(db: Db) {
    db.close();
    await Deno.remove(db.path.replace(/\/aionix\.db$/, ""), { recursive: true });
  },
});

Deno.test("[sqlite] opens in WAL mode with busy_timeout and the configured synchronous level", async () => {
  const dir = await Deno.makeTempDir();
  const normal = openSqlite(`${dir}/a.db`, { busyTimeoutMs: 1234 });
  const full = openSqlite(`${dir}/b.db`, { synchronous: "FULL" });
  try {
    assertEquals(normal.get<{ journal_mode: string }>("PRAGMA journal_mode")?.journal_mode, "wal");
    assertEquals(normal.get<{ timeout: number }>("PRAGMA busy_timeout")?.timeout, 1234);
    assertEquals(normal.get<{ synchronous: number }>("PRAGMA synchronous")?.synchronous, 1); // NORMAL
    assertEquals(full.get<{ synchronous: number }>("PRAGMA synchronous")?.synchronous, 2); // FULL
  } finally {
    normal.close();
    full.close();
    await Deno.remove(dir, { recursive: true });
  }
});
