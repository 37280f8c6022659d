/** The real server as a subprocess: first start, config errors, readiness, graceful shutdown. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { MAIN, startServer } from "../helpers/server.ts";

async function runMain(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("first start writes admin.token (0600), prints it once, and a restart keeps it", async () => {
  const server = await startServer();
  try {
    const stat = await Deno.stat(`${server.dataDir}/admin.token`);
    assertEquals(stat.mode! & 0o777, 0o600);
    assertMatch(server.token, /^aio_[A-Za-z0-9_-]{40}$/);
    assertEquals(server.logs().split(server.token).length - 1, 1, "printed exactly once");
    assert((await Deno.stat(`${server.dataDir}/aionix.db`)).isFile);
    await server.stop();
    await server.restart();
    assertEquals(server.logs().split(server.token).length - 1, 1, "not printed again on restart");
    const res = await server.api("GET", "/api/v1/tokens");
    assertEquals(res.status, 200);
    assertEquals((await res.json()).items.length, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("the token never appears in the structured logs", async () => {
  const server = await startServer();
  try {
    await server.api("GET", "/api/v1/tokens");
    await server.api("GET", "/api/v1/tokens", undefined, { authorization: "Bearer wrong-token-value" });
    // Log lines are written in batches: wait for both access-log lines to arrive.
    const requestLines = () => server.logs().split("\n").filter((l) => l.includes('"msg":"request"'));
    for (let i = 0; i < 200 && requestLines().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assertEquals(requestLines().length, 2);
    const jsonLines = server.logs().split("\n").filter((l) => l.startsWith("{"));
    for (const line of jsonLines) {
      assertEquals(line.includes(server.token), false);
      assertEquals(line.includes("wrong-token-value"), false);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("readiness, health and graceful SIGTERM shutdown that closes the database", async () => {
  const server = await startServer();
  assertEquals((await fetch(`${server.url}/readyz`).then((r) => r.json())).status, "ready");
  assertEquals((await fetch(`${server.url}/healthz`).then((r) => r.json())).status, "ok");
  await server.stop();
  const status = await server.process.status;
  assertEquals(status.code, 0);
  assertStringIncludes(server.logs(), '"msg":"stopped"');
  // A clean close checkpoints and removes the WAL file.
  const wal = await Deno.stat(`${server.dataDir}/aionix.db-wal`).catch(() => null);
  assertEquals(wal?.size ?? 0, 0);
});

Deno.test("an unknown config key or bad value stops the start naming the key", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.toml`, "[server]\nport = 53000\nhots = 'x'\n");
  const bad = await runMain(["--config", `${dir}/config.toml`, "--data", `${dir}/data`]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "server.hots: unknown key");
  const env = await runMain(["--data", `${dir}/data`], { AIONIX_LOG_LEVEL: "chatty" });
  assertEquals(env.code, 2);
  assertStringIncludes(env.stderr, "logging.level");
  const flag = await runMain(["--port", "99999", "--data", `${dir}/data`]);
  assertEquals(flag.code, 2);
  assertStringIncludes(flag.stderr, "--port");
  const unknown = await runMain(["serve", "--bogus"]);
  assertEquals(unknown.code, 2);
  assertStringIncludes(unknown.stderr, "--bogus");
  // nothing was created by the failed starts
  assertEquals(await Deno.stat(`${dir}/data`).catch(() => null), null);
});

Deno.test("config.toml, env and flags combine with flags winning", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.toml`, `[server]\nport = 1\n[logging]\nlevel = "debug"\n`);
  const server = await startServer({ config: `${dir}/config.toml`, env: { AIONIX_LOG_LEVEL: "warn" } });
  try {
    // --port 0 (flag) beat port = 1 (file): the server listens on a free port.
    assert(server.port > 1);
    const res = await fetch(`${server.url}/healthz`);
    assertEquals(res.status, 200);
    await res.body?.cancel();
    // AIONIX_LOG_LEVEL=warn beat level = "debug": no info-level request lines.
    await server.api("GET", "/api/v1/tokens").then((r) => r.body?.cancel());
    assertEquals(server.logs().includes('"msg":"request"'), false);
  } finally {
    await server.stop();
  }
});
