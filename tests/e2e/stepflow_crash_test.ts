/**
 * Crash test: 100 durable executions mixing waits, http tasks, map and parallel; the server
 * is SIGKILLed at random moments several times and restarted on the same data. Every
 * execution must finish with the expected output, no task whose completion was committed
 * may run again (side effects are counted by idempotency key), and the SQLite file must
 * pass PRAGMA integrity_check.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../helpers/assert.ts";
import { startServer } from "../helpers/server.ts";

interface Call {
  key: string;
  at: number;
}

function countingServer() {
  const calls: Call[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const key = req.headers.get("idempotency-key") ?? "";
    calls.push({ key, at: Date.now() });
    const body = await req.json() as { n: number; step: string; i?: number };
    // Latency keeps several tasks in flight when the server is killed.
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 60));
    const value = body.step === "map" ? body.n * 100 + body.i! : body.step === "b1" ? body.n + 1 : body.n * 2;
    return Response.json({ value });
  });
  return { calls, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

const http = (url: string, body: Record<string, unknown>) => ({
  type: "task",
  action: "http",
  parameters: { url: `${url}/effect`, method: "POST", body },
  output: { expression: "{% result.body.value %}" },
});

function flow(url: string) {
  return {
    entry: "Prep",
    states: {
      Prep: { type: "set", assign: { n: "{% input.n %}" }, next: "Wait1" },
      Wait1: { type: "wait", seconds: "{% input.wait %}", next: "Call" },
      Call: { ...http(url, { n: "{% vars.n %}", step: "call" }), next: "Par" },
      Par: {
        type: "parallel",
        branches: [
          { entry: "B1", states: { B1: { ...http(url, { n: "{% input %}", step: "b1" }), end: true } } },
          {
            entry: "B2W",
            states: {
              B2W: { type: "wait", seconds: 0.3, next: "B2" },
              B2: { ...http(url, { n: "{% input %}", step: "b2" }), end: true },
            },
          },
        ],
        next: "Fan",
      },
      Fan: {
        type: "map",
        items: "{% [1, 2, 3] %}",
        maxConcurrency: 2,
        itemSelector: { i: "{% context.map.item.value %}", n: "{% vars.n %}" },
        processor: {
          entry: "M",
          states: { M: { ...http(url, { n: "{% input.n %}", i: "{% input.i %}", step: "map" }), end: true } },
        },
        output: { expression: { par: "{% input %}", map: "{% result %}", n: "{% vars.n %}" } },
        next: "Done",
      },
      Done: { type: "succeed" },
    },
  };
}

const expected = (n: number) => ({
  par: [n * 2 + 1, n * 4],
  map: [n * 100 + 1, n * 100 + 2, n * 100 + 3],
  n,
});

Deno.test({
  name: "crash: 100 executions survive repeated SIGKILLs; completed tasks never run again; integrity ok",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const effects = countingServer();
    const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    const kills = 4;
    try {
      const t = await server.json("POST", "/api/v1/templates", { name: "crashy", dsl: flow(effects.url) });
      assertEquals(t.status, 201, JSON.stringify(t.body));
      const ids = new Map<string, number>();
      await Promise.all(Array.from({ length: 100 }, async (_, n) => {
        const r = await server.json<{ id: string }>("POST", "/api/v1/templates/crashy/executions", {
          input: { n, wait: (n % 10) * 0.15 },
        });
        assertEquals(r.status, 201);
        ids.set(r.body.id, n);
      }));
      for (let k = 0; k < kills; k++) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 500));
        await server.kill();
        await server.restart();
      }
      const deadline = Date.now() + 90_000;
      let done: { id: string; status: string; output: unknown }[] = [];
      while (Date.now() < deadline) {
        const r = await server.json<{ items: typeof done }>(
          "GET",
          "/api/v1/executions?limit=200&template=crashy",
        );
        done = r.body.items;
        if (done.length === 100 && done.every((e) => e.status !== "running")) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assertEquals(done.length, 100);
      for (const e of done) {
        assertEquals(e.status, "succeeded", `execution ${e.id} (n=${ids.get(e.id)}) is ${e.status}`);
        assertEquals(e.output, expected(ids.get(e.id)!));
      }
      // Side effects: 6 tasks per execution, each with attempt 1 only (no new attempt was invented).
      const byKey = new Map<string, number[]>();
      for (const c of effects.calls) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c.at]);
      assertEquals(byKey.size, 600);
      for (const [key, times] of byKey) {
        assert(key.endsWith(":1"), `unexpected attempt in ${key}`);
        assert(times.length <= 1 + kills, `${key} ran ${times.length} times`);
      }
      // No task whose success was committed ran again afterwards.
      let rerun = 0;
      for (const id of ids.keys()) {
        const h = await server.json<
          {
            items: {
              type: string;
              timestamp: string;
              details?: { idempotencyKey?: string };
              statePath: string;
            }[];
          }
        >(
          "GET",
          `/api/v1/executions/${id}/history?limit=1000`,
        );
        const keyOf = new Map<string, string>();
        for (const e of h.body.items) {
          if (e.type === "TaskScheduled") keyOf.set(e.statePath, e.details!.idempotencyKey!);
          if (e.type === "TaskSucceeded") {
            const committedAt = Date.parse(e.timestamp);
            const times = byKey.get(keyOf.get(e.statePath)!)!;
            assert(
              times.every((t) => t <= committedAt),
              `${keyOf.get(e.statePath)} ran after its success was committed`,
            );
            rerun += times.length - 1;
          }
        }
      }
      console.log(`calls: ${effects.calls.length}, re-sent in-flight tasks: ${rerun}, kills: ${kills}`);
    } finally {
      await server.stop();
      await effects.close();
    }
    const db = new DatabaseSync(`${server.dataDir}/aionix.db`);
    try {
      assertEquals(
        (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
        "ok",
      );
    } finally {
      db.close();
    }
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  },
});
