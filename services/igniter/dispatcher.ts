/**
 * The durable outbox's dispatcher: firings are rows written before anything is acknowledged;
 * this sends each to its target over the executor bus (at least once), retries with
 * exponential backoff and jitter, and finally hands it to the dead-letter destination.
 * A kill -9 leaves rows 'pending'; start() picks them up again.
 */
import type { ExecutorBus } from "../../runtime/bus.ts";
import type { Clock, TimerId } from "../../runtime/clock.ts";
import { AppError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Db } from "../../runtime/storage/mod.ts";
import type { IgniterMetrics } from "./metrics.ts";
import { firingId, type FiringRow, type IgniterStore, type NewFiring, type TriggerRow } from "./store.ts";
import { executionIdOf, parseTarget, type Target } from "./targets.ts";
import { applyTransform } from "./transform.ts";
import type { RetryPolicy, ScheduleConfig } from "./types.ts";

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  maxEventAgeSeconds: 86400,
  intervalSeconds: 1,
  backoffRate: 2,
};
const MAX_BACKOFF_MS = 300_000;
const DISPATCH_TIMEOUT_MS = 30_000;
/** Upper bound between polls, so a timer lost to a wall-clock jump is recovered. */
const MAX_SLEEP_MS = 30_000;
const BATCH = 500;

export interface DispatcherDeps {
  db: Db;
  store: IgniterStore;
  bus: ExecutorBus;
  clock: Clock;
  logger: Logger;
  metrics: IgniterMetrics;
  random: () => number;
  lookup(tenant: string, name: string): TriggerRow | undefined;
  /** Publishes a dead-letter event on a bus inside the caller's transaction; returns new firings. */
  publishDeadLetter(tenant: string, bus: string, detail: Record<string, unknown>): FiringRow[];
}

type Prepared =
  | { gone: true }
  | { gone: false; trigger: TriggerRow | undefined; target: Target; input: unknown };

export type SyncOutcome =
  | { ok: true; result: unknown }
  | { ok: false; timedOut: boolean; error: unknown };

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { errorType?: string; error?: string; cause?: unknown };
    const name = e.errorType ?? (typeof e.error === "string" ? e.error : e.name);
    return `${name}: ${e.message}`.slice(0, 2000);
  }
  return String(err).slice(0, 2000);
}

export function backoffMs(policy: RetryPolicy, attempts: number, random: () => number): number {
  const base = Math.min(MAX_BACKOFF_MS, policy.intervalSeconds * 1000 * policy.backoffRate ** (attempts - 1));
  return Math.round(base * (0.5 + random() * 0.5));
}

/** A successful attempt waiting to be recorded (attempts are written in one transaction per flush). */
interface Dispatched {
  id: string;
  at: number;
  executionId: string | null;
  service: Target["service"];
  sync: boolean;
}

export class Dispatcher {
  #inflight = new Set<string>();
  #timer: TimerId | undefined;
  #wakeAt = Infinity;
  #stopped = true;
  /** Executions that finished before their dispatch was recorded (fast express workflows). */
  #finished = new Map<string, string>();
  /** Targets parsed once per (tenant, target string): a rule's target changes only with a new version. */
  #targets = new Map<string, Target>();
  #dispatched: Dispatched[] = [];
  #flushQueued = false;

  constructor(private deps: DispatcherDeps) {}

  start(): void {
    this.#stopped = false;
    this.poll();
  }

  stop(): void {
    this.flush();
    this.#stopped = true;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = Infinity;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** Dispatches firings just committed (those due now at once; the rest when due). */
  submit(rows: FiringRow[]): void {
    if (this.#stopped) return;
    const now = this.deps.clock.now();
    for (const row of rows) {
      if (row.status !== "pending") continue;
      if ((row.nextAttemptAt ?? now) <= now) void this.#dispatch(row);
      else this.#armAt(row.nextAttemptAt!);
    }
  }

  /** Dispatches one firing and waits until the attempt is recorded (webhooks answer with the execution id). */
  async dispatchNow(row: FiringRow): Promise<void> {
    await this.#dispatch(row);
    this.flush();
  }

  /** Sends every due pending firing, then sleeps until the next one is due. */
  poll(): void {
    if (this.#stopped) return;
    const now = this.deps.clock.now();
    let due: FiringRow[] = [];
    try {
      due = this.deps.store.dueFirings(now, BATCH).filter((r) => !this.#inflight.has(r.id));
    } catch (err) {
      this.deps.logger.error("igniter: reading due firings failed", { err });
    }
    for (const row of due) void this.#dispatch(row);
    const next = this.deps.store.nextDueAt();
    this.#wakeAt = Infinity;
    this.#armAt(due.length >= BATCH ? now : next !== undefined && next > now ? next : now + MAX_SLEEP_MS);
  }

  /** Notes a finished run reported by StepFlow's system events. */
  runFinished(executionId: string, status: string): void {
    if (this.deps.store.setRunStatus(executionId, status) === 0) {
      this.#finished.set(executionId, status);
      if (this.#finished.size > 5000) this.#finished.delete(this.#finished.keys().next().value!);
    }
  }

  /**
   * Records every successful attempt gathered since the last flush in one transaction. Runs as
   * a microtask after the first completion, so a batch of attempts that finish together (the
   * usual case: async starts answer at once) costs one commit. Until then the rows stay
   * 'pending' and in-flight: a crash before the flush re-dispatches them (idempotency key).
   */
  flush(): void {
    this.#flushQueued = false;
    const done = this.#dispatched;
    if (!done.length) return;
    this.#dispatched = [];
    const { db, store, metrics, logger } = this.deps;
    try {
      db.transaction(() => {
        for (const d of done) {
          const runStatus = d.sync
            ? "succeeded"
            : d.service === "stepflow"
            ? (d.executionId && this.#finished.get(d.executionId)) ?? "running"
            : null;
          store.markDispatched(d.id, d.at, d.executionId, runStatus);
        }
      });
      metrics.deliveries.inc({ outcome: "dispatched" }, done.length);
    } catch (err) {
      // Left 'pending': the next poll dispatches them again (the executors de-duplicate by key).
      logger.error("igniter: recording dispatched firings failed", { count: done.length, err });
    } finally {
      for (const d of done) this.#inflight.delete(d.id);
    }
  }

  #armAt(at: number): void {
    if (this.#stopped) return;
    const now = this.deps.clock.now();
    const wake = Math.min(at, now + MAX_SLEEP_MS);
    if (wake >= this.#wakeAt && this.#timer !== undefined) return;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#wakeAt = wake;
    this.#timer = this.deps.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#wakeAt = Infinity;
      this.poll();
    }, Math.max(0, wake - now));
  }

  #retryPolicy(trigger: TriggerRow | undefined): RetryPolicy {
    return trigger?.retryPolicy ?? DEFAULT_RETRY;
  }

  #target(row: FiringRow): Target {
    const key = `${row.tenant}\u0000${row.target}`;
    let target = this.#targets.get(key);
    if (!target) {
      target = parseTarget(row.target, row.tenant);
      if (this.#targets.size > 10_000) this.#targets.clear();
      this.#targets.set(key, target);
    }
    return target;
  }

  /** Sync unless an input transform has to be evaluated (JSONata is async). */
  #prepare(row: FiringRow): Prepared | Promise<Prepared> {
    const trigger = row.source === "dead-letter" ? undefined : this.deps.lookup(row.tenant, row.trigger);
    if (row.source !== "dead-letter" && !trigger) return { gone: true };
    const target = this.#target(row);
    const template = row.source === "dead-letter" ? undefined : trigger!.inputTransform;
    if (template === undefined || template === null) {
      return { gone: false, trigger, target, input: row.payload };
    }
    return applyTransform(template, row.payload).then((input) => ({ gone: false, trigger, target, input }));
  }

  async #dispatch(row: FiringRow): Promise<void> {
    if (this.#inflight.has(row.id) || this.#stopped) return;
    this.#inflight.add(row.id);
    const { clock, bus } = this.deps;
    let trigger: TriggerRow | undefined;
    let queued = false;
    try {
      let prepared = this.#prepare(row);
      if (prepared instanceof Promise) prepared = await prepared;
      if (prepared.gone) {
        this.deps.store.markFinal(row.id, "failed", clock.now(), {
          error: "the trigger was deleted before dispatch",
        });
        return;
      }
      trigger = prepared.trigger;
      const { target, input } = prepared;
      // With overlap 'skip', a function is called synchronously so its end is known.
      const sync = target.service === "aionixfn" && trigger?.type === "schedule" &&
        (trigger.config as ScheduleConfig).overlap === "skip";
      const result = await bus.execute(target.action, row.tenant, {
        input,
        operation: target.operation,
        mode: sync ? "sync" : "async",
        idempotencyKey: row.id,
        timeoutMs: DISPATCH_TIMEOUT_MS,
        caller: callerOf(row, trigger, target),
      });
      if (this.#stopped) return;
      this.#dispatched.push({
        id: row.id,
        at: clock.now(),
        executionId: sync ? null : executionIdOf(result),
        service: target.service,
        sync,
      });
      queued = true;
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    } catch (err) {
      if (!this.#stopped) this.#failed(row, trigger, err);
    } finally {
      if (!queued) this.#inflight.delete(row.id);
    }
  }

  /** Runs a firing synchronously for a sync webhook; failures are final (the caller sees them). */
  async dispatchSync(row: FiringRow, timeoutMs: number): Promise<SyncOutcome> {
    this.#inflight.add(row.id);
    const { clock, store, bus, metrics } = this.deps;
    try {
      const prepared = await this.#prepare(row);
      if (prepared.gone) throw new Error("the trigger was deleted");
      const result = await bus.execute(prepared.target.action, row.tenant, {
        input: prepared.input,
        operation: prepared.target.operation,
        mode: "sync",
        idempotencyKey: row.id,
        timeoutMs,
        caller: callerOf(row, prepared.trigger, prepared.target),
      });
      store.markDispatched(row.id, clock.now(), executionIdOf(result), "succeeded");
      store.markFinal(row.id, "succeeded", clock.now());
      metrics.deliveries.inc({ outcome: "succeeded" });
      return { ok: true, result };
    } catch (err) {
      const timedOut = err instanceof AppError && err.status === 504;
      store.markFinal(row.id, timedOut ? "timed_out" : "failed", clock.now(), {
        error: errorText(err),
        attempts: row.attempts + 1,
      });
      metrics.failures.inc();
      metrics.deliveries.inc({ outcome: timedOut ? "timed_out" : "failed" });
      return { ok: false, timedOut, error: err };
    } finally {
      this.#inflight.delete(row.id);
    }
  }

  #failed(row: FiringRow, trigger: TriggerRow | undefined, err: unknown): void {
    const { clock, store, metrics, logger } = this.deps;
    const now = clock.now();
    const attempts = row.attempts + 1;
    const policy = this.#retryPolicy(trigger);
    const message = errorText(err);
    metrics.failures.inc();
    // A rejected input will be rejected again: no point retrying.
    const retryable = !(err instanceof AppError && (err.status === 400 || err.status === 422));
    const delay = backoffMs(policy, attempts, this.deps.random);
    const withinAge = now + delay - row.createdAt <= policy.maxEventAgeSeconds * 1000;
    try {
      if (retryable && attempts < policy.maxAttempts && withinAge) {
        store.markRetry(row.id, attempts, now + delay, message);
        logger.info("igniter: dispatch failed, will retry", { firing: row.id, attempts, delayMs: delay });
        this.#armAt(now + delay);
        return;
      }
      this.#deadLetter(row, trigger, attempts, message);
    } catch (writeErr) {
      logger.error("igniter: recording a failed dispatch failed", { firing: row.id, err: writeErr });
    }
  }

  #deadLetter(row: FiringRow, trigger: TriggerRow | undefined, attempts: number, error: string): void {
    const { db, clock, store, metrics } = this.deps;
    const now = clock.now();
    const dl = row.source === "dead-letter" ? null : trigger?.deadLetter ?? null;
    const detail = {
      trigger: row.trigger,
      firingId: row.id,
      source: row.source,
      target: row.target,
      attempts,
      error,
      acceptedAt: new Date(row.createdAt).toISOString(),
      payload: row.payload,
    };
    const follow: FiringRow[] = [];
    db.transaction(() => {
      store.markFinal(row.id, dl ? "dead_lettered" : "failed", now, { error, attempts });
      if (dl && "target" in dl) {
        const dlq: NewFiring = {
          id: firingId(now),
          tenant: row.tenant,
          trigger: row.trigger,
          source: "dead-letter",
          dedupKey: `dlq:${row.id}`,
          target: dl.target,
          payload: detail,
          status: "pending",
          nextAttemptAt: now,
          scheduledAt: null,
          createdAt: now,
          eventId: null,
          deliveryId: null,
        };
        if (store.insertFiring(dlq)) follow.push(store.getFiring(dlq.id)!);
      } else if (dl && "eventBus" in dl && !isDeadLetterEvent(row.payload)) {
        follow.push(...this.deps.publishDeadLetter(row.tenant, dl.eventBus, detail));
      }
    });
    metrics.deliveries.inc({ outcome: dl ? "dead_lettered" : "failed" });
    if (dl) metrics.deadLetters.inc();
    this.submit(follow);
  }
}

/**
 * Who is calling, for the executor; `kind: "express"` asks StepFlow's executor for an
 * express execution (a dead-letter workflow is always durable).
 */
function callerOf(row: FiringRow, trigger: TriggerRow | undefined, target: Target): Record<string, unknown> {
  const caller: Record<string, unknown> = { service: "igniter", trigger: row.trigger, firing: row.id };
  if (
    target.service === "stepflow" && row.source !== "dead-letter" &&
    trigger?.targetOptions?.kind === "express"
  ) {
    caller.kind = "express";
  }
  return caller;
}

export const DEAD_LETTER_SOURCE = "aionix.igniter";
export const DEAD_LETTER_DETAIL_TYPE = "Trigger Delivery Failed";

/** A dead-letter event whose own delivery fails is not dead-lettered again (no loops). */
function isDeadLetterEvent(payload: unknown): boolean {
  const p = payload as Record<string, unknown> | null;
  return !!p && p.source === DEAD_LETTER_SOURCE && p["detail-type"] === DEAD_LETTER_DETAIL_TYPE;
}
