/**
 * Express executions started through the executor bus (`caller.kind`).
 */
import { assertEquals, assertRejects, assertStringIncludes } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { BadRequestError } from "../../runtime/errors.ts";
import { createStepFlowService } from "../../services/stepflow/mod.ts";
import { createTemplate, fakeFunctions } from "./stepflow_support.ts";
import type { Execution } from "../../services/stepflow/types.ts";

const setup = () => inProcess({ services: [createStepFlowService, fakeFunctions()] });
const triple = {
  entry: "T",
  states: { T: { type: "set", output: { expression: { got: "{% input.x * 3 %}" } }, end: true } },
};

Deno.test("bus start with caller.kind express runs an express execution (sync output, async id, no history)", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "triple", triple);
    const bus = app.server.deps.bus;
    const out = await bus.execute("wf:triple", "default", {
      input: { x: 2 },
      operation: "start",
      mode: "sync",
      caller: { service: "igniter", kind: "express" },
    });
    assertEquals(out, { got: 6 });
    const started = await bus.execute("wf:triple", "default", {
      input: { x: 5 },
      mode: "async",
      caller: { kind: "express" },
    }) as { executionId: string; trn: string };
    const got = await app.json<Execution>("GET", `/api/v1/executions/${started.executionId}`);
    assertEquals([got.status, got.body.kind], [200, "express"]);
    const history = await app.json<{ detail: string }>(
      "GET",
      `/api/v1/executions/${started.executionId}/history`,
    );
    assertEquals(history.status, 400);
    assertStringIncludes(history.body.detail, "express executions keep no history");
    // Durable stays the default and "durable" may be said explicitly.
    const durable = await bus.execute("wf:triple", "default", {
      input: { x: 1 },
      mode: "async",
      caller: { kind: "durable" },
    }) as { executionId: string };
    assertEquals(
      (await app.json<Execution>("GET", `/api/v1/executions/${durable.executionId}`)).body.kind,
      "durable",
    );
    const err = await assertRejects(
      () => bus.execute("wf:triple", "default", { input: {}, caller: { kind: "turbo" } }),
      BadRequestError,
    );
    assertStringIncludes(err.message, "caller.kind 'turbo'");
  } finally {
    await app.close();
  }
});
