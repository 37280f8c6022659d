/**
 * The shared audit log: who did what to which resource, when, from where, with what outcome.
 * Services call `auditLog(deps).record(...)`; entries never carry secret values (callers pass
 * names, TRNs, version ids). `createAuditService` owns the table and serves `GET /api/v1/audit`.
 */
import type { Db, Migration, SqlValue } from "../storage/mod.ts";
import type { Clock } from "../clock.ts";
import type { ServiceDeps, ServiceModule } from "../service.ts";
import { newId } from "../ids.ts";
import { type ApiContext, who } from "../http/app.ts";
import { decodePageToken, encodePageToken } from "../http/page_token.ts";
import { BadRequestError } from "../errors.ts";

export type AuditOutcome = "success" | "failure" | "denied";

export interface AuditInput {
  tenant: string;
  /** e.g. `secret.create`, `secret.reveal`, `param.put` */
  action: string;
  /** The resource TRN (or name when no TRN applies). */
  resource: string;
  outcome: AuditOutcome;
  /** Token id of the caller, or a service name (`stepflow`) for internal calls. */
  actor: string;
  /** Remote address, `in-process`, or the calling service. */
  source?: string;
  /** Non-secret details: version ids, stages, error messages. */
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends Required<Omit<AuditInput, "detail">> {
  id: string;
  time: string;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  tenant: string;
  resource?: string;
  action?: string;
  since?: string;
  limit?: number;
  nextToken?: string;
}

export const auditMigrations: Migration[] = [{
  version: 1,
  name: "audit_log",
  sql: `CREATE TABLE audit_log (
    id TEXT PRIMARY KEY, time TEXT NOT NULL, tenant TEXT NOT NULL, action TEXT NOT NULL,
    resource TEXT NOT NULL, outcome TEXT NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL,
    detail TEXT NOT NULL);
  CREATE INDEX audit_log_tenant_resource ON audit_log (tenant, resource, id);
  CREATE INDEX audit_log_tenant_time ON audit_log (tenant, id);`,
}];

interface AuditRow {
  id: string;
  time: string;
  tenant: string;
  action: string;
  resource: string;
  outcome: AuditOutcome;
  actor: string;
  source: string;
  detail: string;
}

export class AuditLog {
  constructor(private db: Db, private clock: Pick<Clock, "now">) {}

  record(input: AuditInput): AuditEntry {
    const now = this.clock.now();
    const entry: AuditEntry = {
      id: newId(now),
      time: new Date(now).toISOString(),
      tenant: input.tenant,
      action: input.action,
      resource: input.resource,
      outcome: input.outcome,
      actor: input.actor,
      source: input.source ?? "unknown",
      detail: input.detail ?? {},
    };
    this.db.run(
      "INSERT INTO audit_log (id, time, tenant, action, resource, outcome, actor, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      entry.id,
      entry.time,
      entry.tenant,
      entry.action,
      entry.resource,
      entry.outcome,
      entry.actor,
      entry.source,
      JSON.stringify(entry.detail),
    );
    return entry;
  }

  /** Newest first. `resource` matches a TRN exactly or, ending in `*`, as a prefix. */
  query(q: AuditQuery): { items: AuditEntry[]; nextToken?: string } {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const where = ["tenant = ?"];
    const params: SqlValue[] = [q.tenant];
    if (q.resource) {
      if (q.resource.endsWith("*")) {
        where.push("substr(resource, 1, ?) = ?");
        const prefix = q.resource.slice(0, -1);
        params.push(prefix.length, prefix);
      } else {
        where.push("resource = ?");
        params.push(q.resource);
      }
    }
    if (q.action) {
      where.push("action = ?");
      params.push(q.action);
    }
    if (q.since) {
      where.push("time >= ?");
      params.push(q.since);
    }
    const after = decodePageToken<{ id: string }>(q.nextToken);
    if (q.nextToken && !after?.id) {
      throw new BadRequestError("nextToken is not valid: pass the value from the previous page");
    }
    if (after) {
      where.push("id < ?");
      params.push(after.id);
    }
    const rows = this.db.all<AuditRow>(
      `SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ${limit + 1}`,
      ...params,
    );
    const items = rows.slice(0, limit).map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
    return rows.length > limit
      ? { items, nextToken: encodePageToken({ id: items[items.length - 1].id }) }
      : { items };
  }
}

const logs = new WeakMap<Db, AuditLog>();

/** The audit log over this server's database (one instance per Db). */
export function auditLog(deps: Pick<ServiceDeps, "db" | "clock">): AuditLog {
  let log = logs.get(deps.db);
  if (!log) logs.set(deps.db, log = new AuditLog(deps.db, deps.clock));
  return log;
}

/** The caller's identity and address for an audit entry made inside an HTTP handler. */
export function auditSource(c: ApiContext): { actor: string; source: string } {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return { actor: who(c).principal.tokenId, source: info?.remoteAddr?.hostname ?? "in-process" };
}

/** Owns the audit table and serves the query API; register it before the services that audit. */
export function createAuditService(deps: ServiceDeps): ServiceModule {
  return {
    name: "audit",
    migrations: auditMigrations,
    mount() {
      deps.http.routes({
        name: "audit",
        prefixes: ["/api/v1/audit"],
        mount: async (app) => (await import("./routes.ts")).mountAuditRoutes(app, deps),
      });
    },
  };
}
