/**
 * One engine step: applies a trigger to an execution's state and collects the history
 * events and commands it produces. Work is an agenda of small continuations (drive a thread,
 * finish a fan-out) processed in order, so nothing re-enters a thread that is mid-step.
 */
import type { CatcherT, State } from "../dsl/schema.ts";
import { type Bindings, ExpressionEvalError } from "../expr/template.ts";
import { errorMatches, FatalFailure, retryDelayMs, StateFailure, States } from "./errors.ts";
import type { CompiledFlow } from "./flow.ts";
import { childDone, childFailed } from "./fan.ts";
import { runState } from "./states.ts";
import type {
  Command,
  ErrorInfo,
  ExecState,
  ExecutionStatus,
  HistoryEvent,
  HistoryEventType,
  Thread,
  TimerKind,
} from "./types.ts";

export interface EngineLimits {
  payloadBytes: number;
  historyEvents: number;
  mapItems: number;
}

export interface EngineEnv {
  now(): number;
  /** Uniform [0,1) for retry jitter (seeded in tests). */
  random(): number;
  /** A new unguessable callback task token for this execution. */
  newToken(executionId: string): string;
  bindings?: Bindings;
  limits: EngineLimits;
  /** false for express executions: history events are counted but not built. */
  record: boolean;
}

// One step stamps many events and contexts within the same millisecond: format each instant once.
let lastMs = NaN;
let lastIso = "";
let prevMs = NaN;
let prevIso = "";
/** `new Date(ms).toISOString()`, remembering the last two instants. */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastIso;
  if (ms === prevMs) return prevIso;
  prevMs = lastMs;
  prevIso = lastIso;
  lastMs = ms;
  lastIso = new Date(ms).toISOString();
  return lastIso;
}

export type Next = { name: string; input: unknown } | undefined;

const FINISH_EVENT: Record<Exclude<ExecutionStatus, "running">, HistoryEventType> = {
  succeeded: "ExecutionSucceeded",
  failed: "ExecutionFailed",
  cancelled: "ExecutionCancelled",
  timed_out: "ExecutionTimedOut",
};

export class Run {
  readonly events: HistoryEvent[] = [];
  readonly commands: Command[] = [];
  /** State latencies for metrics: [stateType, ms]. */
  readonly exited: [string, number][] = [];
  readonly agenda: Array<() => Promise<void>> = [];

  constructor(readonly flow: CompiledFlow, readonly exec: ExecState, readonly env: EngineEnv) {}

  // ---- history ------------------------------------------------------------------------------
  emit(type: HistoryEventType, statePath: string, fields: Partial<HistoryEvent> = {}, force = false) {
    const seq = this.exec.seq++;
    if (!force && seq >= this.env.limits.historyEvents - 1) {
      throw new FatalFailure({
        error: States.Runtime,
        cause: `the execution reached the history limit of ${this.env.limits.historyEvents} events ` +
          "(stepflow.max_history_events); split the work into child workflows (wf:…)",
      });
    }
    if (!this.env.record) return;
    const e: HistoryEvent = { seq, type, timestamp: isoTime(this.env.now()), statePath };
    for (const k in fields) {
      const v = fields[k as keyof HistoryEvent];
      if (v !== undefined) (e as unknown as Record<string, unknown>)[k] = v;
    }
    this.events.push(e);
  }

  // ---- threads --------------------------------------------------------------------------------
  path(thread: Thread, state = thread.state): string {
    return thread.id ? `${thread.id}/${state}` : state;
  }
  def(thread: Thread): State {
    return this.flow.state(thread.graph, thread.state);
  }
  pointer(thread: Thread): string {
    return `${thread.graph}/states/${thread.state}`;
  }
  alive(thread: Thread, uid = thread.uid): boolean {
    return this.exec.status === "running" && this.exec.threads[thread.id]?.uid === uid &&
      thread.status === "running";
  }
  newThread(
    id: string,
    graph: string,
    vars: Record<string, unknown>,
    parent?: { id: string; index: number },
  ): Thread {
    const t: Thread = {
      id,
      uid: this.exec.counter++,
      graph,
      parent: parent?.id,
      index: parent?.index,
      status: "running",
      vars,
      state: "",
      input: undefined,
      enteredAt: this.env.now(),
      retries: [],
      phase: { kind: "idle" },
    };
    this.exec.threads[id] = t;
    return t;
  }
  descendants(thread: Thread): Thread[] {
    const prefix = thread.id ? thread.id + "/" : "";
    return Object.values(this.exec.threads).filter((t) => t !== thread && t.id.startsWith(prefix));
  }

  // ---- timers and tasks -----------------------------------------------------------------------
  setTimer(kind: TimerKind, at: number, ref: { thread?: Thread; taskId?: string } = {}): string {
    const id = `t${this.exec.counter++}`;
    this.exec.timers[id] = {
      at,
      kind,
      thread: ref.thread?.id,
      threadUid: ref.thread?.uid,
      taskId: ref.taskId,
    };
    this.commands.push({ type: "setTimer", timerId: id, at });
    return id;
  }
  clearTimer(id: string | undefined) {
    if (id === undefined || !(id in this.exec.timers)) return;
    delete this.exec.timers[id];
    this.commands.push({ type: "clearTimer", timerId: id });
  }
  dropTask(taskId: string, abortReason?: string) {
    const task = this.exec.tasks[taskId];
    if (!task) return;
    this.clearTimer(task.timeoutTimer);
    this.clearTimer(task.heartbeatTimer);
    delete this.exec.tasks[taskId];
    if (abortReason) this.commands.push({ type: "abortTask", taskId, reason: abortReason });
  }
  /** Stops a thread and everything below it: aborts tasks, clears timers; keeps them for redrive. */
  cancelTree(thread: Thread, reason: string) {
    for (const t of [thread, ...this.descendants(thread)]) {
      if (t.status !== "running") continue;
      if (t.phase.kind === "task") this.dropTask(t.phase.taskId, reason);
      if (t.phase.kind === "wait" || t.phase.kind === "retry") this.clearTimer(t.phase.timerId);
      t.status = "cancelled";
    }
  }
  /** Removes all child threads of a thread (its fan-out is over: completed, retried or caught). */
  purgeChildren(thread: Thread) {
    for (const t of this.descendants(thread)) {
      if (t.status === "running") this.cancelTree(t, "the enclosing state finished");
      delete this.exec.threads[t.id];
    }
  }

  // ---- data -------------------------------------------------------------------------------------
  context(thread: Thread, extra?: Record<string, unknown>) {
    const e = this.exec;
    let retryCount = 0;
    for (const n of thread.retries) retryCount += n ?? 0;
    const ctx: Record<string, unknown> = {
      execution: {
        id: e.id,
        name: e.name,
        template: e.template,
        version: e.version,
        startTime: isoTime(e.startedAt),
        redriveCount: e.redriveCount,
      },
      state: {
        name: thread.state,
        path: this.path(thread),
        enteredTime: isoTime(thread.enteredAt),
        retryCount,
      },
    };
    if (extra) Object.assign(ctx, extra);
    return ctx;
  }
  data(
    thread: Thread,
    extra?: { result?: unknown; error?: ErrorInfo; context?: Record<string, unknown> },
  ) {
    const d: Record<string, unknown> = {
      input: thread.input,
      vars: thread.vars,
      context: this.context(thread, extra?.context),
    };
    if (extra?.result !== undefined) d.result = extra.result;
    if (extra?.error !== undefined) d.error = extra.error;
    return d;
  }
  /** Evaluates a template at `pointer`; runtime errors become States.QueryEvaluationError. */
  async evaluate(
    thread: Thread,
    pointer: string,
    value: unknown,
    data: unknown,
    what: string,
  ): Promise<unknown> {
    const t = this.flow.template(pointer, value);
    if (t.isConstant) return t.constant;
    try {
      return await t.evaluate(data, this.env.bindings);
    } catch (err) {
      if (err instanceof ExpressionEvalError) {
        throw new StateFailure({
          error: States.QueryEvaluationError,
          cause: `${what} of state '${this.path(thread)}' failed: ${err.message}`,
        });
      }
      throw err;
    }
  }
  checkSize(value: unknown, what: string) {
    if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") {
      return;
    }
    const size = typeof value === "string" ? value.length * 3 : JSON.stringify(value).length;
    if (size > this.env.limits.payloadBytes) {
      const exact =
        new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)).length;
      if (exact > this.env.limits.payloadBytes) {
        throw new FatalFailure({
          error: States.DataLimitExceeded,
          cause:
            `${what} is ${exact} bytes; the limit is ${this.env.limits.payloadBytes} (stepflow.payload_limit)`,
        });
      }
    }
  }

  // ---- driving ----------------------------------------------------------------------------------
  /** Runs a thread from state to state until it blocks, ends or fails. */
  async drive(thread: Thread, next: Next) {
    const uid = thread.uid;
    let n = next;
    while (n && this.alive(thread, uid)) n = await this.enter(thread, n.name, n.input);
  }
  async enter(thread: Thread, name: string, input: unknown): Promise<Next> {
    thread.state = name;
    thread.input = input;
    thread.enteredAt = this.env.now();
    thread.retries = [];
    thread.phase = { kind: "idle" };
    const def = this.def(thread);
    this.emit("StateEntered", this.path(thread), { stateName: name, stateType: def.type, input });
    return await this.attempt(thread);
  }
  /** Runs the current state's body (again, on retry); failures go to retry/catch. */
  async attempt(thread: Thread): Promise<Next> {
    return await this.guard(thread, () => runState(this, thread));
  }
  async guard(thread: Thread, fn: () => Promise<Next>): Promise<Next> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StateFailure && !(err instanceof FatalFailure)) {
        return await this.handleError(thread, err.info);
      }
      throw err;
    }
  }

  /** The state produced `result`: evaluate output/assign, record, and pick the next state. */
  async complete(
    thread: Thread,
    result: unknown,
    route?: {
      next: string;
      output?: { expression: unknown };
      assign?: Record<string, unknown>;
      index: number;
    },
  ): Promise<Next> {
    const def = this.def(thread);
    const ptr = this.pointer(thread);
    const data = this.data(thread, { result });
    const producesResult = def.type === "task" || def.type === "parallel" || def.type === "map";
    let output = producesResult ? result : thread.input;
    const outSpec = route?.output ?? ("output" in def ? def.output : undefined);
    if (outSpec) {
      const at = route?.output
        ? `${ptr}/routes/${route.index}/output/expression`
        : `${ptr}/output/expression`;
      output = await this.evaluate(thread, at, outSpec.expression, data, "output");
      if (output === undefined) output = null;
    }
    let assigned: Record<string, unknown> | undefined;
    if ("assign" in def && def.assign) {
      assigned = await this.evaluate(thread, `${ptr}/assign`, def.assign, data, "assign") as Record<
        string,
        unknown
      >;
    }
    if (route?.assign) {
      const r = await this.evaluate(
        thread,
        `${ptr}/routes/${route.index}/assign`,
        route.assign,
        data,
        "assign",
      );
      assigned = { ...assigned, ...(r as Record<string, unknown>) };
    }
    this.checkSize(output, `the output of state '${this.path(thread)}'`);
    if (assigned) thread.vars = { ...thread.vars, ...assigned };
    this.purgeChildren(thread);
    thread.phase = { kind: "idle" };
    this.emit("StateExited", this.path(thread), { stateName: thread.state, stateType: def.type, output });
    this.exited.push([def.type, this.env.now() - thread.enteredAt]);
    const next = def.type === "router"
      ? route?.next
      : def.type === "succeed"
      ? undefined
      : (def as { next?: string }).next;
    if (!next) {
      this.threadEnded(thread, output);
      return undefined;
    }
    return { name: next, input: output };
  }

  threadEnded(thread: Thread, output: unknown) {
    if (thread.id === "") {
      this.finish("succeeded", { output });
      return;
    }
    delete this.exec.threads[thread.id];
    const parent = this.exec.threads[thread.parent!];
    if (parent) this.fanChildDone(parent, thread, output);
  }

  /** Retry, then catch, then fail the thread. */
  async handleError(thread: Thread, err: ErrorInfo): Promise<Next> {
    if (!this.alive(thread)) return undefined;
    const def = this.def(thread);
    const ptr = this.pointer(thread);
    if ("retry" in def && def.retry) {
      const i = def.retry.findIndex((r) => errorMatches(r.errors, err.error));
      if (i >= 0) {
        const r = def.retry[i];
        const used = thread.retries[i] ?? 0;
        const max = r.maxAttempts ?? 3;
        if (used < max) {
          thread.retries[i] = used + 1;
          const delay = retryDelayMs(r, used + 1, this.env.random);
          this.purgeChildren(thread);
          const timerId = this.setTimer("retry", this.env.now() + delay, { thread });
          thread.phase = { kind: "retry", timerId };
          this.emit("TaskRetryScheduled", this.path(thread), {
            stateName: thread.state,
            stateType: def.type,
            error: err.error,
            cause: err.cause,
            details: { retry: used + 1, maxAttempts: max, delayMs: delay, retrier: i },
          });
          return undefined;
        }
      }
    }
    if ("catch" in def && def.catch) {
      const i = def.catch.findIndex((c) => errorMatches(c.errors, err.error));
      if (i >= 0) return await this.caught(thread, def.catch[i], i, err, ptr);
    }
    this.failThread(thread, err);
    return undefined;
  }

  async caught(thread: Thread, c: CatcherT, i: number, err: ErrorInfo, ptr: string): Promise<Next> {
    const data = this.data(thread, { error: err });
    let output: unknown = { error: err.error, cause: err.cause };
    let assigned: Record<string, unknown> | undefined;
    try {
      if (c.output) {
        output = await this.evaluate(
          thread,
          `${ptr}/catch/${i}/output/expression`,
          c.output.expression,
          data,
          "catch output",
        );
      }
      if (c.assign) {
        assigned = await this.evaluate(
          thread,
          `${ptr}/catch/${i}/assign`,
          c.assign,
          data,
          "catch assign",
        ) as Record<
          string,
          unknown
        >;
      }
      if (output === undefined) output = null;
      this.checkSize(output, `the catch output of state '${this.path(thread)}'`);
    } catch (e) {
      if (e instanceof StateFailure && !(e instanceof FatalFailure)) {
        this.failThread(thread, e.info);
        return undefined;
      }
      throw e;
    }
    this.purgeChildren(thread);
    if (assigned) thread.vars = { ...thread.vars, ...assigned };
    thread.phase = { kind: "idle" };
    const def = this.def(thread);
    this.emit("StateExited", this.path(thread), {
      stateName: thread.state,
      stateType: def.type,
      output,
      error: err.error,
      cause: err.cause,
      details: { caughtBy: i },
    });
    this.exited.push([def.type, this.env.now() - thread.enteredAt]);
    return { name: c.next, input: output };
  }

  failThread(thread: Thread, err: ErrorInfo) {
    thread.status = "failed";
    thread.error = err;
    if (thread.phase.kind !== "fan") thread.phase = { kind: "idle" };
    if (thread.id === "") {
      this.finish("failed", err);
      return;
    }
    const parent = this.exec.threads[thread.parent!];
    if (parent) this.fanChildFailed(parent, thread, err);
  }

  /** Ends the execution: stops every running thread, task and timer. */
  finish(
    status: Exclude<ExecutionStatus, "running">,
    r: { output?: unknown; error?: string; cause?: string },
  ) {
    const e = this.exec;
    if (e.status !== "running") return;
    const root = e.threads[""];
    if (root) this.cancelTree(root, `execution ${status}`);
    for (const id of Object.keys(e.tasks)) this.dropTask(id, `execution ${status}`);
    for (const id of Object.keys(e.timers)) this.clearTimer(id);
    e.status = status;
    e.stoppedAt = this.env.now();
    if (status === "succeeded") {
      e.output = r.output;
    } else {
      if (r.error !== undefined) e.error = r.error;
      if (r.cause !== undefined) e.cause = r.cause;
    }
    this.emit(FINISH_EVENT[status], "", {
      output: status === "succeeded" ? r.output : undefined,
      error: r.error,
      cause: r.cause,
    }, true);
    this.commands.push({ type: "finished", status });
  }

  fanChildDone(parent: Thread, child: Thread, output: unknown) {
    childDone(this, parent, child, output);
  }
  fanChildFailed(parent: Thread, child: Thread, err: ErrorInfo) {
    childFailed(this, parent, child, err);
  }
}
