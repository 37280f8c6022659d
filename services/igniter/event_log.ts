/**
 * The event log: every event accepted on a bus, matched or not, so users can see what
 * arrived (`GET /api/v1/events`, `aio events list`). Retention is bounded per tenant by
 * count and by age (config `[igniter] event_retention_count` / `event_retention_days`);
 * pruning is amortised over inserts and runs on a timer, never inside the ingest transaction.
 */
import type { Db, Migration } from "../../runtime/storage/mod.ts";
import type { EventEnvelope, StoredEvent } from "./types.ts";

export const eventLogMigration: Migration = {
  version: 3,
  name: "event log (matched and unmatched events)",
  sql: `
CREATE TABLE igniter_events (
  seq TEXT PRIMARY KEY, tenant TEXT NOT NULL, bus TEXT NOT NULL, event_id TEXT NOT NULL, source TEXT NOT NULL,
  detail_type TEXT NOT NULL, received_at INTEGER NOT NULL, matched INTEGER NOT NULL, envelope TEXT NOT NULL);
CREATE INDEX igniter_events_tenant ON igniter_events (tenant, seq);
`,
};

interface RawEvent {
  seq: string;
  bus: string;
  received_at: number;
  matched: number;
  envelope: string;
}

export interface EventQuery {
  before?: string;
  limit: number;
  source?: string;
  detailType?: string;
  eventBus?: string;
}

export interface Retention {
  count: number;
  days: number;
}

export class EventLog {
  constructor(readonly db: Db, readonly retention: Retention) {}

  get enabled(): boolean {
    return this.retention.count > 0;
  }

  /** Called inside the ingest transaction; `json` is the envelope already serialised. */
  insert(
    seq: string,
    tenant: string,
    bus: string,
    event: EventEnvelope,
    json: string,
    fields: { receivedAt: number; matched: number },
  ): void {
    this.db.run(
      `INSERT INTO igniter_events (seq, tenant, bus, event_id, source, detail_type, received_at, matched, envelope)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      tenant,
      bus,
      event.id,
      event.source,
      event["detail-type"],
      fields.receivedAt,
      fields.matched,
      json,
    );
  }

  /** Newest first; `before` is the `seq` of the last item of the previous page. */
  list(tenant: string, q: EventQuery): Array<StoredEvent & { seq: string }> {
    const where = ["tenant = ?", "seq < ?"];
    const params: string[] = [tenant, q.before ?? "~"];
    if (q.source !== undefined) where.push("source = ?"), params.push(q.source);
    if (q.detailType !== undefined) where.push("detail_type = ?"), params.push(q.detailType);
    if (q.eventBus !== undefined) where.push("bus = ?"), params.push(q.eventBus);
    return this.db.all<RawEvent>(
      `SELECT seq, bus, received_at, matched, envelope FROM igniter_events WHERE ${where.join(" AND ")}
       ORDER BY seq DESC LIMIT ?`,
      ...params,
      q.limit,
    ).map((r) => {
      const e = JSON.parse(r.envelope) as EventEnvelope;
      return {
        seq: r.seq,
        id: e.id,
        eventBus: r.bus,
        source: e.source,
        detailType: e["detail-type"],
        time: e.time,
        receivedAt: new Date(Number(r.received_at)).toISOString(),
        matchedRules: Number(r.matched),
        resources: e.resources,
        detail: e.detail,
      };
    });
  }

  /**
   * Deletes each tenant's events beyond the newest `count` (walks the (tenant, seq) index),
   * and with `byAge` those received more than `days` ago (a table scan: the hourly timer only).
   */
  prune(now: number, byAge: boolean): number {
    let deleted = byAge
      ? this.db.run(
        "DELETE FROM igniter_events WHERE received_at < ?",
        now - this.retention.days * 86400_000,
      ).changes
      : 0;
    const tenants = this.db.all<{ tenant: string }>("SELECT DISTINCT tenant FROM igniter_events");
    for (const { tenant } of tenants) {
      const edge = this.db.get<{ seq: string }>(
        "SELECT seq FROM igniter_events WHERE tenant = ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
        tenant,
        this.retention.count,
      );
      if (edge) {
        deleted += this.db.run("DELETE FROM igniter_events WHERE tenant = ? AND seq <= ?", tenant, edge.seq)
          .changes;
      }
    }
    return deleted;
  }
}
