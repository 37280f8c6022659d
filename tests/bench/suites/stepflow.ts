/**
 * StepFlow: 3-state durable sync over real HTTP (server subprocess), parallel ×3 warm Deno
 * function tasks over real HTTP (and on an in-process test executor), JSONata mapping of a typical state, cancel latency, and durable /
 * express throughput (group commit) in-process and over HTTP — with the client in the bench
 * process and from a separate load-generator process (tests/bench/loadgen.ts), plus the
 * server's CPU time per execution (the least noisy number on shared cores).
 */
import type { BenchContext } from "../lib.ts";
import { startServer } from "../../helpers/server.ts";
import { inProcess } from "../../helpers/inprocess.ts";
import { createStepFlowService } from "../../../services/stepflow/mod.ts";
import { fakeFunctions } from "../../integration/stepflow_support.ts";
import { compileTemplate } from "../../../services/stepflow/expr/template.ts";

const THREE = {
  entry: "Prepare",
  states: {
    Prepare: {
      type: "set",
      output: { expression: { orderId: "{% input.orderId %}", total: "{% input.qty * input.price %}" } },
      next: "Route",
    },
    Route: {
      type: "router",
      routes: [{ condition: "{% input.total > 100 %}", next: "Done" }],
      default: "Done",
    },
    Done: {
      type: "succeed",
      output: { expression: { orderId: "{% input.orderId %}", total: "{% input.total %}", ok: true } },
    },
  },
};
const PARALLEL = {
  entry: "P",
  states: {
    P: {
      type: "parallel",
      branches: [1, 2, 3].map((n) => ({
        entry: "T",
        states: { T: { type: "task", action: "fn:double", parameters: { n }, end: true } },
      })),
      end: true,
    },
  },
};
/** The function the parallel branches call (fakeFunctions() has the same in-process). */
const DOUBLE = "export default (event: { n: number }) => event.n * 2";
const SLOW = {
  entry: "T",
  states: { T: { type: "task", action: "fn:slow", parameters: { ms: 60000 }, end: true } },
};
const INPUT = { orderId: "123", qty: 3, price: 50 };

async function ok(res: Response | Promise<Response>, status = 200) {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`HTTP ${r.status}: ${text}`);
  return JSON.parse(text);
}

async function throughput(run: () => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await run();
  }));
  return total / ((performance.now() - t0) / 1000);
}

/** CPU time (user + system, all threads) a process used so far, in ms; NaN where /proc is missing. */
function cpuMs(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}
const cpuNote = (us: number) => (Number.isNaN(us) ? "-" : `server CPU ${us.toFixed(0)} µs/execution`);

async function loadgen(url: string, token: string, total: number, body: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../loadgen.ts", import.meta.url).pathname,
      url,
      token,
      String(total),
      "64",
      body,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("the load generator failed");
  return JSON.parse(new TextDecoder().decode(out.stdout)) as {
    opsPerSec: number;
    errors: number;
    firstError: string;
  };
}

export default async function stepflow(ctx: BenchContext) {
  // JSONata mapping of a typical state's output, compiled once and cached.
  const tpl = compileTemplate({
    orderId: "{% input.orderId %}",
    total: "{% input.qty * input.price %}",
    customer: { name: "{% input.customer.first & ' ' & input.customer.last %}", vip: "{% vars.vip %}" },
    lines: "{% input.items.{'sku': sku, 'amount': qty * price} %}",
  });
  const data = {
    input: {
      orderId: "1",
      qty: 2,
      price: 5,
      customer: { first: "A", last: "B" },
      items: [{ sku: "x", qty: 1, price: 2 }, { sku: "y", qty: 3, price: 1 }],
    },
    vars: { vip: true },
  };
  await ctx.measure("JSONata mapping of a typical state (compiled, cached)", () => tpl.evaluate(data), {
    iterations: 5000,
    warmup: 500,
    target: "≤ 0.1 ms",
  });

  // In-process (no socket): parallel ×3, cancel, throughput.
  const app = await inProcess({ services: [createStepFlowService, fakeFunctions()] });
  try {
    for (const [name, dsl] of [["three", THREE], ["par3", PARALLEL], ["slow", SLOW]] as const) {
      await ok(app.request("POST", "/api/v1/templates", { name, dsl }), 201);
    }
    await ctx.measure(
      "parallel ×3 tasks (in-process test executor), durable sync, in-process HTTP",
      () => ok(app.request("POST", "/api/v1/templates/par3/executions", { mode: "sync" })),
      { iterations: 300, target: "≤ 8 ms" },
    );
    const cancelSamples: number[] = [];
    for (let i = 0; i < 100; i++) {
      const e = await ok(app.request("POST", "/api/v1/templates/slow/executions", {}), 201);
      await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();
      const c = await ok(app.request("POST", `/api/v1/executions/${e.id}/cancel`));
      cancelSamples.push(performance.now() - t0);
      if (c.status !== "cancelled") throw new Error(`cancel gave ${c.status}`);
    }
    ctx.record("cancel → execution shows cancelled (in-process HTTP)", cancelSamples, { target: "≤ 10 ms" });
    const start = (kind: string) => () =>
      ok(app.request("POST", "/api/v1/templates/three/executions", { input: INPUT, mode: "sync", kind }));
    await throughput(start("durable"), 500, 64);
    const durable = await throughput(start("durable"), 6000, 128);
    ctx.record("durable 3-state executions/s, sync, concurrency 128, in-process HTTP (group commit)", [], {
      opsPerSec: durable,
      target: "≥ 1,500/s",
    });
    const express = await throughput(start("express"), 6000, 128);
    ctx.record("express 3-state executions/s, sync, concurrency 128, in-process HTTP", [], {
      opsPerSec: express,
    });
  } finally {
    await app.close();
  }

  // Real server subprocess over a real socket.
  const server = await startServer({ env: { AIONIX_LOG_LEVEL: "error" } });
  try {
    await ok(server.api("POST", "/api/v1/templates", { name: "three", dsl: THREE }), 201);
    const run = (kind: string) => () =>
      ok(server.api("POST", "/api/v1/templates/three/executions", { input: INPUT, mode: "sync", kind }));
    await ctx.measure("3-state durable workflow, sync, over HTTP (server subprocess)", run("durable"), {
      iterations: 500,
      warmup: 50,
      target: "≤ 3 ms",
    });
    await ctx.measure("3-state express workflow, sync, over HTTP (server subprocess)", run("express"), {
      iterations: 500,
      warmup: 50,
    });
    // DESIGN.md's target is for real warm Deno functions: AionixFn's sandbox, not a test executor.
    await ok(server.api("POST", "/api/v1/functions", { name: "double", runtime: "deno", code: DOUBLE }), 201);
    await ok(server.api("POST", "/api/v1/templates", { name: "par3", dsl: PARALLEL }), 201);
    const par3 = () => ok(server.api("POST", "/api/v1/templates/par3/executions", { mode: "sync" }));
    const first = await par3();
    if (JSON.stringify(first.output) !== "[2,4,6]") throw new Error(`par3 gave ${JSON.stringify(first)}`);
    await ctx.measure(
      "parallel ×3 warm Deno function tasks (AionixFn sandbox), durable sync, over HTTP",
      par3,
      {
        iterations: 300,
        warmup: 30,
        target: "≤ 8 ms",
      },
    );
    for (const kind of ["durable", "express"]) {
      const cpu0 = cpuMs(server.process.pid);
      const http = await throughput(run(kind), 4000, 64);
      const perExec = ((cpuMs(server.process.pid) - cpu0) * 1000) / 4000;
      ctx.record(
        `${kind} 3-state executions/s, sync, concurrency 64, over HTTP, client in the bench process`,
        [],
        { opsPerSec: http, value: cpuNote(perExec), ...(kind === "durable" ? { target: "≥ 1,500/s" } : {}) },
      );
    }
    // The same load from a separate process (its own event loop; all processes share the cores).
    const url = `${server.url}/api/v1/templates/three/executions`;
    for (const kind of ["durable", "express"]) {
      const body = JSON.stringify({ input: INPUT, mode: "sync", kind });
      await loadgen(url, server.token, 1000, body);
      const cpu0 = cpuMs(server.process.pid);
      const r = await loadgen(url, server.token, 6000, body);
      const perExec = ((cpuMs(server.process.pid) - cpu0) * 1000) / 6000;
      if (r.errors) throw new Error(`load generator: ${r.errors} errors, first: ${r.firstError}`);
      ctx.record(
        `${kind} 3-state executions/s, sync, concurrency 64, over HTTP, separate load-generator process`,
        [],
        {
          opsPerSec: r.opsPerSec,
          value: cpuNote(perExec),
          ...(kind === "durable" ? { target: "≥ 1,500/s" } : {}),
        },
      );
    }
  } finally {
    await server.stop();
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  }
}
