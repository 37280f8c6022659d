/** Repository of event sources (table openact_event_sources, migration 2). */
import type { Db } from "../../../runtime/storage/mod.ts";
import { ConflictError, NotFoundError } from "../../../runtime/errors.ts";
import { formatTrn } from "../../../runtime/trn.ts";

export interface EventSourceRow {
  tenant: string;
  name: string;
  connection: string;
  kind: string;
  input: Record<string, unknown>;
  detailType: string;
  description: string;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface Raw {
  tenant: string;
  name: string;
  connection: string;
  kind: string;
  input: string;
  detail_type: string;
  description: string;
  enabled: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export const eventSourceTrn = (tenant: string, name: string) =>
  formatTrn({ service: "openact", tenant, type: "event-source", path: name });

const toRow = (r: Raw): EventSourceRow => ({
  tenant: r.tenant,
  name: r.name,
  connection: r.connection,
  kind: r.kind,
  input: JSON.parse(r.input),
  detailType: r.detail_type,
  description: r.description,
  enabled: Number(r.enabled) === 1,
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class EventSourceStore {
  constructor(private db: Db, private now: () => number) {}

  #iso() {
    return new Date(this.now()).toISOString();
  }

  create(
    tenant: string,
    s: Omit<EventSourceRow, "tenant" | "version" | "createdAt" | "updatedAt">,
  ): EventSourceRow {
    const at = this.#iso();
    return this.db.transaction(() => {
      if (this.find(tenant, s.name)) {
        throw new ConflictError(
          `event source '${s.name}' already exists: choose another name or delete it first`,
        );
      }
      this.db.run(
        `INSERT INTO openact_event_sources (tenant, name, connection, kind, input, detail_type, description, enabled,
           version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        tenant,
        s.name,
        s.connection,
        s.kind,
        JSON.stringify(s.input),
        s.detailType,
        s.description,
        s.enabled ? 1 : 0,
        at,
        at,
      );
      return this.get(tenant, s.name);
    });
  }

  find(tenant: string, name: string): EventSourceRow | undefined {
    const row = this.db.get<Raw>(
      "SELECT * FROM openact_event_sources WHERE tenant = ? AND name = ?",
      tenant,
      name,
    );
    return row ? toRow(row) : undefined;
  }

  get(tenant: string, name: string): EventSourceRow {
    const found = this.find(tenant, name);
    if (!found) throw new NotFoundError("event source", name);
    return found;
  }

  list(
    tenant: string,
    options: { kind?: string; connection?: string; after?: string; limit: number },
  ): EventSourceRow[] {
    return this.db.all<Raw>(
      `SELECT * FROM openact_event_sources WHERE tenant = ? AND (? IS NULL OR kind = ?)
         AND (? IS NULL OR connection = ?) AND name > ? ORDER BY name LIMIT ?`,
      tenant,
      options.kind ?? null,
      options.kind ?? null,
      options.connection ?? null,
      options.connection ?? null,
      options.after ?? "",
      options.limit,
    ).map(toRow);
  }

  /** Every enabled source of every tenant (started with the server). */
  allEnabled(): EventSourceRow[] {
    return this.db.all<Raw>("SELECT * FROM openact_event_sources WHERE enabled = 1 ORDER BY tenant, name")
      .map(toRow);
  }

  /** Sources subscribed on one connection. */
  onConnection(tenant: string, connection: string): EventSourceRow[] {
    return this.db.all<Raw>(
      "SELECT * FROM openact_event_sources WHERE tenant = ? AND connection = ? ORDER BY name",
      tenant,
      connection,
    ).map(toRow);
  }

  setEnabled(tenant: string, name: string, enabled: boolean): EventSourceRow {
    return this.db.transaction(() => {
      const current = this.get(tenant, name);
      if (current.enabled === enabled) return current;
      this.db.run(
        `UPDATE openact_event_sources SET enabled = ?, version = version + 1, updated_at = ?
         WHERE tenant = ? AND name = ?`,
        enabled ? 1 : 0,
        this.#iso(),
        tenant,
        name,
      );
      return this.get(tenant, name);
    });
  }

  delete(tenant: string, name: string): EventSourceRow {
    return this.db.transaction(() => {
      const current = this.get(tenant, name);
      this.db.run("DELETE FROM openact_event_sources WHERE tenant = ? AND name = ?", tenant, name);
      return current;
    });
  }
}
