import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import { simulate } from "./simulate.ts";
import { errorMatches, retryDelayMs } from "./errors.ts";
import type { Dsl } from "../dsl/schema.ts";

const flow = (states: Record<string, unknown>) =>
  ({ entry: Object.keys(states)[0], states }) as unknown as Dsl;

Deno.test("errorMatches: States.ALL matches catchable errors, States.TaskFailed excludes States.Timeout", () => {
  assertEquals(errorMatches(["States.ALL"], "Custom.Error"), true);
  assertEquals(errorMatches(["States.ALL"], "States.DataLimitExceeded"), false);
  assertEquals(errorMatches(["States.TaskFailed"], "Custom.Error"), true);
  assertEquals(errorMatches(["States.TaskFailed"], "States.Timeout"), false);
  assertEquals(errorMatches(["States.TaskFailed"], "States.HeartbeatTimeout"), true);
  assertEquals(errorMatches(["A", "B"], "B"), true);
  assertEquals(errorMatches(["A"], "B"), false);
});

Deno.test("retryDelayMs applies interval, backoffRate, maxDelay and full jitter", () => {
  const r = { errors: ["X"], interval: 1, backoffRate: 2, maxDelay: 3 };
  assertEquals([1, 2, 3].map((n) => retryDelayMs(r, n, () => 0.5)), [1000, 2000, 3000]);
  assertEquals(retryDelayMs({ ...r, jitter: "full" as const }, 2, () => 0.25), 500);
});

Deno.test("run() retries States.Timeout 3 times, then the catcher's output and assign apply", async () => {
  const s = await simulate(
    flow({
      T: {
        type: "task",
        action: "http",
        timeout: 2,
        retry: [{ errors: ["States.Timeout"], interval: 1, maxAttempts: 3, backoffRate: 2 }],
        catch: [{
          errors: ["States.ALL"],
          next: "C",
          output: { expression: "{% error %}" },
          assign: { failed: true },
        }],
        end: true,
      },
      C: { type: "succeed", output: { expression: "{% $merge([input, {'failed': vars.failed}]) %}" } },
    }),
    { tasks: () => ({ hang: true }) },
  );
  assertEquals(s.dispatched.map((t) => t.key), ["exec1:T:1", "exec1:T:2", "exec1:T:3", "exec1:T:4"]);
  assertEquals(s.aborted.length, 4);
  assertEquals(s.exec.output, {
    error: "States.Timeout",
    cause: "task 'T' did not finish within its timeout",
    failed: true,
  });
  assertEquals(s.shape().filter((l) => l.startsWith("TaskRetryScheduled")).length, 3);
  // 4 attempts × 2 s timeout + 1 + 2 + 4 s backoff
  assertEquals(s.now - s.exec.startedAt, 15_000);
});

Deno.test("the first matching retrier decides; when exhausted the error goes to catch", async () => {
  let n = 0;
  const s = await simulate(
    flow({
      T: {
        type: "task",
        action: "http",
        retry: [{ errors: ["Busy"], maxAttempts: 1, interval: 0 }, {
          errors: ["States.ALL"],
          maxAttempts: 5,
          interval: 0,
        }],
        catch: [{ errors: ["Busy"], next: "C" }],
        end: true,
      },
      C: { type: "succeed" },
    }),
    { tasks: () => (n++, { error: "Busy", cause: "try later" }) },
  );
  assertEquals(n, 2);
  assertEquals(s.exec.output, { error: "Busy", cause: "try later" });
});

Deno.test("an uncaught task error fails the execution with the action's error name", async () => {
  const s = await simulate(flow({ T: { type: "task", action: "http", end: true } }), {
    tasks: () => ({ error: "Payment.Declined", cause: "card expired" }),
  });
  assertEquals([s.exec.status, s.exec.error, s.exec.cause], ["failed", "Payment.Declined", "card expired"]);
  assertEquals(s.shape().slice(-2), ["TaskFailed T", "ExecutionFailed"]);
});

Deno.test("callback task waits for its token; heartbeat timeout raises States.HeartbeatTimeout", async () => {
  const s = await simulate(
    flow({
      T: {
        type: "task",
        action: "http",
        mode: "callback",
        heartbeat: 5,
        parameters: { token: "{% context.task.token %}" },
        catch: [{ errors: ["States.HeartbeatTimeout"], next: "C" }],
        end: true,
      },
      C: { type: "fail", error: "{% input.error %}" },
    }),
    {
      tasks: () => ({ hang: true }),
      inject: [
        { at: 3000, trigger: (sim) => ({ type: "heartbeat", taskId: Object.keys(sim.exec.tasks)[0] }) },
      ],
    },
  );
  assertEquals(s.dispatched[0].input, { token: "exec1.tok1" });
  assertEquals(s.exec.error, "States.HeartbeatTimeout");
  assertEquals(s.now - s.exec.startedAt, 8000);
});

Deno.test("callback task completes with the output sent for its token", async () => {
  const s = await simulate(flow({ T: { type: "task", action: "http", mode: "callback", end: true } }), {
    tasks: () => ({ hang: true }),
    inject: [{
      at: 1000,
      trigger: (sim) => ({
        type: "taskSucceeded",
        taskId: Object.keys(sim.exec.tasks)[0],
        output: { approved: true },
      }),
    }],
  });
  assertEquals(s.exec.output, { approved: true });
});

Deno.test("cancel aborts in-flight tasks and ends the execution as cancelled", async () => {
  const s = await simulate(
    flow({
      P: {
        type: "parallel",
        branches: [{ entry: "A", states: { A: { type: "task", action: "http", end: true } } }, {
          entry: "B",
          states: { B: { type: "wait", seconds: 60, end: true } },
        }],
        end: true,
      },
    }),
    { tasks: () => ({ hang: true }), inject: [{ at: 10, trigger: () => ({ type: "cancel" }) }] },
  );
  assertEquals(s.exec.status, "cancelled");
  assertEquals(s.aborted, ["P/branch[0]/A#1"]);
  assertEquals(Object.keys(s.exec.timers), []);
  assertEquals(s.shape().at(-1), "ExecutionCancelled");
});

Deno.test("QueryEvaluationError in parameters is catchable by the task's catch", async () => {
  const s = await simulate(
    flow({
      T: {
        type: "task",
        action: "http",
        parameters: "{% $error('boom') %}",
        catch: [{ errors: ["States.QueryEvaluationError"], next: "C" }],
        end: true,
      },
      C: { type: "succeed" },
    }),
  );
  assertEquals(s.exec.status, "succeeded");
  assertMatch((s.exec.output as { cause: string }).cause, /parameters of state 'T' failed: boom/);
});
