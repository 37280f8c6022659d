/** The master key: created 0600, checked at start (wrong/missing key → refuse, change nothing), rotated online. */
import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

async function reveal(
  s: { json: (m: string, p: string, b?: unknown) => Promise<{ status: number; body: unknown }> },
) {
  const r = await s.json("POST", "/api/v1/secrets/db/reveal");
  return (r.body as { value?: string }).value;
}

Deno.test("a key file is created 0600; a wrong or missing key stops the start and changes nothing", async () => {
  let s = await startServer();
  const dataDir = s.dataDir;
  const keyFile = `${dataDir}/master.key`;
  try {
    assertEquals((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    assertEquals((await s.json("POST", "/api/v1/secrets", { name: "db", value: "pw-1" })).status, 201);
  } finally {
    await s.stop();
  }
  const keyBefore = await Deno.readTextFile(keyFile);
  const migrations = async () => {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dataDir}/aionix.db`);
    try {
      return JSON.stringify(
        db.prepare("SELECT owner, version, checksum FROM schema_migrations ORDER BY owner, version").all(),
      );
    } finally {
      db.close();
    }
  };
  const before = await migrations();

  const wrong = await assertRejects(() => startServer({ dataDir, env: { AIONIX_MASTER_KEY: randomKey() } }));
  assertStringIncludes(
    wrong.message,
    "AIONIX_MASTER_KEY is not the master key this database was encrypted with",
  );
  const malformed = await assertRejects(() =>
    startServer({ dataDir, env: { AIONIX_MASTER_KEY: "c2hvcnQ=" } })
  );
  assertStringIncludes(malformed.message, "exactly 32 bytes");

  await Deno.rename(keyFile, `${keyFile}.bak`);
  const missing = await assertRejects(() => startServer({ dataDir }));
  assertStringIncludes(missing.message, "the master key is missing");
  await assertRejects(() => Deno.stat(keyFile), Deno.errors.NotFound);
  await Deno.rename(`${keyFile}.bak`, keyFile);

  await Deno.writeTextFile(keyFile, randomKey() + "\n");
  const other = await assertRejects(() => startServer({ dataDir }));
  assertStringIncludes(other.message, "is not the master key this database was encrypted with");
  await Deno.writeTextFile(keyFile, keyBefore);
  assertEquals(await migrations(), before);

  // Wider permissions still start, with a loud warning.
  await Deno.chmod(keyFile, 0o644);
  s = await startServer({ dataDir });
  try {
    assertStringIncludes(s.logs(), "SECURITY WARNING: the master key file is readable by other users");
    assertEquals(await reveal(s), "pw-1");
  } finally {
    await s.stop();
  }
});

Deno.test("aio admin rotate-master-key re-wraps data keys online; restarts use the new key", async () => {
  const s = await startServer();
  const keyFile = `${s.dataDir}/master.key`;
  try {
    await s.json("POST", "/api/v1/secrets", { name: "db", value: "pw-1" });
    await s.json("POST", "/api/v1/secrets", { name: "other", type: "generic", value: { a: 1 } });
    const oldKey = await Deno.readTextFile(keyFile);
    const cli = await runCli(["admin", "rotate-master-key"], { server: s });
    assertEquals(cli.code, 0, cli.stderr);
    assertStringIncludes(cli.stdout, "re-wrapped 2 data keys");
    const newKey = await Deno.readTextFile(keyFile);
    assertNotEquals(newKey, oldKey);
    assertEquals((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    assertEquals(await reveal(s), "pw-1");
    await s.json("POST", "/api/v1/secrets/db/rotate", { value: "pw-2" });
    await s.stop();
    await s.restart();
    assertEquals(await reveal(s), "pw-2");

    // A rotation interrupted between commit and rename is finished at the next start.
    await s.stop();
    await Deno.writeTextFile(keyFile, oldKey);
    await Deno.writeTextFile(`${keyFile}.new`, newKey, { mode: 0o600 });
    await s.restart();
    assertEquals(await reveal(s), "pw-2");
    assertEquals(await Deno.readTextFile(keyFile), newKey);
    await assertRejects(() => Deno.stat(`${keyFile}.new`), Deno.errors.NotFound);

    const operator =
      (await s.json<{ token: string }>("POST", "/api/v1/tokens", { name: "op", role: "operator" })).body
        .token;
    const denied = await runCli(["admin", "rotate-master-key"], {
      server: s,
      env: { AIONIX_TOKEN: operator },
    });
    assertEquals(denied.code, 4);
  } finally {
    await s.stop();
  }
});

Deno.test("with AIONIX_MASTER_KEY the rotation returns the new key once; the old key no longer starts", async () => {
  const k1 = randomKey();
  let s = await startServer({ env: { AIONIX_MASTER_KEY: k1 } });
  const dataDir = s.dataDir;
  let k2: string;
  try {
    await assertRejects(() => Deno.stat(`${dataDir}/master.key`), Deno.errors.NotFound);
    await s.json("POST", "/api/v1/secrets", { name: "db", value: "env-pw" });
    const bad = await s.json("POST", "/api/v1/admin/master-key/rotate", { newKey: "abc" });
    assertEquals(bad.status, 400);
    const r = await s.json<{ newKey: string; source: string; message: string }>(
      "POST",
      "/api/v1/admin/master-key/rotate",
      {},
    );
    assertEquals(r.body.source, "env");
    assertStringIncludes(r.body.message, "set AIONIX_MASTER_KEY");
    k2 = r.body.newKey;
    assert(k2 && k2 !== k1);
    assertEquals(await reveal(s), "env-pw");
  } finally {
    await s.stop();
  }
  await assertRejects(() => startServer({ dataDir, env: { AIONIX_MASTER_KEY: k1 } }));
  s = await startServer({ dataDir, env: { AIONIX_MASTER_KEY: k2 } });
  try {
    assertEquals(await reveal(s), "env-pw");
    // A key given by the caller is used and never echoed back.
    const k3 = randomKey();
    const r = await s.json<{ newKey?: string }>("POST", "/api/v1/admin/master-key/rotate", { newKey: k3 });
    assertEquals(r.body.newKey, undefined);
    await s.stop();
    s = await startServer({ dataDir, env: { AIONIX_MASTER_KEY: k3 } });
    assertEquals(await reveal(s), "env-pw");
  } finally {
    await s.stop();
  }
});
