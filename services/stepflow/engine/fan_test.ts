import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import { simulate } from "./simulate.ts";
import { handle } from "./mod.ts";
import type { Dsl } from "../dsl/schema.ts";

const flow = (states: Record<string, unknown>) =>
  ({ entry: Object.keys(states)[0], states }) as unknown as Dsl;
const task = (extra: Record<string, unknown> = {}) => ({ type: "task", action: "http", end: true, ...extra });

Deno.test("parallel outputs the array of branch outputs in branch order", async () => {
  const s = await simulate(
    flow({
      P: {
        type: "parallel",
        branches: [
          { entry: "A", states: { A: task({ parameters: { v: "a" } }) } },
          {
            entry: "B",
            states: { B: { type: "set", output: { expression: "{% input.x * 2 %}" }, end: true } },
          },
        ],
        next: "Done",
      },
      Done: { type: "succeed" },
    }),
    { input: { x: 21 }, tasks: (t) => ({ output: t.input, afterMs: 10 }) },
  );
  assertEquals(s.exec.output, [{ v: "a" }, 42]);
  assertEquals(s.dispatched[0].statePath, "P/branch[0]/A");
  assertEquals(s.dispatched[0].key, "exec1:P/branch[0]/A:1");
});

Deno.test("a failing branch cancels its siblings and raises States.BranchFailed, which is catchable", async () => {
  const s = await simulate(
    flow({
      P: {
        type: "parallel",
        branches: [
          { entry: "A", states: { A: task() } },
          { entry: "B", states: { B: { type: "fail", error: "Boom", cause: "b broke" } } },
        ],
        catch: [{ errors: ["States.BranchFailed"], next: "C" }],
        end: true,
      },
      C: { type: "succeed" },
    }),
    { tasks: () => ({ hang: true }) },
  );
  assertEquals(s.exec.status, "succeeded");
  assertEquals(s.aborted, ["P/branch[0]/A#1"]);
  assertEquals((s.exec.output as { error: string }).error, "States.BranchFailed");
  assertMatch((s.exec.output as { cause: string }).cause, /branch 1 .* failed with Boom: b broke/);
});

Deno.test("branch and iteration variables see outer vars but their writes do not leak", async () => {
  const s = await simulate(
    flow({
      Init: { type: "set", assign: { x: 1 }, next: "P" },
      P: {
        type: "parallel",
        branches: [{
          entry: "A",
          states: {
            A: { type: "set", assign: { x: 99 }, next: "B" },
            B: { type: "set", output: { expression: "{% vars.x %}" }, end: true },
          },
        }, { entry: "C", states: { C: { type: "set", output: { expression: "{% vars.x %}" }, end: true } } }],
        next: "M",
      },
      M: {
        type: "map",
        items: "{% [1,2] %}",
        processor: {
          entry: "I",
          states: {
            I: { type: "set", assign: { x: "{% input %}" }, next: "J" },
            J: { type: "set", output: { expression: "{% vars.x %}" }, end: true },
          },
        },
        output: { expression: "{% {'in': input, 'x': vars.x, 'r': result} %}" },
        next: "End",
      },
      End: { type: "succeed", output: { expression: "{% {'in': input, 'x': vars.x} %}" } },
    }),
  );
  // Branch 0 sees its own x = 99; the outer x stays 1; map iterations write only their own x.
  assertEquals(s.exec.output, { in: { in: [99, 1], x: 1, r: [1, 2] }, x: 1 });
});

Deno.test("map runs the processor per item with itemSelector and context.map.item", async () => {
  const s = await simulate(
    flow({
      M: {
        type: "map",
        items: "{% input.orders %}",
        itemSelector: {
          id: "{% context.map.item.value.id %}",
          i: "{% context.map.item.index %}",
          tag: "{% input.tag %}",
        },
        processor: { entry: "T", states: { T: task() } },
        end: true,
      },
    }),
    { input: { tag: "x", orders: [{ id: "a" }, { id: "b" }] }, tasks: (t) => ({ output: t.input }) },
  );
  assertEquals(s.exec.output, [{ id: "a", i: 0, tag: "x" }, { id: "b", i: 1, tag: "x" }]);
  assertEquals(s.dispatched.map((t) => t.statePath), ["M/item[0]/T", "M/item[1]/T"]);
});

Deno.test("map maxConcurrency bounds running iterations", async () => {
  let running = 0;
  let peak = 0;
  const s = await simulate(
    flow({
      M: {
        type: "map",
        items: "{% [1,2,3,4,5] %}",
        maxConcurrency: 2,
        processor: { entry: "T", states: { T: task() } },
        end: true,
      },
    }),
    {
      tasks: () => {
        running++;
        peak = Math.max(peak, running);
        return { output: 1, afterMs: 100 };
      },
    },
  );
  // Every dispatch happens after a completion once two are in flight.
  assertEquals(s.exec.output, [1, 1, 1, 1, 1]);
  const times = s.dispatched.map((t) => t.at - s.exec.startedAt);
  assertEquals(times, [0, 0, 100, 100, 200]);
  running = peak;
});

Deno.test("map tolerates failures up to toleratedFailureCount, then raises States.ExceedToleratedFailureThreshold", async () => {
  const dsl = (count: number) =>
    flow({
      M: {
        type: "map",
        toleratedFailureCount: count,
        processor: { entry: "T", states: { T: task() } },
        end: true,
      },
    });
  const tasks = (t: { input: unknown }) =>
    (t.input as number) % 2 ? { error: "Odd", cause: "odd item" } : { output: t.input };
  const ok = await simulate(dsl(2), { input: [1, 2, 3, 4], tasks });
  assertEquals(ok.exec.status, "succeeded");
  assertEquals(ok.exec.output, [
    { error: "Odd", cause: "odd item" },
    2,
    { error: "Odd", cause: "odd item" },
    4,
  ]);
  const bad = await simulate(dsl(1), { input: [1, 2, 3, 4], tasks });
  assertEquals(bad.exec.error, "States.ExceedToleratedFailureThreshold");
});

Deno.test("map toleratedFailurePercentage compares failed/total against the percentage", async () => {
  const tasks = (t: { input: unknown }) => (t.input as number) === 1 ? { error: "E" } : { output: 0 };
  const dsl = (pct: number) =>
    flow({
      M: {
        type: "map",
        toleratedFailurePercentage: pct,
        processor: { entry: "T", states: { T: task() } },
        end: true,
      },
    });
  assertEquals((await simulate(dsl(25), { input: [1, 2, 3, 4], tasks })).exec.status, "succeeded");
  assertEquals(
    (await simulate(dsl(20), { input: [1, 2, 3, 4], tasks })).exec.error,
    "States.ExceedToleratedFailureThreshold",
  );
});

Deno.test("map items that are not an array fail with States.QueryEvaluationError; an empty map outputs []", async () => {
  const bad = await simulate(
    flow({
      M: {
        type: "map",
        items: "{% input.x %}",
        processor: { entry: "S", states: { S: { type: "succeed" } } },
        end: true,
      },
    }),
    {
      input: { x: 5 },
    },
  );
  assertEquals(bad.exec.error, "States.QueryEvaluationError");
  const empty = await simulate(
    flow({ M: { type: "map", processor: { entry: "S", states: { S: { type: "succeed" } } }, end: true } }),
    {
      input: [],
    },
  );
  assertEquals(empty.exec.output, []);
});

Deno.test("nested map in parallel uses composed state paths", async () => {
  const s = await simulate(
    flow({
      P: {
        type: "parallel",
        branches: [{
          entry: "M",
          states: {
            M: {
              type: "map",
              items: "{% [7] %}",
              processor: { entry: "T", states: { T: task() } },
              end: true,
            },
          },
        }],
        end: true,
      },
    }),
  );
  assertEquals(s.dispatched[0].statePath, "P/branch[0]/M/item[0]/T");
  assertEquals(s.exec.output, [[7]]);
});

Deno.test("redrive re-runs only the failed map iterations and keeps the succeeded results", async () => {
  let fail = true;
  const s = await simulate(
    flow({ M: { type: "map", processor: { entry: "T", states: { T: task() } }, end: true } }),
    {
      input: [1, 2, 3],
      tasks: (
        t,
      ) => (t.input === 2 && fail ? { error: "Flaky", afterMs: 10 } : { output: (t.input as number) * 10 }),
    },
  );
  assertEquals(s.exec.status, "failed");
  assertEquals(s.dispatched.length, 3);
  fail = false;
  await s.send({ type: "redrive" });
  await s.run();
  assertEquals(s.exec.status, "succeeded");
  assertEquals(s.exec.output, [10, 20, 30]);
  assertEquals(s.dispatched.map((t) => t.key).slice(3), ["exec1:M/item[1]/T:2"]);
});

Deno.test("redrive of a failed parallel re-runs the failed and cancelled branches from their current state", async () => {
  let fail = true;
  const s = await simulate(
    flow({
      P: {
        type: "parallel",
        branches: [
          { entry: "A", states: { A: task({ parameters: "a" }) } },
          { entry: "B1", states: { B1: { type: "set", next: "B2" }, B2: task({ parameters: "b" }) } },
          { entry: "C", states: { C: task({ parameters: "c" }) } },
        ],
        end: true,
      },
    }),
    {
      tasks: (t) =>
        t.input === "a"
          ? { output: "A" }
          : t.input === "b" && fail
          ? { error: "X", afterMs: 5 }
          : { output: "C", afterMs: 50 },
    },
  );
  assertEquals(s.exec.status, "failed");
  assertEquals(s.exec.error, "States.BranchFailed");
  fail = false;
  await s.send({ type: "redrive" });
  await s.run();
  assertEquals(s.exec.output, ["A", "C", "C"]);
  const after = s.history.slice(s.history.findIndex((e) => e.type === "ExecutionRedriven"));
  // B1 (a set state that already ran) is not entered again; B2 and C are.
  assertEquals(after.filter((e) => e.type === "StateEntered").map((e) => e.statePath), [
    "P/branch[1]/B2",
    "P/branch[2]/C",
  ]);
});

Deno.test("stale task results after a timeout change nothing", async () => {
  const s = await simulate(
    flow({
      T: task({ timeout: 1, catch: [{ errors: ["States.Timeout"], next: "C" }] }),
      C: { type: "succeed" },
    }),
    {
      tasks: () => ({ hang: true }),
    },
  );
  const before = s.history.length;
  const r = await handle(s.flow, s.exec, { type: "taskSucceeded", taskId: "T#1", output: 1 }, {
    now: () => 0,
    random: Math.random,
    newToken: () => "t",
    limits: { payloadBytes: 1e6, historyEvents: 1e5, mapItems: 1e4 },
    record: true,
  });
  assertEquals([r.events.length, r.commands.length, s.history.length], [0, 0, before]);
});
