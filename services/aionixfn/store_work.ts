/** AionixFn's repository for runtime work: the async invocation queue and function logs. */
import type { Db } from "../../runtime/storage/mod.ts";
import type { AsyncStatus, FunctionErrorBody, LogEntry } from "./types.ts";

type Raw = Record<string, string | number | null>;

export interface AsyncRow {
  id: string;
  tenant: string;
  name: string;
  qualifier: string;
  payload: string;
  status: AsyncStatus;
  attempts: number;
  maxAttempts: number;
  nextAt: number;
  version: string | null;
  result: string | null;
  error: FunctionErrorBody | null;
  createdAt: string;
  updatedAt: string;
}

const asyncRow = (r: Raw): AsyncRow => ({
  id: r.id as string,
  tenant: r.tenant as string,
  name: r.name as string,
  qualifier: r.qualifier as string,
  payload: r.payload as string,
  status: r.status as AsyncStatus,
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  nextAt: Number(r.next_at),
  version: r.version as string | null,
  result: r.result as string | null,
  error: r.error ? JSON.parse(r.error as string) : null,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

export class FnWorkStore {
  constructor(protected db: Db, protected now: () => number) {}

  #iso() {
    return new Date(this.now()).toISOString();
  }

  // ---- async queue -----------------------------------------------------------------------
  /** Queues an event; a repeated idempotency key returns the first request's id. */
  enqueue(
    row: {
      id: string;
      tenant: string;
      name: string;
      qualifier: string;
      payload: string;
      maxAttempts: number;
    },
    idempotencyKey?: string,
  ): { id: string; created: boolean } {
    return this.db.transaction(() => {
      if (idempotencyKey) {
        const existing = this.db.get<{ id: string }>(
          "SELECT id FROM fn_async WHERE tenant = ? AND name = ? AND idem_key = ?",
          row.tenant,
          row.name,
          idempotencyKey,
        );
        if (existing) return { id: existing.id, created: false };
      }
      const at = this.#iso();
      this.db.run(
        `INSERT INTO fn_async (id, tenant, name, qualifier, payload, status, attempts, max_attempts, next_at, idem_key, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`,
        row.id,
        row.tenant,
        row.name,
        row.qualifier,
        row.payload,
        row.maxAttempts,
        this.now(),
        idempotencyKey ?? null,
        at,
        at,
      );
      return { id: row.id, created: true };
    });
  }

  /** Claims up to `limit` due queued items (marks them running). */
  claimDue(limit: number): AsyncRow[] {
    return this.db.transaction(() => {
      const rows = this.db.all<Raw>(
        "SELECT * FROM fn_async WHERE status = 'queued' AND next_at <= ? ORDER BY next_at LIMIT ?",
        this.now(),
        limit,
      ).map(asyncRow);
      for (const r of rows) {
        this.db.run("UPDATE fn_async SET status = 'running', updated_at = ? WHERE id = ?", this.#iso(), r.id);
        r.status = "running";
      }
      return rows;
    });
  }

  nextDueAt(): number | undefined {
    const r = this.db.get<{ t: number | null }>(
      "SELECT MIN(next_at) AS t FROM fn_async WHERE status = 'queued'",
    );
    return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
  }

  /** Work that was running when the server stopped goes back to the queue. */
  requeueRunning(): number {
    return this.db.run(
      "UPDATE fn_async SET status = 'queued', updated_at = ? WHERE status = 'running'",
      this.#iso(),
    )
      .changes;
  }

  finishAsync(
    id: string,
    update: {
      status: AsyncStatus;
      attempts: number;
      nextAt?: number;
      version?: string;
      result?: string;
      error?: FunctionErrorBody;
    },
  ): void {
    this.db.run(
      `UPDATE fn_async SET status = ?, attempts = ?, next_at = COALESCE(?, next_at), version = COALESCE(?, version),
       result = ?, error = ?, updated_at = ? WHERE id = ?`,
      update.status,
      update.attempts,
      update.nextAt ?? null,
      update.version ?? null,
      update.result ?? null,
      update.error ? JSON.stringify(update.error) : null,
      this.#iso(),
      id,
    );
  }

  /** Puts a claimed item back without counting an attempt (e.g. throttled). */
  deferAsync(id: string, nextAt: number): void {
    this.db.run(
      "UPDATE fn_async SET status = 'queued', next_at = ?, updated_at = ? WHERE id = ?",
      nextAt,
      this.#iso(),
      id,
    );
  }

  getAsync(tenant: string, id: string): AsyncRow | undefined {
    const r = this.db.get<Raw>("SELECT * FROM fn_async WHERE tenant = ? AND id = ?", tenant, id);
    return r ? asyncRow(r) : undefined;
  }

  // ---- logs ------------------------------------------------------------------------------
  maxLogSeq(): number {
    return Number(this.db.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM fn_logs")?.s ?? 0);
  }

  insertLogs(entries: (LogEntry & { tenant: string })[]): void {
    if (!entries.length) return;
    this.db.transaction(() => {
      for (const e of entries) {
        this.db.run(
          "INSERT INTO fn_logs (seq, tenant, name, version, request_id, time, level, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          e.seq,
          e.tenant,
          e.functionName,
          e.version,
          e.requestId,
          e.time,
          e.level,
          e.message,
        );
      }
    });
  }

  listLogs(
    tenant: string,
    name: string,
    options: { after?: number; limit: number; requestId?: string; tail?: boolean },
  ): LogEntry[] {
    const where = ["tenant = ?", "name = ?", "seq > ?"];
    const params: (string | number)[] = [tenant, name, options.after ?? 0];
    if (options.requestId) {
      where.push("request_id = ?");
      params.push(options.requestId);
    }
    const rows = this.db.all<Raw>(
      `SELECT * FROM fn_logs WHERE ${where.join(" AND ")} ORDER BY seq ${
        options.tail ? "DESC" : "ASC"
      } LIMIT ?`,
      ...params,
      options.limit,
    );
    if (options.tail) rows.reverse();
    return rows.map((r) => ({
      seq: Number(r.seq),
      time: r.time as string,
      functionName: r.name as string,
      version: r.version as string,
      requestId: r.request_id as string,
      level: r.level as string,
      message: r.message as string,
    }));
  }

  /** Keeps the newest `keep` lines per function. */
  pruneLogs(tenant: string, name: string, keep: number): void {
    this.db.run(
      `DELETE FROM fn_logs WHERE tenant = ? AND name = ? AND seq <= (
         SELECT seq FROM fn_logs WHERE tenant = ? AND name = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      tenant,
      name,
      tenant,
      name,
      keep,
    );
  }
}
