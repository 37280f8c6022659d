/**
 * AionixFn: function invoke latency (warm and cold) for Deno and Python, throughput at
 * concurrency 16, and memory per warm worker/process. "sandbox" rows time the sandbox alone
 * (server → function host / Python process → back); "HTTP" rows go through the full in-process
 * HTTP app (auth, routing, store, logs, metrics).
 */
import type { BenchContext } from "../lib.ts";
import { type FunctionSpec, Sandbox } from "../../../runtime/sandbox/mod.ts";
import { parseConfig } from "../../../runtime/config.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { createServer } from "../../../server.ts";
import { createAionixFnService } from "../../../services/aionixfn/mod.ts";

const DENO_CODE = "export default (e: { x: number }) => ({ y: e.x + 1 })";
const PY_CODE = "def handler(event, context):\n    return {'y': event['x'] + 1}\n";

let keys = 0;
function spec(runtime: "deno" | "python", code: string, key = `${runtime}-${++keys}`): FunctionSpec {
  return {
    key,
    runtime,
    handler: runtime === "deno" ? "default" : "handler",
    source: { kind: "inline", code: runtime === "deno" ? code + `\n// ${key}` : code + `\n# ${key}\n` },
    env: {},
    permissions: { net: [], env: [], read: [] },
    memoryMb: 128,
    timeoutMs: 10_000,
  };
}
const ctx = () => ({
  requestId: "bench",
  functionTrn: "trn:aionixfn:default:function/bench",
  functionName: "bench",
  version: "$LATEST",
  tenant: "default",
  deadline: Date.now() + 60_000,
});

function rssKb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export default async function functions(ctx_: BenchContext) {
  const sandbox = new Sandbox({
    maxPoolSize: 16,
    idleTtlMs: 600_000,
    outputLimit: 6 << 20,
    logLimit: 1 << 16,
    env: {},
  });
  try {
    for (const runtime of ["deno", "python"] as const) {
      const code = runtime === "deno" ? DENO_CODE : PY_CODE;
      const warm = spec(runtime, code);
      await sandbox.invoke(warm, { x: 1 }, ctx());
      await ctx_.measure(`${runtime} warm invoke (sandbox)`, () => sandbox.invoke(warm, { x: 1 }, ctx()), {
        iterations: 500,
        warmup: 50,
        target: runtime === "deno" ? "p50 ≤ 1 ms" : "p50 ≤ 2 ms",
      });
      const cold: number[] = [];
      for (let i = 0; i < (runtime === "deno" ? 40 : 25); i++) {
        const s = spec(runtime, code);
        const t0 = performance.now();
        const out = await sandbox.invoke(s, { x: 1 }, ctx());
        cold.push(performance.now() - t0);
        if (!out.ok || !out.coldStart) throw new Error(`cold start expected: ${JSON.stringify(out)}`);
        sandbox.evict(s.key);
      }
      ctx_.record(`${runtime} cold invoke (new worker/process)`, cold, {
        target: runtime === "deno" ? "p50 ≤ 20 ms" : "p50 ≤ 40 ms",
      });
      await ctx_.measure(
        `${runtime} invocations/s, concurrency 16 (sandbox)`,
        () => sandbox.invoke(warm, { x: 1 }, ctx()),
        {
          iterations: 3000,
          warmup: 32,
          concurrency: 16,
        },
      );
    }

    // Memory: RSS growth of the function host per extra warm Worker, and RSS of one warm Python process.
    const hostPid = sandbox.stats().deno.hosts[0]?.pid;
    if (hostPid) {
      const before = rssKb(hostPid);
      const extra = Array.from({ length: 8 }, () => spec("deno", DENO_CODE));
      for (const s of extra) await sandbox.invoke(s, { x: 1 }, ctx());
      const after = rssKb(hostPid);
      ctx_.record("deno memory per warm worker", [], {
        value: `${((after - before) / 8 / 1024).toFixed(1)} MB (host RSS ${(after / 1024).toFixed(0)} MB)`,
      });
    }
    const pyPids = sandbox.stats().python.pids;
    if (pyPids.length) {
      const rss = pyPids.map(rssKb).filter((n) => n > 0);
      ctx_.record("python memory per warm process", [], {
        value: `${(rss.reduce((a, b) => a + b, 0) / rss.length / 1024).toFixed(1)} MB RSS`,
      });
    }
  } finally {
    await sandbox.close();
  }

  // The full HTTP path, in-process (no socket).
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-bench-fn-" });
  const server = await createServer(parseConfig({ database: { data_path: dataDir } }), {
    logger: silentLogger,
    processMetrics: false,
    services: [createAionixFnService],
  });
  try {
    const token = server.createdAdminToken!;
    const call = (method: string, path: string, body?: unknown) =>
      Promise.resolve(server.fetch(
        new Request(`http://127.0.0.1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      )).then(async (r) => {
        const text = await r.text();
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text}`);
        return text;
      });
    await call("POST", "/api/v1/functions", { name: "d", runtime: "deno", code: DENO_CODE });
    await call("POST", "/api/v1/functions", { name: "p", runtime: "python", code: PY_CODE });
    for (const [name, runtime] of [["d", "deno"], ["p", "python"]]) {
      await ctx_.measure(
        `${runtime} warm invoke over HTTP (in-process)`,
        () => call("POST", `/api/v1/functions/${name}/invoke`, { x: 1 }),
        {
          iterations: 500,
          warmup: 50,
        },
      );
      await ctx_.measure(
        `${runtime} invocations/s over HTTP, concurrency 16`,
        () => call("POST", `/api/v1/functions/${name}/invoke`, { x: 1 }),
        {
          iterations: 2000,
          warmup: 32,
          concurrency: 16,
        },
      );
    }
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
