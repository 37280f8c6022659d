import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { createStepFlowService } from "../../services/stepflow/mod.ts";
import { createTemplate, fakeFunctions, runSync, waitFor } from "./stepflow_support.ts";

const setup = () => inProcess({ services: [createStepFlowService, fakeFunctions()] });

const threeStates = {
  entry: "A",
  states: {
    A: { type: "set", output: { expression: { n: "{% input.n + 1 %}" } }, next: "B" },
    B: { type: "task", action: "fn:double", parameters: { n: "{% input.n %}" }, next: "C" },
    C: { type: "succeed", output: { expression: { result: "{% input %}" } } },
  },
};

Deno.test("templates: create, get, update to a new version, list, versions, delete", async () => {
  const app = await setup();
  try {
    const created = await createTemplate(app, "order-flow", threeStates) as Record<string, unknown>;
    assertEquals([created.name, created.version, created.trn], [
      "order-flow",
      1,
      "trn:stepflow:default:template/order-flow",
    ]);
    const dup = await app.json("POST", "/api/v1/templates", { name: "order-flow", dsl: threeStates });
    assertEquals(dup.status, 409);
    const upd = await app.json<{ version: number }>("PUT", "/api/v1/templates/order-flow", {
      dsl: { ...threeStates, comment: "v2" },
      description: "second",
    });
    assertEquals(upd.body.version, 2);
    const v1 = await app.json<{ dsl: { comment?: string } }>("GET", "/api/v1/templates/order-flow?version=1");
    assertEquals(v1.body.dsl.comment, undefined);
    const byTrn = await app.json<{ version: number }>(
      "GET",
      `/api/v1/templates/${encodeURIComponent("trn:stepflow:default:template/order-flow")}`,
    );
    assertEquals(byTrn.body.version, 2);
    const list = await app.json<{ items: { name: string; dsl?: unknown }[] }>("GET", "/api/v1/templates");
    assertEquals(list.body.items.map((t) => [t.name, t.dsl]), [["order-flow", undefined]]);
    const versions = await app.json<{ items: { version: number }[] }>(
      "GET",
      "/api/v1/templates/order-flow/versions",
    );
    assertEquals(versions.body.items.map((v) => v.version), [1, 2]);
    assertEquals((await app.json("DELETE", "/api/v1/templates/order-flow")).status, 200);
    assertEquals((await app.json("GET", "/api/v1/templates/order-flow")).status, 404);
  } finally {
    await app.close();
  }
});

Deno.test("invalid DSL → 400 problem with diagnostics naming JSON pointers; unknown actions fail validation", async () => {
  const app = await setup();
  try {
    const r = await app.json<{ diagnostics: { code: string; path: string }[]; errors: { path: string }[] }>(
      "POST",
      "/api/v1/templates",
      { name: "bad", dsl: { entry: "A", states: { A: { type: "task", action: "fn:missing", next: "Z" } } } },
    );
    assertEquals(r.status, 400);
    assertEquals(r.body.diagnostics.map((d) => `${d.code} ${d.path}`).sort(), [
      "NO_TERMINAL /states",
      "UNKNOWN_ACTION /states/A/action",
      "UNKNOWN_TARGET /states/A/next",
    ]);
    assert(r.body.errors.every((e) => e.path.startsWith("/dsl/")));
    const v = await app.json<{ valid: boolean; diagnostics: unknown[] }>(
      "POST",
      "/api/v1/stepflow/validate",
      {
        dsl: threeStates,
      },
    );
    assertEquals(v.body, { valid: true, diagnostics: [] });
    const schema = await app.json<{ $schema: string }>("GET", "/api/v1/stepflow/schema");
    assertMatch(schema.body.$schema, /json-schema/);
    const unknownField = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/templates", {
      name: "x",
      dsl: threeStates,
      extra: 1,
    });
    assertEquals([unknownField.status, unknownField.body.errors[0].path], [400, "/extra"]);
  } finally {
    await app.close();
  }
});

Deno.test("sync execution returns the output; history records each transition in order", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "three", threeStates);
    const e = await runSync(app, "three", { n: 4 });
    assertEquals([e.status, e.output, e.kind, e.version], ["succeeded", { result: 10 }, "durable", 1]);
    assertMatch(e.trn as string, /^trn:stepflow:default:execution\/three\//);
    const h = await app.json<
      { items: { seq: number; type: string; statePath: string; details?: Record<string, unknown> }[] }
    >(
      "GET",
      `/api/v1/executions/${e.id}/history`,
    );
    assertEquals(h.body.items.map((x) => `${x.type} ${x.statePath}`.trim()), [
      "ExecutionStarted",
      "StateEntered A",
      "StateExited A",
      "StateEntered B",
      "TaskScheduled B",
      "TaskStarted B",
      "TaskSucceeded B",
      "StateExited B",
      "StateEntered C",
      "StateExited C",
      "ExecutionSucceeded",
    ]);
    assertEquals(h.body.items.map((x) => x.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // TaskStarted is recorded when the driver hands the committed task to its executor.
    assertEquals(h.body.items[5].details, { action: "fn:double", attempt: 1 });
    const page = await app.json<{ items: unknown[]; nextToken: string }>(
      "GET",
      `/api/v1/executions/${e.id}/history?limit=4`,
    );
    assertEquals(page.body.items.length, 4);
    const page2 = await app.json<{ items: { seq: number }[] }>(
      "GET",
      `/api/v1/executions/${e.id}/history?limit=4&nextToken=${page.body.nextToken}`,
    );
    assertEquals(page2.body.items[0].seq, 4);
  } finally {
    await app.close();
  }
});

Deno.test("async start returns 201 running; a second start with the same name returns the first execution", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "waits", {
      entry: "W",
      states: { W: { type: "wait", seconds: 0.05, end: true } },
    });
    const a = await app.json<{ id: string; status: string }>("POST", "/api/v1/templates/waits/executions", {
      name: "order-1",
    });
    assertEquals([a.status, a.body.status], [201, "running"]);
    const b = await app.json<{ id: string }>("POST", "/api/v1/templates/waits/executions", {
      name: "order-1",
    });
    assertEquals(b.body.id, a.body.id);
    const done = await waitFor(async () => {
      const r = await app.json<{ status: string }>("GET", `/api/v1/executions/${a.body.id}`);
      return r.body.status === "succeeded" ? r.body : undefined;
    });
    assertEquals(done.status, "succeeded");
    const c = await app.json<{ id: string; status: string }>("POST", "/api/v1/templates/waits/executions", {
      name: "order-1",
    });
    assertEquals([c.body.id, c.body.status], [a.body.id, "succeeded"]);
    const list = await app.json<{ items: { id: string }[] }>(
      "GET",
      "/api/v1/executions?status=succeeded&template=waits",
    );
    assertEquals(list.body.items.map((x) => x.id), [a.body.id]);
    const none = await app.json<{ items: unknown[] }>("GET", "/api/v1/executions?status=running");
    assertEquals(none.body.items, []);
  } finally {
    await app.close();
  }
});

Deno.test("function errors map errorType to the task error; catch routes them", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "catchy", {
      entry: "T",
      states: {
        T: {
          type: "task",
          action: "fn:fail",
          parameters: { type: "Payment.Declined", message: "card expired" },
          catch: [{ errors: ["Payment.Declined"], next: "Handled", output: { expression: "{% error %}" } }],
          end: true,
        },
        Handled: { type: "succeed" },
      },
    });
    const e = await runSync(app, "catchy", {});
    assertEquals(e.output, { error: "Payment.Declined", cause: "card expired" });
  } finally {
    await app.close();
  }
});

Deno.test("cancel aborts the running task and the execution shows cancelled", async () => {
  const calls: { name: string }[] = [];
  const app = await inProcess({ services: [createStepFlowService, fakeFunctions(calls as never)] });
  try {
    await createTemplate(app, "slow", {
      entry: "T",
      states: { T: { type: "task", action: "fn:slow", parameters: { ms: 60000 }, end: true } },
    });
    const a = await app.json<{ id: string }>("POST", "/api/v1/templates/slow/executions", {});
    await waitFor(() => Promise.resolve(calls.length ? true : undefined));
    const c = await app.json<{ status: string }>("POST", `/api/v1/executions/${a.body.id}/cancel`);
    assertEquals([c.status, c.body.status], [200, "cancelled"]);
    const again = await app.json("POST", `/api/v1/executions/${a.body.id}/cancel`);
    assertEquals(again.status, 409);
    const h = await app.json<{ items: { type: string }[] }>("GET", `/api/v1/executions/${a.body.id}/history`);
    assertEquals(h.body.items.at(-1)!.type, "ExecutionCancelled");
  } finally {
    await app.close();
  }
});

Deno.test("express executions run in memory: sync output, no history", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "three", threeStates);
    const e = await runSync(app, "three", { n: 1 }, { kind: "express" });
    assertEquals([e.status, e.output, e.kind], ["succeeded", { result: 4 }, "express"]);
    const got = await app.json<{ status: string }>("GET", `/api/v1/executions/${e.id}`);
    assertEquals(got.body.status, "succeeded");
    assertEquals((await app.json("GET", `/api/v1/executions/${e.id}/history`)).status, 400);
    const list = await app.json<{ items: unknown[] }>("GET", "/api/v1/executions");
    assertEquals(list.body.items, []);
  } finally {
    await app.close();
  }
});
