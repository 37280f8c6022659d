import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

const flow = {
  entry: "Greet",
  states: {
    Greet: {
      type: "set",
      output: { expression: { msg: "{% 'order ' & input.orderId %}" } },
      assign: { wait: "{% input.wait ? input.wait : 0 %}" },
      next: "Pause",
    },
    Pause: { type: "wait", seconds: "{% vars.wait %}", next: "Done" },
    Done: { type: "succeed" },
  },
};

Deno.test({
  name: "aio wf: create, validate, run (sync and async), exec list/get/history, versions, test-state",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/flow.json`, JSON.stringify(flow));
      await Deno.writeTextFile(
        `${dir}/bad.json`,
        JSON.stringify({ entry: "A", states: { A: { type: "set", next: "B" } } }),
      );
      const created = await runCli(["wf", "create", "order-flow", "--dsl", `${dir}/flow.json`], { server });
      assertEquals(created.code, 0, created.stderr);
      assertMatch(created.stdout, /created order-flow version 1/);

      const bad = await runCli(["wf", "validate", `${dir}/bad.json`], { server });
      assertEquals(bad.code, 3);
      assertMatch(bad.stdout, /UNKNOWN_TARGET\s+\/states\/A\/next/);

      const sync = await runCli([
        "wf",
        "run",
        "order-flow",
        "--data",
        '{"orderId": "123"}',
        "--sync",
        "-o",
        "json",
      ], { server });
      assertEquals(sync.code, 0, sync.stderr);
      const e = JSON.parse(sync.stdout);
      assertEquals([e.status, e.output], ["succeeded", { msg: "order 123" }]);

      const async_ = await runCli([
        "wf",
        "run",
        "order-flow",
        "--data",
        '{"orderId": "9", "wait": 30}',
        "-o",
        "json",
      ], { server });
      const running = JSON.parse(async_.stdout);
      assertEquals(running.status, "running");

      const list = await runCli(["wf", "exec", "list", "--status", "running"], { server });
      assertEquals(list.code, 0, list.stderr);
      assertMatch(list.stdout, new RegExp(`${running.id}\\s+order-flow:1\\s+running`));
      assert(!list.stdout.includes(e.id));

      const hist = await runCli(["wf", "exec", "history", e.id], { server });
      assertMatch(hist.stdout, /ExecutionSucceeded/);
      const cancel = await runCli(["wf", "exec", "cancel", running.id], { server });
      assertMatch(cancel.stdout, /cancelled/);

      const ts = await runCli([
        "wf",
        "test-state",
        "--definition",
        '{"type":"router","routes":[{"condition":"{% input.n > 1 %}","next":"Big"}],"default":"Small"}',
        "--data",
        '{"n": 5}',
      ], { server });
      assertEquals(ts.code, 0, ts.stderr);
      assertMatch(ts.stdout, /status: succeeded\s+next: Big/);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
