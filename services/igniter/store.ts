/**
 * Igniter's repository over the shared Db: triggers (with the schedule cursor), firings (the
 * durable outbox and the history in one table) and webhook delivery ids. Portable SQL only.
 */
import type { Db, Migration } from "../../runtime/storage/mod.ts";
import { eventLogMigration } from "./event_log.ts";
import type {
  DeadLetter,
  Firing,
  FiringSource,
  FiringStatus,
  RetryPolicy,
  TargetOptions,
  TriggerConfig,
  TriggerType,
} from "./types.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "triggers, firings, deliveries",
  sql: `
CREATE TABLE igniter_triggers (
  tenant TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, target TEXT, config TEXT NOT NULL,
  input_transform TEXT, description TEXT NOT NULL, enabled INTEGER NOT NULL, retry_policy TEXT NOT NULL,
  dead_letter TEXT, anchor_at INTEGER NOT NULL, cursor_at INTEGER NOT NULL, last_fire_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (tenant, name));
CREATE TABLE igniter_firings (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, trigger_name TEXT NOT NULL, source TEXT NOT NULL,
  dedup_key TEXT, target TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
  attempts INTEGER NOT NULL, next_attempt_at INTEGER, scheduled_at INTEGER, created_at INTEGER NOT NULL,
  dispatched_at INTEGER, finished_at INTEGER, execution_id TEXT, run_status TEXT, error TEXT,
  event_id TEXT, delivery_id TEXT, UNIQUE (tenant, trigger_name, dedup_key));
CREATE INDEX igniter_firings_due ON igniter_firings (status, next_attempt_at);
CREATE INDEX igniter_firings_trigger ON igniter_firings (tenant, trigger_name, id);
CREATE INDEX igniter_firings_execution ON igniter_firings (execution_id);
CREATE TABLE igniter_deliveries (
  tenant TEXT NOT NULL, trigger_name TEXT NOT NULL, delivery_id TEXT NOT NULL, firing_id TEXT NOT NULL,
  received_at INTEGER NOT NULL, PRIMARY KEY (tenant, trigger_name, delivery_id));
`,
}, {
  version: 2,
  name: "trigger target options (express workflows)",
  sql: "ALTER TABLE igniter_triggers ADD COLUMN target_options TEXT;",
}, eventLogMigration];

export interface TriggerRow {
  tenant: string;
  name: string;
  type: TriggerType;
  target: string | null;
  targetOptions: TargetOptions | null;
  config: TriggerConfig;
  inputTransform: unknown;
  description: string;
  enabled: boolean;
  retryPolicy: RetryPolicy;
  deadLetter: DeadLetter | null;
  anchorAt: number;
  cursorAt: number;
  lastFireAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface RawTrigger {
  tenant: string;
  name: string;
  type: string;
  target: string | null;
  target_options: string | null;
  config: string;
  input_transform: string | null;
  description: string;
  enabled: number;
  retry_policy: string;
  dead_letter: string | null;
  anchor_at: number;
  cursor_at: number;
  last_fire_at: number | null;
  created_at: number;
  updated_at: number;
}

const toTrigger = (r: RawTrigger): TriggerRow => ({
  tenant: r.tenant,
  name: r.name,
  type: r.type as TriggerType,
  target: r.target,
  targetOptions: r.target_options ? JSON.parse(r.target_options) : null,
  config: JSON.parse(r.config),
  inputTransform: r.input_transform === null ? undefined : JSON.parse(r.input_transform),
  description: r.description,
  enabled: r.enabled === 1,
  retryPolicy: JSON.parse(r.retry_policy),
  deadLetter: r.dead_letter === null ? null : JSON.parse(r.dead_letter),
  anchorAt: Number(r.anchor_at),
  cursorAt: Number(r.cursor_at),
  lastFireAt: r.last_fire_at === null ? null : Number(r.last_fire_at),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export interface FiringRow {
  id: string;
  tenant: string;
  trigger: string;
  source: FiringSource;
  dedupKey: string | null;
  target: string;
  payload: unknown;
  status: "pending" | "dispatched" | "succeeded" | "failed" | "timed_out" | "dead_lettered" | "skipped";
  reason: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  scheduledAt: number | null;
  createdAt: number;
  dispatchedAt: number | null;
  finishedAt: number | null;
  executionId: string | null;
  runStatus: string | null;
  error: string | null;
  eventId: string | null;
  deliveryId: string | null;
}

interface RawFiring {
  id: string;
  tenant: string;
  trigger_name: string;
  source: string;
  dedup_key: string | null;
  target: string;
  payload: string;
  status: string;
  reason: string | null;
  attempts: number;
  next_attempt_at: number | null;
  scheduled_at: number | null;
  created_at: number;
  dispatched_at: number | null;
  finished_at: number | null;
  execution_id: string | null;
  run_status: string | null;
  error: string | null;
  event_id: string | null;
  delivery_id: string | null;
}

const num = (v: number | null) => (v === null ? null : Number(v));

const toFiring = (r: RawFiring): FiringRow => ({
  id: r.id,
  tenant: r.tenant,
  trigger: r.trigger_name,
  source: r.source as FiringSource,
  dedupKey: r.dedup_key,
  target: r.target,
  payload: JSON.parse(r.payload),
  status: r.status as FiringRow["status"],
  reason: r.reason,
  attempts: Number(r.attempts),
  nextAttemptAt: num(r.next_attempt_at),
  scheduledAt: num(r.scheduled_at),
  createdAt: Number(r.created_at),
  dispatchedAt: num(r.dispatched_at),
  finishedAt: num(r.finished_at),
  executionId: r.execution_id,
  runStatus: r.run_status,
  error: r.error,
  eventId: r.event_id,
  deliveryId: r.delivery_id,
});

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

/** The API view of a firing. */
export function firingView(f: FiringRow): Firing {
  const status: FiringStatus = f.status === "pending" && f.attempts > 0 ? "retrying" : f.status;
  const out: Firing = {
    id: f.id,
    trigger: f.trigger,
    source: f.source,
    status,
    target: f.target,
    attempts: f.attempts,
    acceptedAt: iso(f.createdAt)!,
  };
  if (f.reason) out.reason = f.reason;
  if (f.scheduledAt !== null) out.scheduledAt = iso(f.scheduledAt);
  if (f.dispatchedAt !== null) out.dispatchedAt = iso(f.dispatchedAt);
  if (f.finishedAt !== null) out.finishedAt = iso(f.finishedAt);
  if (f.status === "pending" && f.nextAttemptAt !== null) out.nextAttemptAt = iso(f.nextAttemptAt);
  if (f.executionId) out.executionId = f.executionId;
  if (f.runStatus) out.runStatus = f.runStatus;
  if (f.error) out.error = f.error;
  if (f.eventId) out.eventId = f.eventId;
  if (f.deliveryId) out.deliveryId = f.deliveryId;
  return out;
}

export type NewFiring =
  & Omit<
    FiringRow,
    "dispatchedAt" | "finishedAt" | "executionId" | "runStatus" | "error" | "attempts" | "reason"
  >
  & { reason?: string | null; attempts?: number; finishedAt?: number | null };

/** The row insertFiring stores for a new firing: not yet dispatched, no run, no error. */
export function newFiringRow(f: NewFiring): FiringRow {
  return {
    ...f,
    reason: f.reason ?? null,
    attempts: f.attempts ?? 0,
    dispatchedAt: null,
    finishedAt: f.finishedAt ?? null,
    executionId: null,
    runStatus: null,
    error: null,
  };
}

/**
 * The trigger columns insert and update both write, as stored (JSON text, 0/1, NULL for absent), in
 * the order target, target_options, config, input_transform, description, enabled, retry_policy,
 * dead_letter, anchor_at, cursor_at.
 */
function settableColumns(t: TriggerRow) {
  return [
    t.target,
    t.targetOptions ? JSON.stringify(t.targetOptions) : null,
    JSON.stringify(t.config),
    t.inputTransform === undefined ? null : JSON.stringify(t.inputTransform),
    t.description,
    t.enabled ? 1 : 0,
    JSON.stringify(t.retryPolicy),
    t.deadLetter === null ? null : JSON.stringify(t.deadLetter),
    t.anchorAt,
    t.cursorAt,
  ];
}

export class IgniterStore {
  constructor(readonly db: Db) {}

  insertTrigger(t: TriggerRow): void {
    this.db.run(
      `INSERT INTO igniter_triggers (tenant, name, type, target, target_options, config, input_transform, description,
        enabled, retry_policy, dead_letter, anchor_at, cursor_at, last_fire_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      t.tenant,
      t.name,
      t.type,
      ...settableColumns(t),
      t.lastFireAt,
      t.createdAt,
      t.updatedAt,
    );
  }

  updateTrigger(t: TriggerRow): void {
    this.db.run(
      `UPDATE igniter_triggers SET target = ?, target_options = ?, config = ?, input_transform = ?, description = ?,
        enabled = ?, retry_policy = ?, dead_letter = ?, anchor_at = ?, cursor_at = ?, updated_at = ?
       WHERE tenant = ? AND name = ?`,
      ...settableColumns(t),
      t.updatedAt,
      t.tenant,
      t.name,
    );
  }

  /** Moves the schedule cursor; written in the same transaction as the firings it settles. */
  setCursor(tenant: string, name: string, cursorAt: number, lastFireAt: number | null): void {
    this.db.run(
      "UPDATE igniter_triggers SET cursor_at = ?, last_fire_at = COALESCE(?, last_fire_at) WHERE tenant = ? AND name = ?",
      cursorAt,
      lastFireAt,
      tenant,
      name,
    );
  }

  getTrigger(tenant: string, name: string): TriggerRow | undefined {
    const r = this.db.get<RawTrigger>(
      "SELECT * FROM igniter_triggers WHERE tenant = ? AND name = ?",
      tenant,
      name,
    );
    return r && toTrigger(r);
  }

  allTriggers(): TriggerRow[] {
    return this.db.all<RawTrigger>("SELECT * FROM igniter_triggers ORDER BY tenant, name").map(toTrigger);
  }

  listTriggers(tenant: string, options: { type?: string; after?: string; limit: number }): TriggerRow[] {
    return this.db.all<RawTrigger>(
      `SELECT * FROM igniter_triggers WHERE tenant = ? AND name > ? ${options.type ? "AND type = ?" : ""}
       ORDER BY name LIMIT ?`,
      tenant,
      options.after ?? "",
      ...(options.type ? [options.type] : []),
      options.limit,
    ).map(toTrigger);
  }

  deleteTrigger(tenant: string, name: string): void {
    this.db.transaction(() => {
      this.db.run("DELETE FROM igniter_triggers WHERE tenant = ? AND name = ?", tenant, name);
      this.db.run("DELETE FROM igniter_firings WHERE tenant = ? AND trigger_name = ?", tenant, name);
      this.db.run("DELETE FROM igniter_deliveries WHERE tenant = ? AND trigger_name = ?", tenant, name);
    });
  }

  /** Inserts a firing; false when its dedup key was already used (nothing is written). */
  insertFiring(f: NewFiring, payloadJson?: string): boolean {
    const r = this.db.run(
      `INSERT INTO igniter_firings (id, tenant, trigger_name, source, dedup_key, target, payload, status, reason,
        attempts, next_attempt_at, scheduled_at, created_at, finished_at, event_id, delivery_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, trigger_name, dedup_key) DO NOTHING`,
      f.id,
      f.tenant,
      f.trigger,
      f.source,
      f.dedupKey,
      f.target,
      payloadJson ?? JSON.stringify(f.payload ?? null),
      f.status,
      f.reason ?? null,
      f.attempts ?? 0,
      f.nextAttemptAt,
      f.scheduledAt,
      f.createdAt,
      f.finishedAt ?? null,
      f.eventId,
      f.deliveryId,
    );
    return r.changes > 0;
  }

  getFiring(id: string): FiringRow | undefined {
    const r = this.db.get<RawFiring>("SELECT * FROM igniter_firings WHERE id = ?", id);
    return r && toFiring(r);
  }

  /** Pending firings due at `now`, oldest first. */
  dueFirings(now: number, limit: number): FiringRow[] {
    return this.db.all<RawFiring>(
      "SELECT * FROM igniter_firings WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      now,
      limit,
    ).map(toFiring);
  }

  nextDueAt(): number | undefined {
    const r = this.db.get<{ at: number | null }>(
      "SELECT MIN(next_attempt_at) AS at FROM igniter_firings WHERE status = 'pending'",
    );
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  markDispatched(id: string, at: number, executionId: string | null, runStatus: string | null): void {
    this.db.run(
      `UPDATE igniter_firings SET status = 'dispatched', attempts = attempts + 1, dispatched_at = ?, execution_id = ?,
        run_status = COALESCE(run_status, ?), error = NULL WHERE id = ? AND status = 'pending'`,
      at,
      executionId,
      runStatus,
      id,
    );
  }

  markFinal(
    id: string,
    status: FiringRow["status"],
    at: number,
    fields: { error?: string; attempts?: number } = {},
  ) {
    this.db.run(
      `UPDATE igniter_firings SET status = ?, finished_at = ?, error = ?, attempts = COALESCE(?, attempts)
       WHERE id = ?`,
      status,
      at,
      fields.error ?? null,
      fields.attempts ?? null,
      id,
    );
  }

  markRetry(id: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.db.run(
      "UPDATE igniter_firings SET attempts = ?, next_attempt_at = ?, error = ? WHERE id = ?",
      attempts,
      nextAttemptAt,
      error,
      id,
    );
  }

  /** Records how the started run ended (from StepFlow's system events). */
  setRunStatus(executionId: string, runStatus: string): number {
    return this.db.run(
      "UPDATE igniter_firings SET run_status = ? WHERE execution_id = ? AND status IN ('dispatched', 'succeeded')",
      runStatus,
      executionId,
    ).changes;
  }

  /** True while an earlier firing of the trigger is queued, being dispatched or its run is still running. */
  hasActiveRun(tenant: string, name: string, since: number): boolean {
    return this.db.get(
      `SELECT 1 AS x FROM igniter_firings WHERE tenant = ? AND trigger_name = ? AND source = 'schedule'
        AND (status = 'pending' OR (status = 'dispatched' AND run_status = 'running' AND dispatched_at >= ?)) LIMIT 1`,
      tenant,
      name,
      since,
    ) !== undefined;
  }

  history(
    tenant: string,
    name: string,
    options: { before?: string; limit: number; status?: string },
  ): FiringRow[] {
    return this.db.all<RawFiring>(
      `SELECT * FROM igniter_firings WHERE tenant = ? AND trigger_name = ? AND id < ? ${
        options.status ? "AND status = ?" : ""
      } ORDER BY id DESC LIMIT ?`,
      tenant,
      name,
      options.before ?? "~",
      ...(options.status ? [options.status] : []),
      options.limit,
    ).map(toFiring);
  }

  /** Records a webhook delivery id; false when it was seen within the window. */
  claimDelivery(
    tenant: string,
    name: string,
    deliveryId: string,
    firingId: string,
    now: number,
    windowMs: number,
  ) {
    const existing = this.db.get<{ firing_id: string; received_at: number }>(
      "SELECT firing_id, received_at FROM igniter_deliveries WHERE tenant = ? AND trigger_name = ? AND delivery_id = ?",
      tenant,
      name,
      deliveryId,
    );
    if (existing && Number(existing.received_at) > now - windowMs) {
      return { claimed: false, firingId: existing.firing_id };
    }
    this.db.run(
      `INSERT INTO igniter_deliveries (tenant, trigger_name, delivery_id, firing_id, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, trigger_name, delivery_id) DO UPDATE SET firing_id = excluded.firing_id,
         received_at = excluded.received_at`,
      tenant,
      name,
      deliveryId,
      firingId,
      now,
    );
    return { claimed: true, firingId };
  }

  pruneDeliveries(before: number): void {
    this.db.run("DELETE FROM igniter_deliveries WHERE received_at < ?", before);
  }
}

let lastIdMs = 0;
let idSeq = 0;
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** Random bytes drawn in bulk: one getRandomValues call per 512 ids instead of one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/**
 * Firing ids sort in the order they were made, even when the (injected) clock stands still
 * or steps back: history pages by id.
 */
export function firingId(now: number): string {
  if (now > lastIdMs) {
    lastIdMs = now;
    idSeq = 0;
  } else idSeq++;
  if (poolAt + 8 > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let rand = "";
  for (let i = 0; i < 8; i++) rand += ID_ALPHABET[pool[poolAt++] & 31];
  return lastIdMs.toString(32).padStart(10, "0") + idSeq.toString(32).padStart(5, "0") + rand;
}
