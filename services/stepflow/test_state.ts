/**
 * `test-state` (like AWS TestState): runs ONE state definition with a given input and
 * variables, optionally with a mocked task result or error, and reports the data after each
 * step and where the flow would go next. The real engine runs it; transitions lead to stub
 * states so nothing beyond the tested state executes.
 */
import type { Dsl, State } from "./dsl/schema.ts";
import { Simulation, type TaskOutcome } from "./engine/simulate.ts";
import type { HistoryEvent } from "./engine/types.ts";
import type { Bindings } from "./expr/template.ts";
import { taskError } from "./executor/support.ts";
import type { TestStateResult } from "./types.ts";

export const TESTED = "__tested";

export interface TestStateRequest {
  definition: Record<string, unknown>;
  input?: unknown;
  vars?: Record<string, unknown>;
  mock?: { result: unknown } | { error: string; cause?: string };
}

function targetsOf(def: Record<string, unknown>): string[] {
  const out = new Set<string>();
  if (typeof def.next === "string") out.add(def.next);
  if (typeof def.default === "string") out.add(def.default);
  for (const r of (def.routes as { next?: unknown }[] | undefined) ?? []) {
    if (typeof r.next === "string") out.add(r.next);
  }
  for (const c of (def.catch as { next?: unknown }[] | undefined) ?? []) {
    if (typeof c.next === "string") out.add(c.next);
  }
  return [...out];
}

/** The DSL the test runs: the state plus a parked stub for every target it names. */
export function testStateDsl(definition: Record<string, unknown>): Dsl {
  const states: Record<string, unknown> = { [TESTED]: definition };
  for (const t of targetsOf(definition)) {
    if (t !== TESTED) states[t] = { type: "wait", seconds: 31_536_000, end: true };
  }
  return { entry: TESTED, states: states as Record<string, State> };
}

export async function runTestState(
  req: TestStateRequest,
  o: {
    execute: (action: string, input: unknown, key: string) => Promise<unknown>;
    bindings?: Bindings;
    now: number;
  },
): Promise<TestStateResult> {
  const dsl = testStateDsl(req.definition);
  const mock = req.mock;
  const sim = new Simulation(dsl, {
    input: req.input ?? {},
    vars: req.vars ?? {},
    bindings: o.bindings,
    id: "test-state",
    start: o.now,
    horizonMs: 1e11,
    stopOn: (e) => e.type === "TaskRetryScheduled" || (e.type === "StateEntered" && e.statePath !== TESTED),
    tasks: async (t): Promise<TaskOutcome> => {
      if (mock && "result" in mock) return { output: mock.result };
      if (mock && "error" in mock) return { error: mock.error, cause: mock.cause ?? "" };
      try {
        return { output: await o.execute(t.action, t.input, t.key) };
      } catch (err) {
        return taskError(err);
      }
    },
  });
  await sim.run();
  return summarize(sim.history, sim);
}

const rename = (path: string) => path.replace(TESTED, "(state)");

function summarize(history: HistoryEvent[], sim: Simulation): TestStateResult {
  const steps: { name: string; data: unknown }[] = [];
  let exited: HistoryEvent | undefined;
  let next: string | undefined;
  let retry: HistoryEvent | undefined;
  for (const e of history) {
    const inside = e.statePath.startsWith(TESTED) && e.statePath !== TESTED;
    if (e.statePath === TESTED || e.statePath === "" || inside) {
      if (e.type === "StateEntered" && e.statePath === TESTED) steps.push({ name: "input", data: e.input });
      else if (e.type === "TaskScheduled") {
        steps.push({ name: inside ? `parameters ${rename(e.statePath)}` : "parameters", data: e.input });
      } else if (e.type === "TaskSucceeded") {
        steps.push({ name: inside ? `result ${rename(e.statePath)}` : "result", data: e.output });
      } else if (e.type === "TaskFailed" || e.type === "TaskTimedOut") {
        steps.push({ name: "error", data: { error: e.error, cause: e.cause } });
      } else if (e.type === "StateExited" && e.statePath === TESTED) {
        exited = e;
        steps.push({ name: "output", data: e.output });
      } else if (e.type === "TaskRetryScheduled") retry = e;
    } else if (e.type === "StateEntered" && next === undefined) next = e.stateName;
  }
  const vars = sim.exec.threads[""]?.vars ?? {};
  steps.push({ name: "vars", data: vars });
  const exec = sim.exec;
  if (retry) return { status: "retriable", error: retry.error, cause: retry.cause, vars, steps };
  if (exited) {
    const caught = exited.error !== undefined;
    return {
      status: caught ? "caught" : "succeeded",
      output: exited.output,
      ...(caught ? { error: exited.error, cause: exited.cause } : {}),
      ...(next !== undefined ? { nextState: next } : {}),
      vars,
      steps,
    };
  }
  if (exec.status === "failed" || exec.status === "timed_out") {
    return { status: "failed", error: exec.error, cause: exec.cause, vars, steps };
  }
  return { status: "running", vars, steps };
}
