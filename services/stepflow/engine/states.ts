/** The body of each state type: what happens when a thread enters (or retries) a state. */
import type { FailStateT, RouterStateT, TaskStateT, WaitStateT } from "../dsl/schema.ts";
import { StateFailure, States } from "./errors.ts";
import { startMap, startParallel } from "./fan.ts";
import type { Next, Run } from "./run.ts";
import type { TaskRef, Thread } from "./types.ts";

export async function runState(run: Run, thread: Thread): Promise<Next> {
  const def = run.def(thread);
  switch (def.type) {
    case "set":
    case "succeed":
      return await run.complete(thread, undefined);
    case "fail":
      return await failState(run, thread, def);
    case "router":
      return await routerState(run, thread, def);
    case "wait":
      return await waitState(run, thread, def);
    case "task":
      return await scheduleTask(run, thread, def);
    case "parallel":
      return startParallel(run, thread, def);
    case "map":
      return await startMap(run, thread, def);
  }
}

async function failState(run: Run, thread: Thread, def: FailStateT): Promise<Next> {
  const ptr = run.pointer(thread);
  const data = run.data(thread);
  const error = def.error === undefined
    ? "States.Fail"
    : await run.evaluate(thread, `${ptr}/error`, def.error, data, "error");
  const cause = def.cause === undefined
    ? ""
    : await run.evaluate(thread, `${ptr}/cause`, def.cause, data, "cause");
  const text = (
    v: unknown,
  ) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
  run.failThread(thread, { error: text(error) || "States.Fail", cause: text(cause) });
  return undefined;
}

async function routerState(run: Run, thread: Thread, def: RouterStateT): Promise<Next> {
  const ptr = run.pointer(thread);
  const data = run.data(thread);
  for (const [index, route] of def.routes.entries()) {
    const value = await run.evaluate(
      thread,
      `${ptr}/routes/${index}/condition`,
      route.condition,
      data,
      `routes[${index}].condition`,
    );
    if (typeof value !== "boolean") {
      throw new StateFailure({
        error: States.QueryEvaluationError,
        cause: `routes[${index}].condition of state '${run.path(thread)}' must be true or false, got ${
          value === undefined ? "nothing" : JSON.stringify(value)
        }`,
      });
    }
    if (value) return await run.complete(thread, undefined, { ...route, index });
  }
  if (def.default) return await run.complete(thread, undefined, { next: def.default, index: -1 });
  throw new StateFailure({
    error: States.NoChoiceMatched,
    cause: `no route of router '${run.path(thread)}' matched and it has no default`,
  });
}

async function waitState(run: Run, thread: Thread, def: WaitStateT): Promise<Next> {
  const ptr = run.pointer(thread);
  const data = run.data(thread);
  const now = run.env.now();
  let at: number;
  if (def.seconds !== undefined) {
    const s = await run.evaluate(thread, `${ptr}/seconds`, def.seconds, data, "seconds");
    if (typeof s !== "number" || !Number.isFinite(s) || s < 0) {
      throw new StateFailure({
        error: States.QueryEvaluationError,
        cause: `seconds of wait '${run.path(thread)}' must be a number ≥ 0, got ${
          JSON.stringify(s) ?? "nothing"
        }`,
      });
    }
    at = now + Math.round(s * 1000);
  } else {
    const ts = await run.evaluate(thread, `${ptr}/timestamp`, def.timestamp, data, "timestamp");
    const parsed = typeof ts === "string" ? Date.parse(ts) : NaN;
    if (Number.isNaN(parsed)) {
      throw new StateFailure({
        error: States.QueryEvaluationError,
        cause: `timestamp of wait '${run.path(thread)}' must be an ISO 8601 date-time, got ${
          JSON.stringify(ts) ?? "nothing"
        }`,
      });
    }
    at = parsed;
  }
  const path = run.path(thread);
  run.emit("WaitStarted", path, { stateName: thread.state, details: { until: new Date(at).toISOString() } });
  if (at <= now) {
    run.emit("WaitFinished", path, { stateName: thread.state });
    return await run.complete(thread, undefined);
  }
  const timerId = run.setTimer("wait", at, { thread });
  thread.phase = { kind: "wait", timerId };
  return undefined;
}

/** Evaluates a task's parameters (also used to rebuild redacted inputs on resume). */
export async function taskParameters(
  run: Run,
  thread: Thread,
  def: TaskStateT,
  token?: string,
): Promise<unknown> {
  if (def.parameters === undefined) return thread.input;
  const data = run.data(thread, { context: token ? { task: { token } } : {} });
  return await run.evaluate(thread, `${run.pointer(thread)}/parameters`, def.parameters, data, "parameters");
}

async function scheduleTask(run: Run, thread: Thread, def: TaskStateT): Promise<Next> {
  const exec = run.exec;
  const path = run.path(thread);
  const mode = def.mode ?? "sync";
  const token = mode === "callback" ? run.env.newToken(exec.id) : undefined;
  const input = await taskParameters(run, thread, def, token);
  run.checkSize(input, `the parameters of task '${path}'`);
  const attempt = (exec.attempts[path] ?? 0) + 1;
  exec.attempts[path] = attempt;
  const taskId = `${path}#${attempt}`;
  const key = `${exec.id}:${path}:${attempt}`;
  const now = run.env.now();
  const task: TaskRef = {
    thread: thread.id,
    threadUid: thread.uid,
    statePath: path,
    action: def.action,
    input,
    attempt,
    key,
    mode,
    scheduledAt: now,
  };
  if (token) task.token = token;
  if (def.timeout !== undefined) {
    task.deadline = now + Math.round(def.timeout * 1000);
    task.timeoutTimer = run.setTimer("taskTimeout", task.deadline, { taskId });
  }
  if (def.heartbeat !== undefined && mode === "callback") {
    task.heartbeatSeconds = def.heartbeat;
    task.heartbeatTimer = run.setTimer("heartbeat", now + Math.round(def.heartbeat * 1000), { taskId });
  }
  exec.tasks[taskId] = task;
  thread.phase = { kind: "task", taskId };
  run.emit("TaskScheduled", path, {
    stateName: thread.state,
    stateType: "task",
    input,
    details: {
      action: def.action,
      attempt,
      idempotencyKey: key,
      mode,
      ...(token ? { token } : {}),
      ...(def.timeout !== undefined ? { timeout: def.timeout } : {}),
      ...(def.heartbeat !== undefined ? { heartbeat: def.heartbeat } : {}),
    },
  });
  run.commands.push({
    type: "dispatch",
    taskId,
    action: def.action,
    input,
    key,
    mode,
    statePath: path,
    ...(token ? { token } : {}),
    ...(task.deadline !== undefined ? { deadline: task.deadline } : {}),
  });
  return undefined;
}
