/**
 * Express executions: started through the executor bus (`caller.kind`), inherited by child
 * workflows of an express parent, and listed from the in-memory ring with `?kind=express`.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { BadRequestError } from "../../runtime/errors.ts";
import { createStepFlowService } from "../../services/stepflow/mod.ts";
import { createTemplate, fakeFunctions, runSync } from "./stepflow_support.ts";
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

Deno.test("a wf: task of an express execution starts its child workflow as express", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "triple", triple);
    await createTemplate(app, "parent", {
      entry: "Call",
      states: { Call: { type: "task", action: "wf:triple", parameters: { x: "{% input.x %}" }, end: true } },
    });
    const e = await runSync(app, "parent", { x: 4 }, { kind: "express" });
    assertEquals([e.status, e.output, e.kind], ["succeeded", { got: 12 }, "express"]);
    const children = await app.json<{ items: Execution[] }>(
      "GET",
      "/api/v1/executions?kind=express&template=triple",
    );
    assertEquals(children.body.items.map((c) => [c.kind, c.parentExecutionId, c.output]), [[
      "express",
      e.id,
      { got: 12 },
    ]]);
    // Nothing of the express pair reached the database.
    const durable = await app.json<{ items: Execution[] }>("GET", "/api/v1/executions");
    assertEquals(durable.body.items, []);
  } finally {
    await app.close();
  }
});

Deno.test("GET /api/v1/executions?kind=express lists recent express executions newest first with filters and paging", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "triple", triple);
    await createTemplate(app, "boom", { entry: "F", states: { F: { type: "fail", error: "Boom" } } });
    const ids: string[] = [];
    for (let x = 0; x < 5; x++) {
      ids.push((await runSync(app, "triple", { x }, { kind: "express" })).id as string);
    }
    const failed = await runSync(app, "boom", {}, { kind: "express" });
    const durable = await runSync(app, "triple", { x: 9 });

    const all = await app.json<{ items: Execution[] }>("GET", "/api/v1/executions?kind=express");
    assertEquals(all.status, 200);
    assertEquals(all.body.items.map((e) => e.id), [failed.id, ...ids.reverse()]);
    assert(all.body.items.every((e) => e.kind === "express"));
    assertEquals(all.body.items[1].output, { got: 12 });

    const failures = await app.json<{ items: Execution[] }>(
      "GET",
      "/api/v1/executions?kind=express&status=failed",
    );
    assertEquals(failures.body.items.map((e) => [e.id, e.error]), [[failed.id, "Boom"]]);

    const p1 = await app.json<{ items: Execution[]; nextToken: string }>(
      "GET",
      "/api/v1/executions?kind=express&template=triple&limit=2",
    );
    assertEquals(p1.body.items.map((e) => e.id), ids.slice(0, 2));
    const p2 = await app.json<{ items: Execution[]; nextToken?: string }>(
      "GET",
      `/api/v1/executions?kind=express&template=triple&limit=2&nextToken=${p1.body.nextToken}`,
    );
    assertEquals(p2.body.items.map((e) => e.id), ids.slice(2, 4));

    // The durable list (default, or kind=durable) comes from the database only.
    for (const q of ["", "?kind=durable"]) {
      const d = await app.json<{ items: Execution[] }>("GET", `/api/v1/executions${q}`);
      assertEquals(d.body.items.map((e) => e.id), [durable.id]);
    }
    const bad = await app.json<{ errors: { path: string }[] }>("GET", "/api/v1/executions?kind=fast");
    assertEquals(bad.status, 400);
    assertEquals(bad.body.errors[0].path, "/query/kind");
  } finally {
    await app.close();
  }
});
