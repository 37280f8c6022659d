/**
 * TaskStarted across a crash: a task in flight when the server is SIGKILLed is sent again on
 * restart with the same idempotency key, and the history shows both starts (the second marked
 * `resumed`) before the single TaskSucceeded.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startServer } from "../helpers/server.ts";

interface HistoryItem {
  type: string;
  statePath: string;
  details?: Record<string, unknown>;
}

Deno.test({
  name: "a task in flight at a SIGKILL is started again on restart (TaskStarted resumed) with the same key",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const keys: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const effects = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
      keys.push(req.headers.get("idempotency-key") ?? "");
      await req.body?.cancel();
      // The first call hangs (the server is killed meanwhile); the re-sent one answers.
      if (keys.length === 1) await held;
      return Response.json({ value: 42 });
    });
    const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    try {
      const dsl = {
        entry: "Call",
        states: {
          Call: {
            type: "task",
            action: "http",
            parameters: { url: `http://127.0.0.1:${effects.addr.port}/effect`, method: "POST", body: {} },
            output: { expression: "{% result.body.value %}" },
            end: true,
          },
        },
      };
      assertEquals((await server.json("POST", "/api/v1/templates", { name: "resume", dsl })).status, 201);
      const started = await server.json<{ id: string }>("POST", "/api/v1/templates/resume/executions", {});
      assertEquals(started.status, 201);
      const id = started.body.id;
      const history = async () =>
        (await server.json<{ items: HistoryItem[] }>("GET", `/api/v1/executions/${id}/history`)).body.items;
      // TaskStarted is committed just before the request is sent: wait for both.
      for (
        let i = 0;
        i < 200 && !(keys.length && (await history()).some((e) => e.type === "TaskStarted"));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assertEquals(keys.length, 1);
      await server.kill();
      await server.restart();
      let status = "running";
      for (let i = 0; i < 200 && status === "running"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        status = (await server.json<{ status: string }>("GET", `/api/v1/executions/${id}`)).body.status;
      }
      assertEquals(status, "succeeded");
      assertEquals(keys, [`${id}:Call:1`, `${id}:Call:1`]);
      const h = await history();
      assertEquals(h.map((e) => e.type), [
        "ExecutionStarted",
        "StateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskStarted",
        "TaskSucceeded",
        "StateExited",
        "ExecutionSucceeded",
      ]);
      const starts = h.filter((e) => e.type === "TaskStarted");
      assertEquals(starts[0].details, { action: "http", attempt: 1 });
      assertEquals(starts[1].details, { action: "http", attempt: 1, resumed: true });
      assert(starts.every((e) => e.statePath === "Call"));
    } finally {
      release();
      await server.stop();
      await effects.shutdown();
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
