/**
 * StepFlow's repository: templates with immutable versions, executions with their engine
 * snapshot, and history events. Portable SQL only (`?` placeholders, ON CONFLICT-free).
 */
import type { Db, Migration, SqlValue } from "../../runtime/storage/mod.ts";
import type { HistoryEvent } from "./engine/types.ts";
import type { Execution, HistoryEventView, Template, TemplateVersion } from "./types.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "templates, executions, history",
  sql: `
CREATE TABLE stepflow_templates (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, latest INTEGER NOT NULL,
  description TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (tenant, name));
CREATE TABLE stepflow_template_versions (
  template_id TEXT NOT NULL, version INTEGER NOT NULL, dsl TEXT NOT NULL, description TEXT NOT NULL,
  created_at TEXT NOT NULL, PRIMARY KEY (template_id, version));
CREATE TABLE stepflow_executions (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL, template_id TEXT NOT NULL,
  version INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
  input TEXT, output TEXT, error TEXT, cause TEXT, started_at TEXT NOT NULL, stopped_at TEXT,
  parent_id TEXT, depth INTEGER NOT NULL, redrive_count INTEGER NOT NULL, snapshot TEXT,
  updated_at TEXT NOT NULL, UNIQUE (template_id, name));
CREATE INDEX stepflow_executions_list ON stepflow_executions (tenant, started_at, id);
CREATE INDEX stepflow_executions_status ON stepflow_executions (status, kind);
CREATE TABLE stepflow_history (
  execution_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, ts TEXT NOT NULL,
  state_path TEXT NOT NULL, body TEXT, PRIMARY KEY (execution_id, seq));
`,
}, {
  version: 2,
  name: "template version layout",
  // Studio's node positions (JSON, by state path); NULL: laid out automatically.
  sql: "ALTER TABLE stepflow_template_versions ADD COLUMN layout TEXT;",
}];

export interface TemplateRow {
  id: string;
  tenant: string;
  name: string;
  latest: number;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface ExecutionRow {
  id: string;
  tenant: string;
  template: string;
  template_id: string;
  version: number;
  name: string;
  kind: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  started_at: string;
  stopped_at: string | null;
  parent_id: string | null;
  depth: number;
  redrive_count: number;
  snapshot: string | null;
}

/** Everything one group-commit entry writes for one execution. */
export interface ExecutionWrite {
  insert: boolean;
  row: Omit<ExecutionRow, "snapshot"> & { snapshot: string | null };
  events: HistoryEvent[];
  now: string;
}

const parse = (text: string | null) => (text === null ? undefined : JSON.parse(text));

export function executionView(r: ExecutionRow, trn: string): Execution {
  const e: Execution = {
    id: r.id,
    trn,
    template: r.template,
    version: r.version,
    name: r.name,
    kind: r.kind as Execution["kind"],
    status: r.status as Execution["status"],
    input: parse(r.input) ?? null,
    startedAt: r.started_at,
  };
  if (r.output !== null) e.output = parse(r.output);
  if (r.error !== null) e.error = r.error;
  if (r.cause !== null) e.cause = r.cause;
  if (r.stopped_at !== null) e.stoppedAt = r.stopped_at;
  if (r.parent_id !== null) e.parentExecutionId = r.parent_id;
  if (r.redrive_count) e.redriveCount = r.redrive_count;
  return e;
}

export class StepFlowStore {
  /**
   * Template rows by tenant and name, read through: every start looks its template up, and
   * this process is the only writer of the table (each write below evicts its entry).
   */
  readonly #templates = new Map<string, TemplateRow>();
  constructor(private db: Db) {}

  // ---- templates ----------------------------------------------------------------------------
  template(tenant: string, name: string): TemplateRow | undefined {
    const key = `${tenant}\n${name}`;
    const cached = this.#templates.get(key);
    if (cached) return cached;
    const row = this.db.get<TemplateRow>(
      "SELECT * FROM stepflow_templates WHERE tenant = ? AND name = ?",
      tenant,
      name,
    );
    if (row) {
      if (this.#templates.size >= 1024) this.#templates.delete(this.#templates.keys().next().value!);
      this.#templates.set(key, row);
    }
    return row;
  }
  #evict(t: { tenant: string; name: string }) {
    this.#templates.delete(`${t.tenant}\n${t.name}`);
  }
  templateById(id: string): TemplateRow | undefined {
    return this.db.get<TemplateRow>("SELECT * FROM stepflow_templates WHERE id = ?", id);
  }
  versionDsl(
    templateId: string,
    version: number,
  ): { dsl: string; description: string; created_at: string } | undefined {
    return this.db.get(
      "SELECT dsl, description, created_at FROM stepflow_template_versions WHERE template_id = ? AND version = ?",
      templateId,
      version,
    );
  }
  /** A version as the API shows it: with Studio's layout (which starting an execution never reads). */
  versionView(
    templateId: string,
    version: number,
  ): { dsl: string; description: string; layout: string | null } | undefined {
    return this.db.get(
      "SELECT dsl, description, layout FROM stepflow_template_versions WHERE template_id = ? AND version = ?",
      templateId,
      version,
    );
  }
  /** `layout` is the version's node positions as JSON, or null (the same in addVersion). */
  createTemplate(row: TemplateRow, v: { dsl: string; layout: string | null }) {
    this.#evict(row);
    this.db.transaction(() => {
      this.db.run(
        "INSERT INTO stepflow_templates (id, tenant, name, latest, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.tenant,
        row.name,
        row.latest,
        row.description,
        row.created_at,
        row.updated_at,
      );
      this.db.run(
        "INSERT INTO stepflow_template_versions (template_id, version, dsl, description, created_at, layout) VALUES (?, ?, ?, ?, ?, ?)",
        row.id,
        1,
        v.dsl,
        row.description,
        row.created_at,
        v.layout,
      );
    });
  }
  addVersion(
    t: TemplateRow,
    v: { dsl: string; description: string; layout: string | null; now: string },
  ): number {
    this.#evict(t);
    return this.db.transaction(() => {
      const current = this.db.get<{ latest: number }>(
        "SELECT latest FROM stepflow_templates WHERE id = ?",
        t.id,
      )!;
      const version = current.latest + 1;
      this.db.run(
        "INSERT INTO stepflow_template_versions (template_id, version, dsl, description, created_at, layout) VALUES (?, ?, ?, ?, ?, ?)",
        t.id,
        version,
        v.dsl,
        v.description,
        v.now,
        v.layout,
      );
      this.db.run(
        "UPDATE stepflow_templates SET latest = ?, description = ?, updated_at = ? WHERE id = ?",
        version,
        v.description,
        v.now,
        t.id,
      );
      return version;
    });
  }
  listTemplates(tenant: string, limit: number, after?: string): TemplateRow[] {
    return after === undefined
      ? this.db.all<TemplateRow>(
        "SELECT * FROM stepflow_templates WHERE tenant = ? ORDER BY name LIMIT ?",
        tenant,
        limit,
      )
      : this.db.all<TemplateRow>(
        "SELECT * FROM stepflow_templates WHERE tenant = ? AND name > ? ORDER BY name LIMIT ?",
        tenant,
        after,
        limit,
      );
  }
  versions(templateId: string): TemplateVersion[] {
    return this.db.all<{ version: number; created_at: string; description: string }>(
      "SELECT version, created_at, description FROM stepflow_template_versions WHERE template_id = ? ORDER BY version",
      templateId,
    ).map((r) => ({ version: r.version, createdAt: r.created_at, description: r.description }));
  }
  /** Deletes a template; versions still pinned by executions stay so those can finish or redrive. */
  deleteTemplate(t: TemplateRow) {
    this.#evict(t);
    this.db.transaction(() => {
      this.db.run("DELETE FROM stepflow_templates WHERE id = ?", t.id);
      this.db.run(
        `DELETE FROM stepflow_template_versions WHERE template_id = ? AND version NOT IN
          (SELECT version FROM stepflow_executions WHERE template_id = ?)`,
        t.id,
        t.id,
      );
    });
  }

  // ---- executions ---------------------------------------------------------------------------
  execution(tenant: string, id: string): ExecutionRow | undefined {
    return this.db.get<ExecutionRow>(
      "SELECT * FROM stepflow_executions WHERE id = ? AND tenant = ?",
      id,
      tenant,
    );
  }
  executionByName(templateId: string, name: string): ExecutionRow | undefined {
    return this.db.get<ExecutionRow>(
      "SELECT * FROM stepflow_executions WHERE template_id = ? AND name = ?",
      templateId,
      name,
    );
  }
  runningDurable(): ExecutionRow[] {
    return this.db.all<ExecutionRow>(
      "SELECT * FROM stepflow_executions WHERE status = 'running' AND kind = 'durable' ORDER BY started_at",
    );
  }
  listExecutions(
    tenant: string,
    f: {
      status?: string;
      template?: string;
      since?: string;
      until?: string;
      kind?: string;
      limit: number;
      before?: { s: string; i: string };
    },
  ): ExecutionRow[] {
    const where = ["tenant = ?"];
    const params: (string | number)[] = [tenant];
    if (f.status) where.push("status = ?"), params.push(f.status);
    if (f.template) where.push("template = ?"), params.push(f.template);
    if (f.kind) where.push("kind = ?"), params.push(f.kind);
    if (f.since) where.push("started_at >= ?"), params.push(f.since);
    if (f.until) where.push("started_at < ?"), params.push(f.until);
    if (f.before) {
      where.push("(started_at < ? OR (started_at = ? AND id < ?))");
      params.push(f.before.s, f.before.s, f.before.i);
    }
    params.push(f.limit);
    return this.db.all<ExecutionRow>(
      `SELECT * FROM stepflow_executions WHERE ${
        where.join(" AND ")
      } ORDER BY started_at DESC, id DESC LIMIT ?`,
      ...params,
    );
  }
  history(executionId: string, afterSeq: number, limit: number): HistoryEventView[] {
    return this.db.all<{ seq: number; type: string; ts: string; state_path: string; body: string | null }>(
      "SELECT seq, type, ts, state_path, body FROM stepflow_history WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      executionId,
      afterSeq,
      limit,
    ).map((r) => ({ seq: r.seq, type: r.type, timestamp: r.ts, statePath: r.state_path, ...parse(r.body) }));
  }

  /** Writes a group of executions' transitions; the caller wraps it in one transaction. */
  write(ws: ExecutionWrite[]) {
    const history: SqlValue[] = [];
    for (const w of ws) {
      this.#writeRow(w);
      for (const e of w.events) {
        const { seq, type, timestamp, statePath, ...rest } = e;
        let body: string | null = null;
        for (const _ in rest) {
          body = JSON.stringify(rest);
          break;
        }
        history.push(w.row.id, seq, type, timestamp, statePath, body);
      }
    }
    // Multi-row inserts (few statement executions per commit) in a fixed set of sizes.
    let at = 0;
    const rows = history.length / HISTORY_COLS;
    for (const size of [32, 8, 1]) {
      const sql = historyInsert(size);
      while (rows - at / HISTORY_COLS >= size) {
        const end = at + size * HISTORY_COLS;
        this.db.run(sql, ...history.slice(at, end));
        at = end;
      }
    }
  }

  #writeRow(w: ExecutionWrite) {
    const r = w.row;
    if (w.insert) {
      this.db.run(
        `INSERT INTO stepflow_executions (id, tenant, template, template_id, version, name, kind, status, input, output,
          error, cause, started_at, stopped_at, parent_id, depth, redrive_count, snapshot, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        r.id,
        r.tenant,
        r.template,
        r.template_id,
        r.version,
        r.name,
        r.kind,
        r.status,
        r.input,
        r.output,
        r.error,
        r.cause,
        r.started_at,
        r.stopped_at,
        r.parent_id,
        r.depth,
        r.redrive_count,
        r.snapshot,
        w.now,
      );
    } else {
      this.db.run(
        `UPDATE stepflow_executions SET status = ?, output = ?, error = ?, cause = ?, stopped_at = ?, redrive_count = ?,
          snapshot = ?, updated_at = ? WHERE id = ?`,
        r.status,
        r.output,
        r.error,
        r.cause,
        r.stopped_at,
        r.redrive_count,
        r.snapshot,
        w.now,
        r.id,
      );
    }
  }
}

const HISTORY_COLS = 6;
const historySql = new Map<number, string>();
function historyInsert(rows: number): string {
  let sql = historySql.get(rows);
  if (!sql) {
    sql = "INSERT INTO stepflow_history (execution_id, seq, type, ts, state_path, body) VALUES " +
      Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?)").join(", ");
    historySql.set(rows, sql);
  }
  return sql;
}

export type { Template };
