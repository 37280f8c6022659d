/**
 * A deterministic in-memory driver for the pure engine: virtual time, scripted task
 * results, every command applied in order. Used by unit, golden and property tests and by
 * `test-state`-style tooling; it never touches a clock, the network or a database.
 */
import { CompiledFlow, type EngineEnv, handle, newExecState } from "./mod.ts";
import type { Command, ExecState, HistoryEvent, Trigger } from "./types.ts";
import type { Dsl } from "../dsl/schema.ts";
import type { Bindings } from "../expr/template.ts";

export type TaskOutcome =
  | { output: unknown }
  | { error: string; cause?: string }
  /** Never answers (for timeouts, heartbeats, callbacks, cancel). */
  | { hang: true }
  | { afterMs: number; output?: unknown; error?: string; cause?: string };

export interface SimTask {
  action: string;
  input: unknown;
  key: string;
  statePath: string;
  token?: string;
  at: number;
}

export interface SimOptions {
  input?: unknown;
  /** Decides each dispatched task's outcome. */
  tasks?: (task: SimTask) => TaskOutcome | Promise<TaskOutcome>;
  start?: number;
  bindings?: Bindings;
  limits?: Partial<EngineEnv["limits"]>;
  /** Stop before virtual time passes this many ms after start (default: one day). */
  horizonMs?: number;
  /** Extra triggers to inject at virtual times. */
  inject?: { at: number; trigger: (s: Simulation) => Trigger | undefined }[];
  id?: string;
  /** Variables the root thread starts with (test-state). */
  vars?: Record<string, unknown>;
  /** Stops the run after the step that recorded a matching event. */
  stopOn?: (e: HistoryEvent) => boolean;
}

export class Simulation {
  readonly flow: CompiledFlow;
  readonly exec: ExecState;
  readonly history: HistoryEvent[] = [];
  readonly dispatched: SimTask[] = [];
  readonly aborted: string[] = [];
  now: number;
  #timers = new Map<string, number>();
  #queue: { at: number; trigger: Trigger }[] = [];
  #env: EngineEnv;
  #rng = 42;
  #tokens = 0;

  constructor(dsl: Dsl, readonly options: SimOptions = {}) {
    this.flow = new CompiledFlow(dsl);
    this.now = options.start ?? Date.UTC(2030, 0, 1);
    this.exec = newExecState({
      id: options.id ?? "exec1",
      name: "sim",
      template: "sim",
      version: 1,
      input: options.input ?? {},
      startedAt: this.now,
    });
    this.#env = {
      now: () => this.now,
      random: () => {
        this.#rng = (this.#rng * 1103515245 + 12345) % 2147483648;
        return this.#rng / 2147483648;
      },
      newToken: (id) => `${id}.tok${++this.#tokens}`,
      bindings: options.bindings,
      limits: { payloadBytes: 256 * 1024, historyEvents: 25_000, mapItems: 10_000, ...options.limits },
      record: true,
    };
    for (const i of options.inject ?? []) {
      this.#pending.push({ at: this.now + i.at, make: i.trigger });
    }
  }
  #pending: { at: number; make: (s: Simulation) => Trigger | undefined }[] = [];

  async #apply(trigger: Trigger) {
    const r = await handle(this.flow, this.exec, trigger, this.#env);
    this.history.push(...r.events);
    for (const c of r.commands) await this.#command(c);
    // Like the driver: each dispatched task reports TaskStarted as the next step.
    for (const c of r.commands) {
      if (c.type === "dispatch") await this.#apply({ type: "taskStarted", taskId: c.taskId });
    }
  }

  async #command(c: Command) {
    switch (c.type) {
      case "setTimer":
        this.#timers.set(c.timerId, c.at);
        break;
      case "clearTimer":
        this.#timers.delete(c.timerId);
        break;
      case "abortTask":
        this.aborted.push(c.taskId);
        this.#queue = this.#queue.filter((q) => !("taskId" in q.trigger) || q.trigger.taskId !== c.taskId);
        break;
      case "dispatch": {
        const task: SimTask = {
          action: c.action,
          input: c.input,
          key: c.key,
          statePath: c.statePath,
          token: c.token,
          at: this.now,
        };
        this.dispatched.push(task);
        const outcome = await (this.options.tasks?.(task) ?? { output: c.input });
        if ("hang" in outcome) break;
        const at = this.now + ("afterMs" in outcome ? outcome.afterMs : 0);
        const o = outcome as { output?: unknown; error?: string; cause?: string };
        this.#queue.push({
          at,
          trigger: o.error !== undefined
            ? { type: "taskFailed", taskId: c.taskId, error: o.error, cause: o.cause ?? "" }
            : { type: "taskSucceeded", taskId: c.taskId, output: o.output ?? null },
        });
        break;
      }
      case "finished":
        break;
    }
  }

  /** Sends one trigger now (e.g. a callback success, a cancel). */
  async send(trigger: Trigger) {
    await this.#apply(trigger);
  }

  /** Runs until the execution ends or nothing is left to happen before the horizon. */
  async run(): Promise<this> {
    if (this.exec.seq === 0) await this.#apply({ type: "start", vars: this.options.vars });
    const stopped = () => this.options.stopOn !== undefined && this.history.some(this.options.stopOn);
    const horizon = this.exec.startedAt + (this.options.horizonMs ?? 86_400_000);
    while (this.exec.status === "running" && !stopped()) {
      // Earliest of: queued task result, timer, injected trigger.
      let best: { at: number; kind: "q" | "t" | "p"; idx: number | string } | undefined;
      this.#queue.forEach((q, i) => {
        if (!best || q.at < best.at) best = { at: q.at, kind: "q", idx: i };
      });
      for (const [id, at] of this.#timers) if (!best || at < best.at) best = { at, kind: "t", idx: id };
      this.#pending.forEach((p, i) => {
        if (!best || p.at < best.at) best = { at: p.at, kind: "p", idx: i };
      });
      if (!best || best.at > horizon) break;
      const b = best as { at: number; kind: "q" | "t" | "p"; idx: number | string };
      this.now = Math.max(this.now, b.at);
      if (b.kind === "q") {
        const [q] = this.#queue.splice(b.idx as number, 1);
        await this.#apply(q.trigger);
      } else if (b.kind === "t") {
        this.#timers.delete(b.idx as string);
        await this.#apply({ type: "timer", timerId: b.idx as string });
      } else {
        const [p] = this.#pending.splice(b.idx as number, 1);
        const t = p.make(this);
        if (t) await this.#apply(t);
      }
    }
    return this;
  }

  /** `type statePath` lines: the history's shape, for golden comparisons. */
  shape(): string[] {
    return this.history.map((e) => `${e.type} ${e.statePath}`.trimEnd());
  }
}

/** Runs a DSL to completion in virtual time. */
export async function simulate(dsl: Dsl, options: SimOptions = {}): Promise<Simulation> {
  return await new Simulation(dsl, options).run();
}
