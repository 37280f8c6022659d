/**
 * Igniter: event ingest → matched against 100 rules → target started, through the real HTTP
 * app and the real SQLite file (in-process, no socket).
 *
 * 1. Igniter's own path: the target is a fast in-process `stepflow` executor that answers like
 *    StepFlow's async start, so the numbers are validation, matching, the durable firing
 *    insert, dispatch over the executor bus and the dispatched-row update.
 * 2. A real StepFlow: the same 100 rules start a real one-state workflow; a probe wrapped
 *    around StepFlow's executor on the bus notes when the start has returned (the execution
 *    exists and runs). Express starts when the trigger asks for them and StepFlow's executor
 *    honours it; the entry's name says which kind actually ran.
 */
import process from "node:process";
import type { BenchContext } from "../lib.ts";
import { parseConfig } from "../../../runtime/config.ts";
import { silentLogger } from "../../../runtime/log.ts";
import type { ServiceFactory } from "../../../runtime/service.ts";
import { createServer } from "../../../server.ts";
import { createIgniterService } from "../../../services/igniter/mod.ts";
import { createStepFlowService } from "../../../services/stepflow/mod.ts";

const RULES = 100;

type Waiters = Map<string, () => void>;
const keyOf = (input: unknown) => (input as { detail?: { key?: string } } | null)?.detail?.key;

/** A stand-in for StepFlow's executor: answers an async start at once. */
function fastTarget(waiters: Waiters, counter: { started: number }): ServiceFactory {
  return (deps) => ({
    name: "bench-target",
    migrations: [],
    mount() {
      deps.bus.register("stepflow", {
        execute(r) {
          counter.started++;
          const key = keyOf(r.input);
          if (key) waiters.get(key)?.();
          return Promise.resolve({
            executionId: `x-${counter.started}`,
            trn: "trn:stepflow:default:execution/x",
          });
        },
        exists: () => true,
      });
    },
  });
}

/** Wraps the real StepFlow executor: notes each start once StepFlow has answered it. */
interface ProbeCounter {
  started: number;
  lastExecutionId?: string;
}

function startProbe(waiters: Waiters, counter: ProbeCounter): ServiceFactory {
  return (deps) => ({
    name: "bench-probe",
    migrations: [],
    mount() {
      const real = deps.bus.resolve("wf:probe", "default").executor;
      deps.bus.register("stepflow", {
        async execute(r) {
          const out = await real.execute(r);
          counter.started++;
          counter.lastExecutionId = (out as { executionId?: string }).executionId;
          const key = keyOf(r.input);
          if (key) waiters.get(key)?.();
          return out;
        },
        exists: (trn) => real.exists?.(trn) ?? true,
      });
    },
  });
}

async function open(services: ServiceFactory[]) {
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-bench-igniter-" });
  const server = await createServer(parseConfig({ database: { data_path: dataDir } }), {
    logger: silentLogger,
    processMetrics: false,
    services,
  });
  const token = server.createdAdminToken!;
  const request = (method: string, path: string, body?: unknown) =>
    Promise.resolve(server.fetch(
      new Request(`http://127.0.0.1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    ));
  const post = (path: string, body: unknown) => request("POST", path, body);
  const patch = (path: string, body: unknown) => request("PATCH", path, body);
  const close = async () => {
    await server.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  return { server, post, patch, request, close };
}

async function expectStatus(res: Promise<Response>, status: number, what: string) {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** 90 source-indexed rules with a second condition, 10 generic rules ($or / numeric / wildcard). */
async function createRules(
  post: (path: string, body: unknown) => Promise<Response>,
  target: (i: number) => string,
  extra: Record<string, unknown> = {},
) {
  for (let i = 0; i < RULES; i++) {
    const pattern = i < 90 ? { source: [`bench.src${i % 30}`], detail: { kind: [{ prefix: `k${i}-` }] } } : {
      $or: [{ detail: { amount: [{ numeric: [">", 1e9] }] } }, {
        detail: { path: [{ wildcard: `/never/${i}/*` }] },
      }],
    };
    await expectStatus(
      post("/api/v1/triggers", {
        name: `rule-${i}`,
        type: "event",
        target: target(i),
        enabled: true,
        config: { pattern },
        ...extra,
      }),
      201,
      `rule ${i}`,
    );
  }
}

/** Each event matches exactly one of the 100 rules. */
const event = (n: number, key: string) => ({
  source: `bench.src${n % 30}`,
  "detail-type": "Bench",
  detail: { kind: `k${n % 90}-x`, amount: n, path: "/a/b", key },
});

async function latency(
  ctx: BenchContext,
  name: string,
  post: (path: string, body: unknown) => Promise<Response>,
  waiters: Waiters,
  target: string,
) {
  let seq = 0;
  await ctx.measure(name, async () => {
    const key = `s${seq++}`;
    const done = new Promise<void>((resolve) => waiters.set(key, resolve));
    const res = await post("/api/v1/events", [event(seq, key)]);
    await res.body?.cancel();
    await done;
    waiters.delete(key);
  }, { iterations: 500, warmup: 50, target });
}

async function throughput(
  post: (path: string, body: unknown) => Promise<Response>,
  counter: { started: number },
  total: number,
) {
  const batch = 100;
  const before = counter.started;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 0; b < total / batch; b++) {
    const entries = Array.from({ length: batch }, (_, i) => event(b * batch + i, ""));
    const res = await post("/api/v1/events", { entries });
    if (res.status !== 200) throw new Error(`put events: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  }
  const accepted = (performance.now() - t0) / 1000;
  while (counter.started - before < total) await new Promise((r) => setTimeout(r, 1));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // The machine is shared: CPU time per event says what one free core would sustain.
  const cpuUs = (cpu.user + cpu.system) / total;
  return { perSecond: total / seconds, seconds, accepted, cpuUs };
}

const describe = (total: number, r: Awaited<ReturnType<typeof throughput>>) =>
  `${total} events in ${r.seconds.toFixed(2)} s (all accepted after ${r.accepted.toFixed(2)} s); ` +
  `${r.cpuUs.toFixed(0)} µs CPU/event ≈ ${Math.round(1e6 / r.cpuUs)}/s per free core`;

export default async function igniter(ctx: BenchContext) {
  // 1. Igniter's own path.
  {
    const waiters: Waiters = new Map();
    const counter = { started: 0 };
    const app = await open([createIgniterService, fastTarget(waiters, counter)]);
    try {
      await createRules(app.post, (i) => `wf:flow-${i}`);
      await latency(
        ctx,
        "event → matched → target started (1 event/request, 100 rules, fake instant target), p50",
        app.post,
        waiters,
        "≤ 5 ms",
      );
      await throughput(app.post, counter, 2_000); // warm-up
      const total = 20_000;
      const r = await throughput(app.post, counter, total);
      ctx.record("events matched and targets started, batches of 100, 100 rules (fake instant target)", [], {
        opsPerSec: r.perSecond,
        value: describe(total, r),
        target: "≥ 5,000 events/s",
      });
    } finally {
      await app.close();
    }
  }

  // 2. A real StepFlow behind the bus.
  {
    const waiters: Waiters = new Map();
    const counter: ProbeCounter = { started: 0 };
    const app = await open([createStepFlowService, createIgniterService, startProbe(waiters, counter)]);
    try {
      await expectStatus(
        app.post("/api/v1/templates", {
          name: "flow",
          dsl: { entry: "Done", states: { Done: { type: "succeed" } } },
        }),
        201,
        "template",
      );
      // The triggers ask for express starts; StepFlow's executor decides what actually runs.
      await createRules(app.post, () => "wf:flow", { targetOptions: { kind: "express" } });
      await runReal(ctx, app, waiters, counter);
    } finally {
      await app.close();
    }
  }
}

async function runReal(
  ctx: BenchContext,
  app: {
    post: (path: string, body: unknown) => Promise<Response>;
    patch: (path: string, body: unknown) => Promise<Response>;
    request: (method: string, path: string) => Promise<Response>;
  },
  waiters: Waiters,
  counter: ProbeCounter,
) {
  const ranKind = async () => {
    const execution = await expectStatus(
      app.request("GET", `/api/v1/executions/${counter.lastExecutionId}`),
      200,
      "execution",
    ).catch(() => undefined) as { kind?: string } | undefined;
    return execution?.kind ?? "unknown";
  };
  await latency(
    ctx,
    "event → matched → real StepFlow express workflow started (1 event/request, 100 rules), p50",
    app.post,
    waiters,
    "≤ 5 ms",
  );
  ctx.results[ctx.results.length - 1].value = `trigger asks express; StepFlow ran: ${await ranKind()}`;
  const total = 5_000;
  const r = await throughput(app.post, counter, total);
  ctx.record("events matched and real StepFlow express workflows started, batches of 100, 100 rules", [], {
    opsPerSec: r.perSecond,
    value: describe(total, r),
  });

  for (let i = 0; i < RULES; i++) {
    await expectStatus(app.patch(`/api/v1/triggers/rule-${i}`, { targetOptions: null }), 200, `rule ${i}`);
  }
  await latency(
    ctx,
    "event → matched → real StepFlow durable workflow started (1 event/request, 100 rules), p50",
    app.post,
    waiters,
    "-",
  );
  ctx.results[ctx.results.length - 1].value = `StepFlow ran: ${await ranKind()}`;
}
