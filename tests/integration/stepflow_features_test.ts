import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { createStepFlowService } from "../../services/stepflow/mod.ts";
import { createTemplate, type FakeCall, fakeFunctions, runSync, waitFor } from "./stepflow_support.ts";
import type { SystemEvent } from "../../runtime/events.ts";

const setup = (calls: FakeCall[] = []) =>
  inProcess({ services: [createStepFlowService, fakeFunctions(calls)] });

Deno.test("parallel of fn tasks and a map over fn tasks produce ordered arrays", async () => {
  const calls: FakeCall[] = [];
  const app = await setup(calls);
  try {
    await createTemplate(app, "fan", {
      entry: "P",
      states: {
        P: {
          type: "parallel",
          branches: [1, 2, 3].map((k) => ({
            entry: "T",
            states: { T: { type: "task", action: "fn:double", parameters: { n: k }, end: true } },
          })),
          next: "M",
        },
        M: {
          type: "map",
          items: "{% input %}",
          processor: {
            entry: "D",
            states: { D: { type: "task", action: "fn:double", parameters: { n: "{% input %}" }, end: true } },
          },
          end: true,
        },
      },
    });
    const e = await runSync(app, "fan", {});
    assertEquals(e.output, [4, 8, 12]);
    assertEquals(calls.length, 6);
    assertEquals(calls[0].caller?.statePath, "P/branch[0]/T");
    assertMatch(calls[0].key!, new RegExp(`^${e.id}:P/branch\\[0\\]/T:1$`));
  } finally {
    await app.close();
  }
});

Deno.test("callback task: the token completes it via POST /api/v1/tasks/{token}/success", async () => {
  const calls: FakeCall[] = [];
  const app = await setup(calls);
  try {
    await createTemplate(app, "approve", {
      entry: "Ask",
      states: {
        Ask: {
          type: "task",
          action: "fn:echo",
          mode: "callback",
          parameters: { token: "{% context.task.token %}", order: "{% input.order %}" },
          heartbeat: 30,
          output: { expression: { approved: "{% result.ok %}" } },
          end: true,
        },
      },
    });
    const a = await app.json<{ id: string }>("POST", "/api/v1/templates/approve/executions", {
      input: { order: 7 },
    });
    const token = await waitFor(() => Promise.resolve((calls[0]?.input as { token?: string })?.token));
    assertEquals((calls[0].input as { order: number }).order, 7);
    assertEquals((await app.json("POST", `/api/v1/tasks/${token}/heartbeat`, {})).status, 200);
    const ok = await app.json<{ executionId: string; statePath: string }>(
      "POST",
      `/api/v1/tasks/${token}/success`,
      {
        output: { ok: true },
      },
    );
    assertEquals(ok.body, { executionId: a.body.id, statePath: "Ask" });
    const e = await waitFor(async () => {
      const r = await app.json<{ status: string; output: unknown }>("GET", `/api/v1/executions/${a.body.id}`);
      return r.body.status === "running" ? undefined : r.body;
    });
    assertEquals([e.status, e.output], ["succeeded", { approved: true }]);
    const again = await app.json<{ detail: string }>("POST", `/api/v1/tasks/${token}/success`, { output: 1 });
    assertEquals(again.status, 404);
    assertEquals(
      (await app.json("POST", "/api/v1/tasks/nonsense.token/failure", { error: "X" })).status,
      404,
    );
  } finally {
    await app.close();
  }
});

Deno.test("child workflow via wf: runs with the task's idempotency key as its name and returns its output", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "child", {
      entry: "C",
      states: { C: { type: "set", output: { expression: { got: "{% input.x * 3 %}" } }, end: true } },
    });
    await createTemplate(app, "failing-child", {
      entry: "F",
      states: { F: { type: "fail", error: "Child.Broke", cause: "nope" } },
    });
    await createTemplate(app, "parent", {
      entry: "Call",
      states: {
        Call: { type: "task", action: "wf:child", parameters: { x: "{% input.x %}" }, next: "Bad" },
        Bad: {
          type: "task",
          action: "wf:failing-child",
          catch: [{
            errors: ["Child.Broke"],
            next: "End",
            output: { expression: { first: "{% input %}", err: "{% error.error %}" } },
          }],
          end: true,
        },
        End: { type: "succeed" },
      },
    });
    const e = await runSync(app, "parent", { x: 2 });
    assertEquals(e.output, { first: { got: 6 }, err: "Child.Broke" });
    const children = await app.json<{ items: { name: string; parentExecutionId?: string }[] }>(
      "GET",
      "/api/v1/executions?template=child",
    );
    assertEquals(children.body.items.map((c) => [c.name, c.parentExecutionId]), [[`${e.id}:Call:1`, e.id]]);
  } finally {
    await app.close();
  }
});

Deno.test("redrive resumes a failed execution from the failed state with a new attempt", async () => {
  const calls: FakeCall[] = [];
  const app = await setup(calls);
  try {
    // fn:fail fails while input.type is set; the set state before it runs only once.
    await createTemplate(app, "redrivable", {
      entry: "Prep",
      states: {
        Prep: { type: "set", assign: { mode: "{% input.mode %}" }, next: "T" },
        T: { type: "task", action: "fn:count", end: true },
      },
    });
    await createTemplate(app, "always-fails", {
      entry: "T",
      states: { T: { type: "task", action: "fn:fail", parameters: { type: "Boom" }, end: true } },
    });
    const f = await runSync(app, "always-fails", {});
    assertEquals([f.status, f.error], ["failed", "Boom"]);
    const r = await app.json<{ status: string }>("POST", `/api/v1/executions/${f.id}/redrive`);
    assertEquals([r.status, r.body.status], [200, "running"]);
    const after = await waitFor(async () => {
      const g = await app.json<{ status: string; redriveCount?: number }>(
        "GET",
        `/api/v1/executions/${f.id}`,
      );
      return g.body.status === "running" ? undefined : g.body;
    });
    assertEquals([after.status, after.redriveCount], ["failed", 1]);
    assertEquals(calls.filter((c) => c.name === "fail").map((c) => c.key), [`${f.id}:T:1`, `${f.id}:T:2`]);
    const ok = await runSync(app, "redrivable", { mode: "x" });
    assertEquals((await app.json("POST", `/api/v1/executions/${ok.id}/redrive`)).status, 409);
  } finally {
    await app.close();
  }
});

Deno.test("system events and metrics are published for finished executions", async () => {
  const app = await setup();
  const seen: SystemEvent[] = [];
  app.server.deps.events.subscribe((e) => {
    seen.push(e);
  });
  try {
    await createTemplate(app, "ev", {
      entry: "S",
      states: { S: { type: "set", next: "F" }, F: { type: "fail", error: "E1", cause: "c1" } },
    });
    const e = await runSync(app, "ev", {});
    const ev = seen.find((s) => s.source === "aionix.stepflow")!;
    assertEquals(ev.detailType, "Execution Failed");
    assertEquals(ev.detail, {
      executionId: e.id,
      trn: e.trn,
      template: "ev",
      status: "failed",
      error: "E1",
      cause: "c1",
    });
    const metrics = await (await app.request("GET", "/metrics")).text();
    assertMatch(metrics, /aionix_stepflow_executions_total\{status="failed",kind="durable"\} 1/);
    assertMatch(metrics, /aionix_stepflow_state_duration_seconds_count/);
  } finally {
    await app.close();
  }
});

Deno.test("SSE stream sends history events with ids, then the final status", async () => {
  const app = await setup();
  try {
    await createTemplate(app, "sse", {
      entry: "W",
      states: { W: { type: "wait", seconds: 0.1, next: "S" }, S: { type: "succeed" } },
    });
    const a = await app.json<{ id: string }>("POST", "/api/v1/templates/sse/executions", {});
    const res = await app.request("GET", `/api/v1/executions/${a.body.id}/events`);
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\nid: (\d+)/g)].map((
      m,
    ) => [m[1], JSON.parse(m[2]).type, m[3]]);
    assertEquals(events.map((e) => e[1]), [
      "ExecutionStarted",
      "StateEntered",
      "WaitStarted",
      "WaitFinished",
      "StateExited",
      "StateEntered",
      "StateExited",
      "ExecutionSucceeded",
    ]);
    assertMatch(text, /event: status\ndata: .*"status":"succeeded"/);
    const resumed = await app.request("GET", `/api/v1/executions/${a.body.id}/events`, undefined, {
      "last-event-id": "5",
    });
    const rest = [...(await resumed.text()).matchAll(/id: (\d+)/g)].map((m) => Number(m[1]));
    assertEquals(rest, [6, 7]);
  } finally {
    await app.close();
  }
});

Deno.test("test-state runs one state with mocks and reports steps, next state and variables", async () => {
  const app = await setup();
  try {
    const r = await app.json<Record<string, unknown>>("POST", "/api/v1/stepflow/test-state", {
      definition: {
        type: "task",
        action: "fn:nothing-registered",
        parameters: { id: "{% input.id %}" },
        output: { expression: { total: "{% result.amount * 2 %}" } },
        assign: { seen: "{% vars.prev + 1 %}" },
        next: "Notify",
      },
      input: { id: 5 },
      vars: { prev: 1 },
      mock: { result: { amount: 21 } },
    });
    assertEquals(r.status, 200);
    assertEquals(r.body.status, "succeeded");
    assertEquals(r.body.nextState, "Notify");
    assertEquals(r.body.output, { total: 42 });
    assertEquals(r.body.vars, { prev: 1, seen: 2 });
    assertEquals((r.body.steps as { name: string }[]).map((s) => s.name), [
      "input",
      "parameters",
      "result",
      "output",
      "vars",
    ]);
    const caught = await app.json<Record<string, unknown>>("POST", "/api/v1/stepflow/test-state", {
      definition: {
        type: "task",
        action: "http",
        catch: [{ errors: ["States.ALL"], next: "Oops" }],
        end: true,
      },
      mock: { error: "Http.ServerError", cause: "500" },
    });
    assertEquals([caught.body.status, caught.body.nextState, caught.body.error], [
      "caught",
      "Oops",
      "Http.ServerError",
    ]);
    const router = await app.json<Record<string, unknown>>("POST", "/api/v1/stepflow/test-state", {
      definition: {
        type: "router",
        routes: [{ condition: "{% input.x > 1 %}", next: "Big" }],
        default: "Small",
      },
      input: { x: 5 },
    });
    assertEquals([router.body.status, router.body.nextState], ["succeeded", "Big"]);
    const bad = await app.json<{ diagnostics: { path: string }[] }>("POST", "/api/v1/stepflow/test-state", {
      definition: { type: "task", action: "fn:nope", end: true },
    });
    assertEquals(bad.status, 400);
    assert(bad.body.diagnostics.some((d) => d.path === "/action"));
  } finally {
    await app.close();
  }
});

Deno.test("$secret and $param resolve through the bus; secret values are redacted from history", async () => {
  const calls: FakeCall[] = [];
  const fakeVault = (deps: import("../../runtime/service.ts").ServiceDeps) => ({
    name: "fakevault",
    migrations: [],
    mount() {
      deps.bus.register("credvault", { execute: (req) => Promise.resolve(`s3cr3t-${req.trn.path}`) });
      deps.bus.register("paramstore", { execute: (req) => Promise.resolve({ host: req.trn.path }) });
    },
  });
  const app = await inProcess({ services: [createStepFlowService, fakeFunctions(calls), fakeVault] });
  try {
    await createTemplate(app, "secretive", {
      entry: "T",
      states: {
        T: {
          type: "task",
          action: "fn:echo",
          parameters: { auth: "{% 'Bearer ' & $secret.apiKey %}", db: "{% $param('/app/db').host %}" },
          output: { expression: { db: "{% result.db %}" } },
          end: true,
        },
      },
    });
    const e = await runSync(app, "secretive", {});
    assertEquals(e.output, { db: "app/db" });
    assertEquals(calls[0].input, { auth: "Bearer s3cr3t-apiKey", db: "app/db" });
    const h = await app.json<{ items: { type: string; input?: unknown }[] }>(
      "GET",
      `/api/v1/executions/${e.id}/history`,
    );
    const scheduled = h.body.items.find((x) => x.type === "TaskScheduled")!;
    assertEquals(scheduled.input, { auth: "Bearer ***", db: "app/db" });
    assert(!JSON.stringify(h.body).includes("s3cr3t"));
  } finally {
    await app.close();
  }
});
