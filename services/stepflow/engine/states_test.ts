import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import { simulate } from "./simulate.ts";
import type { Dsl } from "../dsl/schema.ts";

const flow = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ entry: Object.keys(states)[0], states, ...extra }) as unknown as Dsl;

Deno.test("set state evaluates output and assign against the state input", async () => {
  const s = await simulate(
    flow({
      A: {
        type: "set",
        output: { expression: { total: "{% input.a + input.b %}" } },
        assign: { seen: "{% input.a %}" },
        next: "B",
      },
      B: {
        type: "set",
        output: { expression: "{% {'total': input.total, 'seen': vars.seen} %}" },
        end: true,
      },
    }),
    { input: { a: 2, b: 3 } },
  );
  assertEquals(s.exec.status, "succeeded");
  assertEquals(s.exec.output, { total: 5, seen: 2 });
  assertEquals(s.shape(), [
    "ExecutionStarted",
    "StateEntered A",
    "StateExited A",
    "StateEntered B",
    "StateExited B",
    "ExecutionSucceeded",
  ]);
});

Deno.test("assign and output of one state both see the variables from before the state", async () => {
  const s = await simulate(
    flow({
      A: { type: "set", assign: { x: 1 }, next: "B" },
      B: {
        type: "set",
        assign: { x: "{% vars.x + 1 %}" },
        output: { expression: "{% vars.x %}" },
        next: "C",
      },
      C: { type: "succeed", output: { expression: "{% [input, vars.x] %}" } },
    }),
  );
  assertEquals(s.exec.output, [1, 2]);
});

Deno.test("router takes the first matching route, then default, else States.NoChoiceMatched", async () => {
  const dsl = (withDefault: boolean) =>
    flow({
      R: {
        type: "router",
        routes: [
          { condition: "{% input.n > 10 %}", next: "Big" },
          { condition: "{% input.n > 5 %}", next: "Mid", assign: { via: "mid" } },
        ],
        ...(withDefault ? { default: "Small" } : {}),
      },
      Big: { type: "succeed", output: { expression: "big" } },
      Mid: { type: "succeed", output: { expression: "{% 'mid:' & vars.via %}" } },
      Small: { type: "succeed", output: { expression: "small" } },
    });
  assertEquals((await simulate(dsl(true), { input: { n: 20 } })).exec.output, "big");
  assertEquals((await simulate(dsl(true), { input: { n: 7 } })).exec.output, "mid:mid");
  assertEquals((await simulate(dsl(true), { input: { n: 1 } })).exec.output, "small");
  const none = await simulate(dsl(false), { input: { n: 1 } });
  assertEquals(none.exec.status, "failed");
  assertEquals(none.exec.error, "States.NoChoiceMatched");
});

Deno.test("router condition that is not boolean fails with States.QueryEvaluationError naming the state", async () => {
  const s = await simulate(
    flow({
      R: { type: "router", routes: [{ condition: "{% input.n %}", next: "X" }] },
      X: { type: "succeed" },
    }),
    {
      input: { n: 3 },
    },
  );
  assertEquals(s.exec.error, "States.QueryEvaluationError");
  assertMatch(s.exec.cause!, /routes\[0\]\.condition of state 'R'/);
});

Deno.test("wait seconds and timestamp use durable timers in virtual time", async () => {
  const start = Date.UTC(2030, 0, 1);
  const s = await simulate(
    flow({
      W1: { type: "wait", seconds: "{% input.s %}", next: "W2" },
      W2: { type: "wait", timestamp: "2030-01-01T00:10:00Z", next: "Done" },
      Done: { type: "succeed", output: { expression: "{% $millis() %}" } },
    }),
    { input: { s: 30 }, start },
  );
  assertEquals(s.exec.status, "succeeded");
  assertEquals(s.now, start + 600_000);
  assertEquals(s.shape().filter((l) => l.startsWith("Wait")), [
    "WaitStarted W1",
    "WaitFinished W1",
    "WaitStarted W2",
    "WaitFinished W2",
  ]);
});

Deno.test("wait with a timestamp in the past continues at once", async () => {
  const s = await simulate(flow({ W: { type: "wait", timestamp: "2000-01-01T00:00:00Z", end: true } }));
  assertEquals(s.exec.status, "succeeded");
});

Deno.test("fail state raises its evaluated error and cause", async () => {
  const s = await simulate(
    flow({ F: { type: "fail", error: "Order.Invalid", cause: "{% 'bad order ' & input.id %}" } }),
    {
      input: { id: 7 },
    },
  );
  assertEquals([s.exec.status, s.exec.error, s.exec.cause], ["failed", "Order.Invalid", "bad order 7"]);
});

Deno.test("task passes evaluated parameters and an idempotency key executionId:statePath:attempt", async () => {
  const s = await simulate(
    flow({
      T: {
        type: "task",
        action: "fn:charge",
        parameters: { amount: "{% input.amount * 100 %}" },
        output: { expression: { charged: "{% result.ok %}", orig: "{% input.amount %}" } },
        end: true,
      },
    }),
    { input: { amount: 2 }, tasks: () => ({ output: { ok: true } }) },
  );
  assertEquals(s.dispatched.map((t) => [t.action, t.input, t.key]), [[
    "fn:charge",
    { amount: 200 },
    "exec1:T:1",
  ]]);
  assertEquals(s.exec.output, { charged: true, orig: 2 });
  assertEquals(s.shape(), [
    "ExecutionStarted",
    "StateEntered T",
    "TaskScheduled T",
    "TaskStarted T",
    "TaskSucceeded T",
    "StateExited T",
    "ExecutionSucceeded",
  ]);
});

Deno.test("a task visited twice in a loop gets a new attempt number in its key", async () => {
  const s = await simulate(
    flow({
      T: { type: "task", action: "http", assign: { n: "{% (vars.n ? vars.n : 0) + 1 %}" }, next: "R" },
      R: { type: "router", routes: [{ condition: "{% vars.n < 3 %}", next: "T" }], default: "E" },
      E: { type: "succeed" },
    }),
    { tasks: () => ({ output: 1 }) },
  );
  assertEquals(s.dispatched.map((t) => t.key), ["exec1:T:1", "exec1:T:2", "exec1:T:3"]);
});

Deno.test("runtime expression errors become States.QueryEvaluationError with the expression and state path", async () => {
  const s = await simulate(
    flow({ A: { type: "set", output: { expression: "{% $undefinedFn(1) %}" }, end: true } }),
  );
  assertEquals(s.exec.error, "States.QueryEvaluationError");
  assertMatch(s.exec.cause!, /output of state 'A' failed: .*\$undefinedFn\(1\)/);
});

Deno.test("$secret and $param are bound and resolved through the given bindings", async () => {
  const s = await simulate(
    flow({
      A: {
        type: "set",
        output: {
          expression: { k: "{% $secret.apiKey %}", h: "{% $param('/db/host') %}", b: "{% $secret.`x-y` %}" },
        },
        end: true,
      },
    }),
    {
      bindings: {
        secret: (n) => Promise.resolve(`S(${n})`),
        param: (p) => Promise.resolve(`P(${p})`),
      },
    },
  );
  assertEquals(s.exec.output, { k: "S(apiKey)", h: "P(/db/host)", b: "S(x-y)" });
});

Deno.test("execution timeout ends a waiting execution as timed_out with States.Timeout", async () => {
  const s = await simulate(flow({ W: { type: "wait", seconds: 100, end: true } }, { timeout: 5 }));
  assertEquals([s.exec.status, s.exec.error], ["timed_out", "States.Timeout"]);
  assertEquals(s.shape().at(-1), "ExecutionTimedOut");
});

Deno.test("history limit stops an endless loop with States.Runtime", async () => {
  const s = await simulate(
    flow({ A: { type: "set", next: "B" }, B: { type: "router", routes: [{ condition: true, next: "A" }] } }),
    { limits: { historyEvents: 200 } },
  );
  assertEquals([s.exec.status, s.exec.error], ["failed", "States.Runtime"]);
  assertMatch(s.exec.cause!, /history limit of 200/);
});

Deno.test("payload limit on a task result fails the execution with States.DataLimitExceeded", async () => {
  const s = await simulate(
    flow({
      T: { type: "task", action: "http", catch: [{ errors: ["States.ALL"], next: "C" }], end: true },
      C: { type: "succeed" },
    }),
    {
      limits: { payloadBytes: 100 },
      tasks: () => ({ output: "x".repeat(500) }),
    },
  );
  assertEquals([s.exec.status, s.exec.error], ["failed", "States.DataLimitExceeded"]);
});
