/**
 * The schedule engine. Each schedule trigger has a durable cursor: every fire time at or
 * before it is settled (fired or skipped). A tick writes the due firings AND moves the cursor
 * in one transaction, so a restart never fires the same time twice and a backwards clock
 * jump never repeats a fire. Fire times missed while down (or skipped over by a forward jump)
 * follow the trigger's policy: skip (default) or catch-up within a window, capped.
 */
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Db } from "../../runtime/storage/mod.ts";
import type { IgniterMetrics } from "./metrics.ts";
import { type CompiledSchedule, compileSchedule } from "./schedule.ts";
import {
  firingId,
  type FiringRow,
  type IgniterStore,
  type NewFiring,
  newFiringRow,
  type TriggerRow,
} from "./store.ts";
import type { ScheduleConfig } from "./types.ts";

/** A fire this late is still "on time" (the timer was late, or the server restarted quickly). */
export const GRACE_MS = 60_000;
/** Timers are re-checked at least this often so a wall-clock jump is noticed. */
const MAX_SLEEP_MS = 60_000;
/** A run not reported finished within this long no longer blocks overlap 'skip'. */
const STALE_RUN_MS = 24 * 3600_000;
const MAX_ENUMERATION = 10_000;

export interface SchedulerDeps {
  db: Db;
  store: IgniterStore;
  clock: Clock;
  logger: Logger;
  metrics: IgniterMetrics;
  random: () => number;
  triggers(): Iterable<TriggerRow>;
  submit(rows: FiringRow[]): void;
}

export class ScheduleEngine {
  #timer: TimerId | undefined;
  #running = false;
  #compiled = new Map<string, { at: number; schedule: CompiledSchedule }>();

  constructor(private deps: SchedulerDeps) {}

  start(): void {
    this.#running = true;
    this.tick();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  compiled(t: TriggerRow): CompiledSchedule {
    const k = `${t.tenant}\u0000${t.name}`;
    const hit = this.#compiled.get(k);
    if (hit && hit.at === t.updatedAt) return hit.schedule;
    const schedule = compileSchedule(t.config as ScheduleConfig, t.anchorAt);
    this.#compiled.set(k, { at: t.updatedAt, schedule });
    return schedule;
  }

  /** The next fire time of an enabled schedule trigger, or null. */
  nextFire(t: TriggerRow): number | null {
    if (t.type !== "schedule" || !t.enabled || !t.target) return null;
    return this.compiled(t).next(t.cursorAt);
  }

  /** Fires everything due now, then sleeps until the next fire time (or MAX_SLEEP_MS). */
  tick(): void {
    if (!this.#running) return;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.deps.clock.now();
    let wake = now + MAX_SLEEP_MS;
    for (const t of this.deps.triggers()) {
      if (t.type !== "schedule" || !t.enabled || !t.target) continue;
      try {
        this.#evaluate(t, now);
        const next = this.compiled(t).next(t.cursorAt);
        if (next !== null) wake = Math.min(wake, next);
      } catch (err) {
        this.deps.logger.error("igniter: schedule evaluation failed", {
          trigger: t.name,
          tenant: t.tenant,
          err,
        });
      }
    }
    this.#timer = this.deps.clock.setTimeout(() => {
      this.#timer = undefined;
      this.tick();
    }, Math.max(0, wake - now));
  }

  #evaluate(t: TriggerRow, now: number): void {
    const schedule = this.compiled(t);
    const config = t.config as ScheduleConfig;
    const first = schedule.next(t.cursorAt);
    if (first === null || first > now) return;
    const catchUp = config.missedFires === "catch-up";
    const window = catchUp ? (config.catchUpWindowSeconds ?? 3600) * 1000 : GRACE_MS;
    const from = Math.max(t.cursorAt, now - window);
    const due: number[] = [];
    for (let at = schedule.next(from), n = 0; at !== null && at <= now && n < MAX_ENUMERATION; n++) {
      due.push(at);
      at = schedule.next(at);
    }
    const keep = catchUp ? (config.catchUpMaxFires ?? 10) : 1;
    const fire = due.slice(-keep);
    const missed = countBetween(schedule, t.cursorAt, fire[0] ?? now + 1);
    const rows: FiringRow[] = [];
    const { db, store, metrics } = this.deps;
    db.transaction(() => {
      if (missed.count > 0) {
        store.insertFiring(this.#row(t, now, {
          status: "skipped",
          scheduledAt: missed.first!,
          dedupKey: `missed:${missed.first}`,
          reason: `${missed.count}${missed.capped ? "+" : ""} missed fire time(s) from ${
            new Date(missed.first!).toISOString()
          } to ${new Date(missed.last!).toISOString()} skipped (missedFires: ${config.missedFires ?? "skip"}${
            catchUp ? `, window ${config.catchUpWindowSeconds ?? 3600}s, max ${keep}` : ""
          })`,
        }));
        metrics.skipped.inc({ reason: "missed" }, missed.count);
      }
      let active = config.overlap === "skip" && store.hasActiveRun(t.tenant, t.name, now - STALE_RUN_MS);
      for (const at of fire) {
        if (active) {
          store.insertFiring(this.#row(t, now, {
            status: "skipped",
            scheduledAt: at,
            dedupKey: `sched:${at}`,
            reason: "overlap: the previous run is still running (overlap: skip)",
          }));
          metrics.skipped.inc({ reason: "overlap" });
          continue;
        }
        const delay = config.flexibleWindowMinutes
          ? Math.floor(this.deps.random() * config.flexibleWindowMinutes * 60_000)
          : 0;
        const row = this.#row(t, now, { status: "pending", scheduledAt: at, dedupKey: `sched:${at}`, delay });
        if (store.insertFiring(row)) {
          rows.push(newFiringRow(row));
          metrics.fires.inc({ type: "schedule" });
          metrics.scheduleLag.observe(Math.max(0, now - at) / 1000);
        }
        if (config.overlap === "skip") active = true;
      }
      const cursor = Math.max(t.cursorAt, now);
      store.setCursor(t.tenant, t.name, cursor, fire.length ? fire[fire.length - 1] : null);
      t.cursorAt = cursor;
      if (fire.length) t.lastFireAt = fire[fire.length - 1];
    });
    this.deps.submit(rows);
  }

  #row(
    t: TriggerRow,
    now: number,
    f: {
      status: "pending" | "skipped";
      scheduledAt: number;
      dedupKey: string;
      reason?: string;
      delay?: number;
    },
  ): NewFiring {
    return {
      id: firingId(now),
      tenant: t.tenant,
      trigger: t.name,
      source: "schedule",
      dedupKey: f.dedupKey,
      target: t.target!,
      payload: {
        trigger: t.name,
        scheduledTime: new Date(f.scheduledAt).toISOString(),
        time: new Date(now).toISOString(),
      },
      status: f.status,
      reason: f.reason ?? null,
      nextAttemptAt: f.status === "pending" ? Math.max(now, f.scheduledAt + (f.delay ?? 0)) : null,
      scheduledAt: f.scheduledAt,
      createdAt: now,
      finishedAt: f.status === "skipped" ? now : null,
      eventId: null,
      deliveryId: null,
    };
  }
}

/** Counts fire times in (after, before), capped. */
function countBetween(schedule: CompiledSchedule, after: number, before: number) {
  let count = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (let at = schedule.next(after); at !== null && at < before; at = schedule.next(at)) {
    first ??= at;
    last = at;
    if (++count >= 1000) return { count, first, last, capped: true };
  }
  return { count, first, last, capped: false };
}
