/**
 * Platform bench: server start→ready (empty and populated data dir), the first request to
 * each service's routes after a start (they mount then), /healthz and an authenticated no-op
 * over HTTP, `aio version` / `aio token list` wall time, RSS idle and after every service ran.
 */
import type { BenchContext } from "../lib.ts";
import { MAIN, runCli, startServer } from "../../helpers/server.ts";

/** The first request after a start to one route of each group (it mounts the group). */
const FIRST_REQUESTS = [
  "/api/v1/whoami",
  "/api/v1/templates",
  "/api/v1/executions",
  "/api/v1/functions",
  "/api/v1/triggers",
  "/api/v1/connections",
  "/api/v1/secrets",
  "/api/v1/params",
  "/api/v1/audit",
];

async function populate(server: Awaited<ReturnType<typeof startServer>>) {
  const ok = async (method: string, path: string, body: unknown) => {
    const res = await server.api(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  };
  for (let i = 0; i < 50; i++) {
    await ok("POST", "/api/v1/templates", {
      name: `flow-${i}`,
      dsl: {
        entry: "Pause",
        states: {
          Pause: { type: "wait", seconds: 3600, next: "Shape" },
          Shape: { type: "set", output: { expression: "{% input %}" }, end: true },
        },
      },
    });
  }
  // 20 durable executions waiting (resumed at every start), 20 schedules, 10 functions, 20 params.
  for (let i = 0; i < 20; i++) {
    await ok("POST", `/api/v1/templates/flow-${i}/executions`, { input: { i }, mode: "async" });
    await ok("POST", "/api/v1/triggers", {
      name: `every-hour-${i}`,
      type: "schedule",
      enabled: true,
      target: `wf:flow-${i}`,
      config: { rate: "1 hour" },
    });
    await ok("PUT", `/api/v1/params/${encodeURIComponent(`/app/p${i}`)}`, { value: `v${i}` });
  }
  for (let i = 0; i < 10; i++) {
    await ok("POST", "/api/v1/functions", {
      name: `fn-${i}`,
      runtime: "deno",
      code: "export default (e: unknown) => e",
    });
  }
}

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
  let exited: Deno.CommandStatus | undefined;
  child.status.then((status) => (exited = status));
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      await res.body?.cancel();
      if (res.ok) return { ms: performance.now() - t0, child, port };
    } catch { /* not listening yet */ }
    // e.g. the random port was taken: say so instead of polling forever
    if (exited) {
      throw new Error(`the server exited (code ${exited.code}) before it was ready on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

export default async function (ctx: BenchContext) {
  const starts: number[] = [];
  const firsts: number[] = [];
  const dataDir = await Deno.makeTempDir();
  for (let i = 0; i < 16; i++) {
    const { ms, child, port } = await startToReady(dataDir);
    if (i > 0) starts.push(ms); // the first start creates the database and token
    if (i > 0 && i <= 5) {
      const token = (await Deno.readTextFile(`${dataDir}/admin.token`)).trim();
      for (const path of FIRST_REQUESTS) {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.body?.cancel();
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        firsts.push(performance.now() - t0);
      }
    }
    child.kill("SIGTERM");
    await child.status;
  }
  ctx.record("server start → ready (existing data dir)", starts, { target: "≤ 150 ms" });
  ctx.record(
    `first request to a service after start (mounts its routes; ${FIRST_REQUESTS.length} services)`,
    firsts,
  );

  {
    const seeded = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    try {
      await populate(seeded);
    } finally {
      await seeded.stop();
    }
    const populated: number[] = [];
    for (let i = 0; i < 8; i++) {
      const { ms, child } = await startToReady(seeded.dataDir);
      populated.push(ms);
      child.kill("SIGTERM");
      await child.status;
    }
    ctx.record(
      "server start → ready (50 templates, 20 waiting executions resumed, 20 schedules, 10 functions)",
      populated,
      { target: "≤ 150 ms" },
    );
  }

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
    for (let i = 0; i < 20; i++) {
      let t0 = performance.now();
      await runCli(["version"]);
      version.push(performance.now() - t0);
      t0 = performance.now();
      await runCli(["token", "list"], { server });
      list.push(performance.now() - t0);
    }
    ctx.record("aio version (wall, deno run)", version, { target: "≤ 80 ms" });
    ctx.record("aio token list (wall, deno run)", list, { target: "≤ 80 ms" });
    // Every service's routes mounted, JSONata and prom-client loaded, one workflow run.
    for (const path of FIRST_REQUESTS) await (await server.api("GET", path)).body?.cancel();
    await (await server.api("POST", "/api/v1/templates", {
      name: "rss",
      dsl: {
        entry: "P",
        states: { P: { type: "set", output: { expression: "{% input.a + 1 %}" }, end: true } },
      },
    })).body?.cancel();
    await (await server.api("POST", "/api/v1/templates/rss/executions", { mode: "sync", input: { a: 1 } }))
      .body
      ?.cancel();
    await (await fetch(`${server.url}/metrics`)).body?.cancel();
    await new Promise((r) => setTimeout(r, 2000));
    ctx.record("RSS after every service answered, a workflow ran and /metrics was scraped", [], {
      value: `${rssMb(server.process.pid).toFixed(1)} MB`,
    });
  } finally {
    await server.stop();
  }
}
