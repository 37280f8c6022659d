/**
 * Platform bench: server start→ready, /healthz and an authenticated no-op over HTTP,
 * `aio version` / `aio token list` wall time, idle RSS.
 */
import type { BenchContext } from "../lib.ts";
import { MAIN, runCli, startServer } from "../../helpers/server.ts";

async function startToReady(
  dataDir: string,
): Promise<{ ms: number; child: Deno.ChildProcess; port: number }> {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "--port", String(port), "--data", dataDir, "--log-level", "warn"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      await res.body?.cancel();
      if (res.ok) return { ms: performance.now() - t0, child, port };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 2));
  }
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

export default async function (ctx: BenchContext) {
  const starts: number[] = [];
  const dataDir = await Deno.makeTempDir();
  for (let i = 0; i < 6; i++) {
    const { ms, child } = await startToReady(dataDir);
    if (i > 0) starts.push(ms); // the first start creates the database and token
    child.kill("SIGTERM");
    await child.status;
  }
  ctx.record("server start → ready (existing data dir)", starts, { target: "≤ 150 ms" });

  const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    ctx.record("idle RSS after start", [], {
      value: `${rssMb(server.process.pid).toFixed(1)} MB`,
      target: "≤ 80 MB",
    });
    await ctx.measure("GET /healthz", async () => {
      const r = await fetch(`${server.url}/healthz`);
      await r.body?.cancel();
    }, { iterations: 2000, warmup: 200 });
    await ctx.measure("GET /api/v1/whoami (authenticated no-op)", async () => {
      const r = await server.api("GET", "/api/v1/whoami");
      await r.body?.cancel();
    }, { iterations: 2000, warmup: 200 });
    await ctx.measure("GET /api/v1/whoami ×16 concurrent", async () => {
      const r = await server.api("GET", "/api/v1/whoami");
      await r.body?.cancel();
    }, { iterations: 5000, warmup: 200, concurrency: 16 });
    const version: number[] = [];
    const list: number[] = [];
    for (let i = 0; i < 8; i++) {
      let t0 = performance.now();
      await runCli(["version"]);
      version.push(performance.now() - t0);
      t0 = performance.now();
      await runCli(["token", "list"], { server });
      list.push(performance.now() - t0);
    }
    ctx.record("aio version (wall, deno run)", version, { target: "≤ 80 ms" });
    ctx.record("aio token list (wall, deno run)", list, { target: "≤ 80 ms" });
  } finally {
    await server.stop();
  }
}
