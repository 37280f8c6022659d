/**
 * Igniter: event ingest → matched against 100 rules → target started, through the real HTTP
 * app and the real SQLite file (in-process, no socket). The target is a fast in-process
 * `stepflow` executor standing in for an express workflow start (it answers like StepFlow's
 * async start), so the numbers measure Igniter's own path: validation, matching, the durable
 * firing insert, dispatch over the executor bus and the dispatched-row update.
 */
import type { BenchContext } from "../lib.ts";
import { parseConfig } from "../../../runtime/config.ts";
import { silentLogger } from "../../../runtime/log.ts";
import type { ServiceFactory } from "../../../runtime/service.ts";
import { createServer } from "../../../server.ts";
import { createIgniterService } from "../../../services/igniter/mod.ts";

const RULES = 100;

export default async function igniter(ctx: BenchContext) {
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-bench-igniter-" });
  const waiters = new Map<string, () => void>();
  let started = 0;
  const fastTarget: ServiceFactory = (deps) => ({
    name: "bench-target",
    migrations: [],
    mount() {
      deps.bus.register("stepflow", {
        execute(r) {
          started++;
          const key = (r.input as { detail?: { key?: string } }).detail?.key;
          if (key) waiters.get(key)?.();
          return Promise.resolve({ executionId: `x-${started}`, trn: "trn:stepflow:default:execution/x" });
        },
        exists: () => true,
      });
    },
  });
  const server = await createServer(parseConfig({ database: { data_path: dataDir } }), {
    logger: silentLogger,
    processMetrics: false,
    services: [createIgniterService, fastTarget],
  });
  const token = server.createdAdminToken!;
  const post = (path: string, body: unknown) =>
    Promise.resolve(server.fetch(
      new Request(`http://127.0.0.1${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    ));
  try {
    for (let i = 0; i < RULES; i++) {
      // 90 source-indexed rules with a second condition, 10 generic rules ($or / numeric / wildcard).
      const pattern = i < 90
        ? { source: [`bench.src${i % 30}`], detail: { kind: [{ prefix: `k${i}-` }] } }
        : {
          $or: [{ detail: { amount: [{ numeric: [">", 1e9] }] } }, {
            detail: { path: [{ wildcard: `/never/${i}/*` }] },
          }],
        };
      const res = await post("/api/v1/triggers", {
        name: `rule-${i}`,
        type: "event",
        target: `wf:flow-${i}`,
        enabled: true,
        config: { pattern },
      });
      if (res.status !== 201) throw new Error(`rule ${i}: ${res.status} ${await res.text()}`);
    }
    const event = (n: number, key: string) => ({
      source: `bench.src${n % 30}`,
      "detail-type": "Bench",
      detail: { kind: `k${n % 90}-x`, amount: n, path: "/a/b", key },
    });

    let seq = 0;
    await ctx.measure("event → matched → target started (1 event/request, 100 rules), p50", async () => {
      const key = `s${seq++}`;
      const done = new Promise<void>((resolve) => waiters.set(key, resolve));
      const res = await post("/api/v1/events", [event(seq, key)]);
      await res.body?.cancel();
      await done;
      waiters.delete(key);
    }, { iterations: 500, warmup: 50, target: "≤ 5 ms (fake express target)" });

    const total = 10_000;
    const batch = 100;
    const before = started;
    const t0 = performance.now();
    const allStarted = new Promise<void>((resolve) => waiters.set("last", resolve));
    for (let b = 0; b < total / batch; b++) {
      const entries = Array.from(
        { length: batch },
        (_, i) => event(b * batch + i, b * batch + i === total - 1 ? "last" : ""),
      );
      const res = await post("/api/v1/events", { entries });
      await res.body?.cancel();
    }
    const ingested = performance.now() - t0;
    await allStarted;
    while (started - before < total) await new Promise((r) => setTimeout(r, 1));
    const seconds = (performance.now() - t0) / 1000;
    ctx.record("events matched and targets started, batches of 100, 100 rules", [], {
      opsPerSec: total / seconds,
      value: `${total} events in ${seconds.toFixed(2)} s (accepted+matched+stored in ${
        (ingested / 1000).toFixed(2)
      } s)`,
      target: "≥ 5,000 events/s",
    });
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
