/**
 * The StepFlow engine core — pure: `handle(flow, state, trigger, env)` mutates the
 * execution state and returns the history events and commands; the driver performs the
 * commands (timers, task calls, persistence). Time, randomness, tokens and `$secret`
 * lookups come in through `env`.
 */
import { FatalFailure, StateFailure, States } from "./errors.ts";
import type { CompiledFlow } from "./flow.ts";
import { redriveThread } from "./fan.ts";
import { type EngineEnv, Run } from "./run.ts";
import { taskParameters } from "./states.ts";
import type { ExecState, Transition, Trigger } from "./types.ts";
import type { TaskStateT } from "../dsl/schema.ts";

export type { EngineEnv, EngineLimits } from "./run.ts";
export { CompiledFlow } from "./flow.ts";
export { errorMatches, States } from "./errors.ts";
export type * from "./types.ts";

export function newExecState(init: {
  id: string;
  name: string;
  template: string;
  version: number;
  input: unknown;
  startedAt: number;
}): ExecState {
  return {
    v: 1,
    ...init,
    status: "running",
    threads: {},
    tasks: {},
    timers: {},
    attempts: {},
    seq: 0,
    counter: 0,
    redriveCount: 0,
  };
}

export interface StepResult extends Transition {
  /** [stateType, ms] for every state that exited in this step. */
  exited: [string, number][];
}

/** Applies one trigger. Stale triggers (an old task's result, a cleared timer) change nothing. */
export async function handle(
  flow: CompiledFlow,
  exec: ExecState,
  trigger: Trigger,
  env: EngineEnv,
): Promise<StepResult> {
  const run = new Run(flow, exec, env);
  try {
    await apply(run, trigger);
    while (run.agenda.length) await run.agenda.shift()!();
  } catch (err) {
    if (err instanceof FatalFailure) run.finish("failed", err.info);
    else if (err instanceof StateFailure) run.finish("failed", err.info);
    else {
      run.finish("failed", {
        error: States.Runtime,
        cause: `internal engine error: ${(err as Error)?.message ?? String(err)}`,
      });
    }
  }
  return { events: run.events, commands: run.commands, exited: run.exited };
}

async function apply(run: Run, trigger: Trigger) {
  const exec = run.exec;
  const now = run.env.now();
  switch (trigger.type) {
    case "start": {
      if (exec.seq > 0) return;
      run.emit("ExecutionStarted", "", {
        input: exec.input,
        details: { template: exec.template, version: exec.version },
      });
      run.checkSize(exec.input, "the execution input");
      if (run.flow.dsl.timeout) run.setTimer("execTimeout", exec.startedAt + run.flow.dsl.timeout * 1000);
      const root = run.newThread("", "", { ...trigger.vars });
      await run.drive(root, { name: run.flow.dsl.entry, input: exec.input });
      return;
    }
    case "taskStarted": {
      const task = exec.tasks[trigger.taskId];
      if (!task || exec.status !== "running") return;
      run.emit("TaskStarted", task.statePath, {
        stateName: exec.threads[task.thread]?.state,
        details: {
          action: task.action,
          attempt: task.attempt,
          ...(trigger.resumed ? { resumed: true } : {}),
        },
      });
      return;
    }
    case "taskSucceeded":
    case "taskFailed": {
      const task = exec.tasks[trigger.taskId];
      if (!task || exec.status !== "running") return;
      const thread = exec.threads[task.thread];
      run.dropTask(trigger.taskId);
      if (!thread || thread.uid !== task.threadUid || !run.alive(thread)) return;
      if (thread.phase.kind !== "task" || thread.phase.taskId !== trigger.taskId) return;
      thread.phase = { kind: "idle" };
      if (trigger.type === "taskSucceeded") {
        run.emit("TaskSucceeded", task.statePath, { stateName: thread.state, output: trigger.output });
        run.checkSize(trigger.output, `the result of task '${task.statePath}'`);
        const next = await run.guard(thread, () => run.complete(thread, trigger.output));
        await run.drive(thread, next);
      } else {
        run.emit("TaskFailed", task.statePath, {
          stateName: thread.state,
          error: trigger.error,
          cause: trigger.cause,
        });
        await run.drive(
          thread,
          await run.handleError(thread, { error: trigger.error, cause: trigger.cause }),
        );
      }
      return;
    }
    case "heartbeat": {
      const task = exec.tasks[trigger.taskId];
      if (!task?.heartbeatTimer || task.heartbeatSeconds === undefined) return;
      run.clearTimer(task.heartbeatTimer);
      task.heartbeatTimer = run.setTimer("heartbeat", now + Math.round(task.heartbeatSeconds * 1000), {
        taskId: trigger.taskId,
      });
      return;
    }
    case "timer": {
      const timer = exec.timers[trigger.timerId];
      if (!timer || exec.status !== "running") return;
      delete exec.timers[trigger.timerId];
      if (timer.kind === "execTimeout") {
        run.finish("timed_out", {
          error: States.Timeout,
          cause: `the execution exceeded its timeout of ${run.flow.dsl.timeout} s`,
        });
        return;
      }
      if (timer.kind === "taskTimeout" || timer.kind === "heartbeat") {
        const task = exec.tasks[timer.taskId!];
        if (!task) return;
        const thread = exec.threads[task.thread];
        const error = timer.kind === "taskTimeout" ? States.Timeout : States.HeartbeatTimeout;
        const cause = timer.kind === "taskTimeout"
          ? `task '${task.statePath}' did not finish within its timeout`
          : `task '${task.statePath}' sent no heartbeat within ${task.heartbeatSeconds} s`;
        if (timer.kind === "taskTimeout") delete task.timeoutTimer;
        else delete task.heartbeatTimer;
        run.dropTask(timer.taskId!, cause);
        if (!thread || thread.uid !== task.threadUid || !run.alive(thread)) return;
        thread.phase = { kind: "idle" };
        run.emit("TaskTimedOut", task.statePath, { stateName: thread.state, error, cause });
        await run.drive(thread, await run.handleError(thread, { error, cause }));
        return;
      }
      const thread = timer.thread !== undefined ? exec.threads[timer.thread] : undefined;
      if (!thread || thread.uid !== timer.threadUid || !run.alive(thread)) return;
      if (timer.kind === "wait" && thread.phase.kind === "wait" && thread.phase.timerId === trigger.timerId) {
        run.emit("WaitFinished", run.path(thread), { stateName: thread.state });
        thread.phase = { kind: "idle" };
        await run.drive(thread, await run.guard(thread, () => run.complete(thread, undefined)));
      } else if (
        timer.kind === "retry" && thread.phase.kind === "retry" && thread.phase.timerId === trigger.timerId
      ) {
        thread.phase = { kind: "idle" };
        await run.drive(thread, await run.attempt(thread));
      }
      return;
    }
    case "cancel":
      run.finish("cancelled", { cause: trigger.cause ?? "cancelled by request" });
      return;
    case "redrive": {
      if (exec.status === "running" || exec.status === "succeeded") return;
      const root = exec.threads[""];
      if (!root) return;
      exec.status = "running";
      delete exec.error;
      delete exec.cause;
      delete exec.stoppedAt;
      exec.redriveCount++;
      run.emit("ExecutionRedriven", "", { details: { redriveCount: exec.redriveCount } });
      if (run.flow.dsl.timeout) run.setTimer("execTimeout", now + run.flow.dsl.timeout * 1000);
      redriveThread(run, root);
      return;
    }
  }
}

/**
 * Rebuilds a task's input after a restart when the stored copy was redacted (it carried
 * secret values, which are never persisted).
 */
export async function resumeTaskInput(
  flow: CompiledFlow,
  exec: ExecState,
  taskId: string,
  env: EngineEnv,
): Promise<unknown> {
  const task = exec.tasks[taskId];
  if (!task) return undefined;
  if (!task.redacted) return task.input;
  const thread = exec.threads[task.thread];
  const run = new Run(flow, exec, env);
  return await taskParameters(run, thread, flow.state(thread.graph, thread.state) as TaskStateT, task.token);
}
