/**
 * The driver applies the engine's commands: it keeps running executions in memory, feeds
 * them triggers one at a time (a mailbox per execution), and GROUP-COMMITS their
 * transitions — every transition staged during one event-loop turn is written in one
 * `BEGIN IMMEDIATE` transaction. Commands (task dispatch, timers, replies, events) run only
 * after the commit that records them, so a SIGKILL loses nothing that was acknowledged.
 */
import type { Db } from "../../../runtime/storage/mod.ts";
import type { Clock } from "../../../runtime/clock.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { ExecutorBus } from "../../../runtime/bus.ts";
import type { SystemEvents } from "../../../runtime/events.ts";
import { randomSecret } from "../../../runtime/ids.ts";
import { GatewayTimeoutError } from "../../../runtime/errors.ts";
import { CompiledFlow } from "../engine/flow.ts";
import { handle, resumeTaskInput, type StepResult } from "../engine/mod.ts";
import type { Command, ExecutionStatus, HistoryEvent, Trigger } from "../engine/types.ts";
import type { Dsl } from "../dsl/schema.ts";
import type { ExecutionRow, StepFlowStore } from "../store.ts";
import { Live } from "./live.ts";
import { containsSecret, deferred, redact, secretStrings, taskError } from "./support.ts";
import type { StepFlowMetrics } from "./metrics.ts";

export interface DriverOptions {
  db: Db;
  store: StepFlowStore;
  bus: ExecutorBus;
  clock: Clock;
  logger: Logger;
  events: SystemEvents;
  metrics: StepFlowMetrics;
  limits: { payloadBytes: number; historyEvents: number; mapItems: number };
}

interface Pending {
  live: Live;
  insert: boolean;
  row: ExecutionRow;
  events: HistoryEvent[];
  commands: Command[];
  exited: [string, number][];
  acks: (() => void)[];
}

const MAX_TIMER_MS = 2_000_000_000;
/** How many finished express executions stay visible (get, list): they have no database row. */
export const EXPRESS_RING = 1000;
const DETAIL_TYPES: Record<string, string> = {
  succeeded: "Execution Succeeded",
  failed: "Execution Failed",
  timed_out: "Execution Timed Out",
  cancelled: "Execution Cancelled",
};

export class Driver {
  readonly live = new Map<string, Live>();
  readonly #names = new Map<string, Live>();
  /** Recently finished express executions (they have no database row). */
  readonly #express = new Map<string, Live>();
  readonly #flows = new Map<string, CompiledFlow>();
  #pending = new Map<string, Pending>();
  #flushScheduled = false;
  #stopped = false;

  constructor(private o: DriverOptions) {}

  // ---- flows ----------------------------------------------------------------------------------
  flow(templateId: string, version: number, dsl?: Dsl): CompiledFlow {
    const key = `${templateId}:${version}`;
    let f = this.#flows.get(key);
    if (!f) {
      const source = dsl ?? JSON.parse(this.o.store.versionDsl(templateId, version)?.dsl ?? "null");
      if (!source) throw new Error(`template version ${key} is gone`);
      f = new CompiledFlow(source).warm();
      if (this.#flows.size >= 256) this.#flows.delete(this.#flows.keys().next().value!);
      this.#flows.set(key, f);
    }
    return f;
  }

  hasFlow(templateId: string, version: number): boolean {
    return this.#flows.has(`${templateId}:${version}`);
  }

  nameKey = (templateId: string, name: string) => `${templateId}\n${name}`;
  byName(templateId: string, name: string): Live | undefined {
    return this.#names.get(this.nameKey(templateId, name));
  }
  /** Running and recently finished express executions (the ring holds the last EXPRESS_RING). */
  express(): Live[] {
    const out: Live[] = [];
    for (const l of this.live.values()) if (l.meta.kind === "express") out.push(l);
    for (const l of this.#express.values()) out.push(l);
    return out;
  }
  get(tenant: string, id: string): Live | undefined {
    const l = this.live.get(id) ?? this.#express.get(id);
    return l && l.meta.tenant === tenant ? l : undefined;
  }

  // ---- lifecycle ------------------------------------------------------------------------------
  /** Registers a new execution and starts it; resolves after ExecutionStarted is committed. */
  begin(live: Live): Live {
    live.env = this.#env(live);
    this.live.set(live.meta.id, live);
    this.#names.set(this.nameKey(live.meta.templateId, live.meta.name), live);
    this.o.metrics.executions.inc({ status: "started", kind: live.meta.kind });
    this.o.metrics.running.inc({ kind: live.meta.kind });
    this.enqueue(live, { type: "start" });
    return live;
  }

  /** Feeds one trigger to an execution; resolves once the resulting transition is committed. */
  enqueue(live: Live, trigger: Trigger): Promise<void> {
    const done = deferred<void>();
    live.chain = live.chain.then(async () => {
      if (trigger.type !== "redrive" && live.state.status !== "running") return done.resolve();
      const r = await handle(live.flow, live.state, trigger, live.env);
      if (!r.events.length && !r.commands.length && live.state.seq > 0 && live.persisted) {
        return done.resolve();
      }
      this.#stage(live, r, done.resolve);
    }).catch((err) => {
      this.o.logger.error("stepflow step failed", { executionId: live.meta.id, err });
      done.reject(err);
    });
    return done.promise;
  }

  #stage(live: Live, r: StepResult, ack: () => void) {
    let events = r.events;
    if (live.secrets.size) {
      events = redact(events, live.secrets);
      for (const c of r.commands) {
        const task = c.type === "dispatch" ? live.state.tasks[c.taskId] : undefined;
        if (task && containsSecret(task.input, live.secrets)) {
          task.input = redact(task.input, live.secrets);
          task.redacted = true;
        }
      }
    }
    if (live.meta.kind === "express") {
      this.#after(live, events, r.commands, r.exited);
      ack();
      return;
    }
    const id = live.meta.id;
    let p = this.#pending.get(id);
    if (!p) {
      p = { live, insert: !live.persisted, row: undefined!, events: [], commands: [], exited: [], acks: [] };
      this.#pending.set(id, p);
    }
    p.events.push(...events);
    p.commands.push(...r.commands);
    p.exited.push(...r.exited);
    p.acks.push(ack);
    p.row = this.#row(live);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  #row(live: Live): ExecutionRow {
    const s = live.state;
    const m = live.meta;
    const done = s.status !== "running";
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      id: m.id,
      tenant: m.tenant,
      template: m.template,
      template_id: m.templateId,
      version: m.version,
      name: m.name,
      kind: m.kind,
      status: s.status,
      input: live.inputJson,
      output: s.status === "succeeded" ? JSON.stringify(redact(s.output ?? null, live.secrets)) : null,
      error: s.error ?? null,
      cause: s.cause === undefined ? null : redact(s.cause, live.secrets),
      started_at: iso(s.startedAt)!,
      stopped_at: done ? iso(s.stoppedAt) : null,
      parent_id: m.parentId ?? null,
      depth: m.depth,
      redrive_count: s.redriveCount,
      // A succeeded execution can never resume or redrive: its engine state is not kept.
      snapshot: s.status === "succeeded" ? null : JSON.stringify(s),
    };
  }

  /** Commits everything staged so far in one transaction, then runs the commands. */
  flush() {
    this.#flushScheduled = false;
    if (!this.#pending.size) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    const now = new Date(this.o.clock.now()).toISOString();
    try {
      this.o.db.transaction(() => {
        this.o.store.write(batch.map((p) => ({ insert: p.insert, row: p.row, events: p.events, now })));
      });
    } catch (err) {
      // Nothing was acknowledged: keep the batch and try again shortly.
      this.o.logger.error("stepflow commit failed; retrying", { err, executions: batch.length });
      for (const p of batch) this.#pending.set(p.live.meta.id, p);
      if (!this.#stopped) {
        this.#flushScheduled = true;
        this.o.clock.setTimeout(() => this.flush(), 50);
      }
      return;
    }
    this.o.metrics.batch.observe(batch.length);
    for (const p of batch) {
      p.live.persisted = true;
      if (this.#stopped) continue;
      this.#after(p.live, p.events, p.commands, p.exited);
      for (const ack of p.acks) ack();
    }
  }

  #after(live: Live, events: HistoryEvent[], commands: Command[], exited: [string, number][]) {
    let finished: ExecutionStatus | undefined;
    for (const c of commands) {
      switch (c.type) {
        case "dispatch":
          this.#dispatch(live, c);
          break;
        case "abortTask": {
          const ctl = live.controllers.get(c.taskId);
          live.controllers.delete(c.taskId);
          ctl?.abort(new Error(c.reason));
          break;
        }
        case "setTimer":
          this.#arm(live, c.timerId, c.at);
          break;
        case "clearTimer": {
          const t = live.timers.get(c.timerId);
          if (t !== undefined) this.o.clock.clearTimeout(t);
          live.timers.delete(c.timerId);
          break;
        }
        case "finished":
          finished = c.status;
          break;
      }
    }
    live.started.resolve();
    this.o.metrics.transitions.inc(exited.length);
    for (const [type, ms] of exited) this.o.metrics.stateLatency.observe({ type }, ms / 1000);
    if (live.listeners.size) { for (const l of live.listeners) l(events, finished !== undefined); }
    if (finished) this.#finished(live, finished);
  }

  #finished(live: Live, status: ExecutionStatus) {
    const m = live.meta;
    this.o.metrics.executions.inc({ status, kind: m.kind });
    this.o.metrics.running.dec({ kind: m.kind });
    for (const ctl of live.controllers.values()) ctl.abort(new Error(`execution ${status}`));
    live.controllers.clear();
    for (const t of live.timers.values()) this.o.clock.clearTimeout(t);
    live.timers.clear();
    this.live.delete(m.id);
    this.#names.delete(this.nameKey(m.templateId, m.name));
    if (m.kind === "express") {
      this.#express.set(m.id, live);
      if (this.#express.size > EXPRESS_RING) this.#express.delete(this.#express.keys().next().value!);
    }
    const s = live.state;
    this.o.events.publish({
      tenant: m.tenant,
      source: "aionix.stepflow",
      detailType: DETAIL_TYPES[status],
      detail: {
        executionId: m.id,
        trn: m.trn,
        template: m.template,
        status,
        ...(s.error !== undefined ? { error: s.error } : {}),
        ...(s.cause !== undefined ? { cause: redact(s.cause, live.secrets) } : {}),
      },
      resources: [m.trn],
    });
    live.done = true;
    live.finished.resolve();
  }

  #arm(live: Live, timerId: string, at: number) {
    const delay = at - this.o.clock.now();
    const fire = () => {
      live.timers.delete(timerId);
      if (at - this.o.clock.now() > 0) return this.#arm(live, timerId, at);
      this.enqueue(live, { type: "timer", timerId }).catch(() => {});
    };
    live.timers.set(timerId, this.o.clock.setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS))));
  }

  #dispatch(live: Live, c: Extract<Command, { type: "dispatch" }>, resumed = false) {
    const ctl = new AbortController();
    live.controllers.set(c.taskId, ctl);
    const m = live.meta;
    // Recorded as the execution's next step, so it lands before the task's result.
    if (m.kind === "durable") {
      this.enqueue(live, { type: "taskStarted", taskId: c.taskId, ...(resumed ? { resumed } : {}) })
        .catch(() => {});
    }
    this.o.bus.execute(c.action, m.tenant, {
      input: c.input,
      mode: "sync",
      signal: ctl.signal,
      deadline: c.deadline,
      idempotencyKey: c.key,
      caller: {
        service: "stepflow",
        executionId: m.id,
        execution: m.trn,
        statePath: c.statePath,
        template: m.template,
        depth: m.depth,
        // An express execution keeps nothing to resume, so its child workflows are express too.
        ...(m.kind === "express" ? { kind: "express" } : {}),
        ...(c.token ? { taskToken: c.token } : {}),
      },
    }).then(
      (output) => {
        if (live.controllers.get(c.taskId) === ctl) live.controllers.delete(c.taskId);
        if (ctl.signal.aborted || c.mode === "callback") return;
        this.enqueue(live, {
          type: "taskSucceeded",
          taskId: c.taskId,
          output: output === undefined ? null : output,
        })
          .catch(() => {});
      },
      (err) => {
        if (live.controllers.get(c.taskId) === ctl) live.controllers.delete(c.taskId);
        // Aborted by the engine (timeout, cancel, a sibling failed): it already decided.
        if (ctl.signal.aborted) return;
        // The bus enforced the task deadline: the engine's own timeout timer reports it.
        if (err instanceof GatewayTimeoutError && c.deadline !== undefined) return;
        const info = taskError(err);
        this.enqueue(live, { type: "taskFailed", taskId: c.taskId, error: info.error, cause: info.cause })
          .catch(() => {});
      },
    );
  }

  #env(live: Live) {
    const m = live.meta;
    const bus = this.o.bus;
    return {
      now: () => this.o.clock.now(),
      random: Math.random,
      newToken: (id: string) => `${id}.${randomSecret(24)}`,
      limits: this.o.limits,
      record: m.kind === "durable",
      bindings: {
        secret: async (name: string, stage?: string) => {
          const target = String(name).startsWith("trn:")
            ? name
            : `trn:credvault:${m.tenant}:credential/${name}`;
          const value = await bus.execute(target, m.tenant, {
            operation: "resolve",
            input: stage ? { stage } : {},
            caller: { service: "stepflow", executionId: m.id },
          });
          secretStrings(value, live.secrets);
          return value;
        },
        param: (path: string) =>
          bus.execute(`trn:paramstore:${m.tenant}:param/${String(path).replace(/^\/+/, "")}`, m.tenant, {
            operation: "resolve",
            input: {},
            caller: { service: "stepflow", executionId: m.id },
          }),
      },
    };
  }

  // ---- recovery --------------------------------------------------------------------------------
  /** Resumes every RUNNING durable execution from its last committed state. */
  recover(rows: ExecutionRow[], trnOf: (r: ExecutionRow) => string): number {
    let n = 0;
    for (const row of rows) {
      try {
        const live = this.adopt(row, trnOf(row));
        for (const [id, t] of Object.entries(live.state.timers)) this.#arm(live, id, t.at);
        for (const taskId of Object.keys(live.state.tasks)) this.#resumeTask(live, taskId);
        this.o.metrics.running.inc({ kind: "durable" });
        n++;
      } catch (err) {
        this.o.logger.error("stepflow cannot resume execution", { executionId: row.id, err });
      }
    }
    return n;
  }

  /** Builds a Live from a stored row (recovery, redrive). */
  adopt(row: ExecutionRow, trn: string): Live {
    const flow = this.flow(row.template_id, row.version);
    const live = new Live(
      {
        id: row.id,
        trn,
        tenant: row.tenant,
        template: row.template,
        templateId: row.template_id,
        version: row.version,
        name: row.name,
        kind: "durable",
        parentId: row.parent_id ?? undefined,
        depth: row.depth,
      },
      JSON.parse(row.snapshot!),
      flow,
    );
    live.persisted = true;
    live.env = this.#env(live);
    live.started.resolve();
    this.live.set(row.id, live);
    this.#names.set(this.nameKey(row.template_id, row.name), live);
    return live;
  }

  /** Re-sends a task that was in flight at the crash, with the same idempotency key. */
  #resumeTask(live: Live, taskId: string) {
    live.chain = live.chain.then(async () => {
      const task = live.state.tasks[taskId];
      if (!task || live.state.status !== "running") return;
      if (task.deadline !== undefined && task.deadline <= this.o.clock.now()) return;
      const input = await resumeTaskInput(live.flow, live.state, taskId, live.env);
      this.#dispatch(live, {
        type: "dispatch",
        taskId,
        action: task.action,
        input,
        key: task.key,
        mode: task.mode,
        statePath: task.statePath,
        ...(task.token ? { token: task.token } : {}),
        ...(task.deadline !== undefined ? { deadline: task.deadline } : {}),
      }, true);
    }).catch((err) => this.o.logger.error("stepflow resume failed", { executionId: live.meta.id, err }));
  }

  /** Readmits a finished execution for redrive. */
  readmit(live: Live) {
    live.finished = deferred();
    live.done = false;
    this.o.metrics.running.inc({ kind: "durable" });
  }

  /** Commits what is staged; leaves in-flight work resumable (nothing is aborted). */
  stop() {
    this.flush();
    this.#stopped = true;
    for (const live of this.live.values()) {
      for (const t of live.timers.values()) this.o.clock.clearTimeout(t);
      live.timers.clear();
    }
  }
}
