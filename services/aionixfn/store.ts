/** AionixFn's repository over the shared Db: functions, versions, aliases, async queue, logs. */
import type { Db, Migration } from "../../runtime/storage/mod.ts";
import { ConflictError, NotFoundError } from "../../runtime/errors.ts";
import type {
  AsyncStatus,
  FnRunConfig,
  FnSettings,
  FunctionErrorBody,
  LogEntry,
  StoredCode,
} from "./types.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "functions",
  sql: `
CREATE TABLE fn_functions (
  tenant TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL, settings TEXT NOT NULL,
  code TEXT NOT NULL, code_hash TEXT NOT NULL, code_size INTEGER NOT NULL,
  latest_version INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, name));
CREATE TABLE fn_versions (
  tenant TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, config TEXT NOT NULL,
  code TEXT NOT NULL, code_hash TEXT NOT NULL, code_size INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (tenant, name, version));
CREATE TABLE fn_aliases (
  tenant TEXT NOT NULL, name TEXT NOT NULL, alias TEXT NOT NULL, version TEXT NOT NULL, weights TEXT,
  description TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, name, alias));
CREATE TABLE fn_async (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, qualifier TEXT NOT NULL,
  payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL, idem_key TEXT, version TEXT, result TEXT, error TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX fn_async_due ON fn_async (status, next_at);
CREATE UNIQUE INDEX fn_async_idem ON fn_async (tenant, name, idem_key);
CREATE TABLE fn_logs (
  seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  request_id TEXT NOT NULL, time TEXT NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX fn_logs_fn ON fn_logs (tenant, name, seq);
`,
}];

export interface FunctionRow {
  tenant: string;
  name: string;
  config: FnRunConfig;
  settings: FnSettings;
  codeKind: "inline" | "files";
  codeHash: string;
  codeSize: number;
  latestVersion: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface VersionRow {
  version: number;
  config: FnRunConfig;
  codeHash: string;
  codeSize: number;
  createdAt: string;
}

export interface AliasRow {
  alias: string;
  version: string;
  weights: Record<string, number> | null;
  description: string;
  createdAt: string;
  updatedAt: string;
}

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

type Raw = Record<string, string | number | null>;

const fnRow = (r: Raw): FunctionRow => ({
  tenant: r.tenant as string,
  name: r.name as string,
  config: JSON.parse(r.config as string),
  settings: JSON.parse(r.settings as string),
  codeKind: r.code_kind as "inline" | "files",
  codeHash: r.code_hash as string,
  codeSize: Number(r.code_size),
  latestVersion: r.latest_version === null ? null : Number(r.latest_version),
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

const versionRow = (r: Raw): VersionRow => ({
  version: Number(r.version),
  config: JSON.parse(r.config as string),
  codeHash: r.code_hash as string,
  codeSize: Number(r.code_size),
  createdAt: r.created_at as string,
});

const aliasRow = (r: Raw): AliasRow => ({
  alias: r.alias as string,
  version: r.version as string,
  weights: r.weights ? JSON.parse(r.weights as string) : null,
  description: r.description as string,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

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

const FN_COLUMNS =
  "tenant, name, config, settings, code_hash, code_size, latest_version, created_at, updated_at, " +
  `CASE WHEN SUBSTR(code, 1, 16) = '{"kind":"inline"' THEN 'inline' ELSE 'files' END AS code_kind`;

export class FnStore {
  constructor(private db: Db, private now: () => number) {}

  #iso() {
    return new Date(this.now()).toISOString();
  }

  // ---- functions -------------------------------------------------------------------------
  createFunction(
    tenant: string,
    name: string,
    input: {
      config: FnRunConfig;
      settings: FnSettings;
      code: StoredCode;
      codeHash: string;
      codeSize: number;
    },
  ): FunctionRow {
    const at = this.#iso();
    this.db.transaction(() => {
      if (this.db.get("SELECT 1 AS x FROM fn_functions WHERE tenant = ? AND name = ?", tenant, name)) {
        throw new ConflictError(
          `function '${name}' already exists: update it with PUT /api/v1/functions/${name}`,
        );
      }
      this.db.run(
        `INSERT INTO fn_functions (tenant, name, config, settings, code, code_hash, code_size, latest_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
        tenant,
        name,
        JSON.stringify(input.config),
        JSON.stringify(input.settings),
        JSON.stringify(input.code),
        input.codeHash,
        input.codeSize,
        at,
        at,
      );
    });
    return this.getFunction(tenant, name);
  }

  findFunction(tenant: string, name: string): FunctionRow | undefined {
    const r = this.db.get<Raw>(
      `SELECT ${FN_COLUMNS} FROM fn_functions WHERE tenant = ? AND name = ?`,
      tenant,
      name,
    );
    return r ? fnRow(r) : undefined;
  }

  getFunction(tenant: string, name: string): FunctionRow {
    const row = this.findFunction(tenant, name);
    if (!row) throw new NotFoundError("function", name);
    return row;
  }

  listFunctions(tenant: string, limit: number, after?: string): FunctionRow[] {
    return this.db.all<Raw>(
      `SELECT ${FN_COLUMNS} FROM fn_functions WHERE tenant = ? AND name > ? ORDER BY name LIMIT ?`,
      tenant,
      after ?? "",
      limit,
    ).map(fnRow);
  }

  updateFunction(
    tenant: string,
    name: string,
    input: {
      config: FnRunConfig;
      settings: FnSettings;
      code?: StoredCode;
      codeHash?: string;
      codeSize?: number;
    },
  ): FunctionRow {
    const at = this.#iso();
    const changes = input.code
      ? this.db.run(
        `UPDATE fn_functions SET config = ?, settings = ?, code = ?, code_hash = ?, code_size = ?, updated_at = ?
         WHERE tenant = ? AND name = ?`,
        JSON.stringify(input.config),
        JSON.stringify(input.settings),
        JSON.stringify(input.code),
        input.codeHash!,
        input.codeSize!,
        at,
        tenant,
        name,
      ).changes
      : this.db.run(
        "UPDATE fn_functions SET config = ?, settings = ?, updated_at = ? WHERE tenant = ? AND name = ?",
        JSON.stringify(input.config),
        JSON.stringify(input.settings),
        at,
        tenant,
        name,
      ).changes;
    if (!changes) throw new NotFoundError("function", name);
    return this.getFunction(tenant, name);
  }

  deleteFunction(tenant: string, name: string): void {
    this.db.transaction(() => {
      const { changes } = this.db.run("DELETE FROM fn_functions WHERE tenant = ? AND name = ?", tenant, name);
      if (!changes) throw new NotFoundError("function", name);
      this.db.run("DELETE FROM fn_versions WHERE tenant = ? AND name = ?", tenant, name);
      this.db.run("DELETE FROM fn_aliases WHERE tenant = ? AND name = ?", tenant, name);
      this.db.run("DELETE FROM fn_logs WHERE tenant = ? AND name = ?", tenant, name);
      this.db.run(
        "UPDATE fn_async SET status = 'failed', error = ?, updated_at = ? WHERE tenant = ? AND name = ? AND status IN ('queued', 'running')",
        JSON.stringify({
          errorType: "FunctionDeleted",
          errorMessage: `function '${name}' was deleted`,
          stack: [],
        }),
        this.#iso(),
        tenant,
        name,
      );
    });
  }

  /** The draft's (or a version's) code. */
  code(tenant: string, name: string, version: number | null): StoredCode {
    const r = version === null
      ? this.db.get<{ code: string }>(
        "SELECT code FROM fn_functions WHERE tenant = ? AND name = ?",
        tenant,
        name,
      )
      : this.db.get<{ code: string }>(
        "SELECT code FROM fn_versions WHERE tenant = ? AND name = ? AND version = ?",
        tenant,
        name,
        version,
      );
    if (!r) throw new NotFoundError("function", version === null ? name : `${name}:${version}`);
    return JSON.parse(r.code);
  }

  // ---- versions --------------------------------------------------------------------------
  /** Publishes the draft as the next version; an unchanged draft returns the latest version. */
  publish(tenant: string, name: string, description?: string): { version: VersionRow; created: boolean } {
    return this.db.transaction(() => {
      const fn = this.getFunction(tenant, name);
      const config = description !== undefined ? { ...fn.config, description } : fn.config;
      if (fn.latestVersion !== null) {
        const latest = this.getVersion(tenant, name, fn.latestVersion);
        // Publishing an unchanged draft (same code and run configuration) returns the latest version.
        const same = (a: FnRunConfig, b: FnRunConfig) =>
          JSON.stringify({ ...a, description: "" }) === JSON.stringify({ ...b, description: "" });
        if (latest.codeHash === fn.codeHash && same(latest.config, fn.config)) {
          return { version: latest, created: false };
        }
      }
      const next = (fn.latestVersion ?? 0) + 1;
      this.db.run(
        `INSERT INTO fn_versions (tenant, name, version, config, code, code_hash, code_size, created_at)
         SELECT tenant, name, ?, ?, code, code_hash, code_size, ? FROM fn_functions WHERE tenant = ? AND name = ?`,
        next,
        JSON.stringify(config),
        this.#iso(),
        tenant,
        name,
      );
      this.db.run(
        "UPDATE fn_functions SET latest_version = ? WHERE tenant = ? AND name = ?",
        next,
        tenant,
        name,
      );
      return { version: this.getVersion(tenant, name, next), created: true };
    });
  }

  findVersion(tenant: string, name: string, version: number): VersionRow | undefined {
    const r = this.db.get<Raw>(
      "SELECT version, config, code_hash, code_size, created_at FROM fn_versions WHERE tenant = ? AND name = ? AND version = ?",
      tenant,
      name,
      version,
    );
    return r ? versionRow(r) : undefined;
  }

  getVersion(tenant: string, name: string, version: number): VersionRow {
    const row = this.findVersion(tenant, name, version);
    if (!row) throw new NotFoundError("version", `${name}:${version}`);
    return row;
  }

  listVersions(tenant: string, name: string, limit: number, after = 0): VersionRow[] {
    return this.db.all<Raw>(
      `SELECT version, config, code_hash, code_size, created_at FROM fn_versions
       WHERE tenant = ? AND name = ? AND version > ? ORDER BY version LIMIT ?`,
      tenant,
      name,
      after,
      limit,
    ).map(versionRow);
  }

  // ---- aliases ---------------------------------------------------------------------------
  createAlias(tenant: string, name: string, alias: string, version: string, description: string): AliasRow {
    const at = this.#iso();
    this.db.transaction(() => {
      if (this.findAlias(tenant, name, alias)) {
        throw new ConflictError(`alias '${alias}' of '${name}' already exists: update it with PUT`);
      }
      this.db.run(
        `INSERT INTO fn_aliases (tenant, name, alias, version, weights, description, created_at, updated_at)
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`,
        tenant,
        name,
        alias,
        version,
        description,
        at,
        at,
      );
    });
    return this.getAlias(tenant, name, alias);
  }

  findAlias(tenant: string, name: string, alias: string): AliasRow | undefined {
    const r = this.db.get<Raw>(
      "SELECT * FROM fn_aliases WHERE tenant = ? AND name = ? AND alias = ?",
      tenant,
      name,
      alias,
    );
    return r ? aliasRow(r) : undefined;
  }

  getAlias(tenant: string, name: string, alias: string): AliasRow {
    const row = this.findAlias(tenant, name, alias);
    if (!row) throw new NotFoundError("alias", `${name}:${alias}`);
    return row;
  }

  listAliases(tenant: string, name: string): AliasRow[] {
    return this.db.all<Raw>(
      "SELECT * FROM fn_aliases WHERE tenant = ? AND name = ? ORDER BY alias",
      tenant,
      name,
    )
      .map(aliasRow);
  }

  updateAlias(
    tenant: string,
    name: string,
    alias: string,
    patch: { version: string; weights: Record<string, number> | null; description: string },
  ): AliasRow {
    const { changes } = this.db.run(
      "UPDATE fn_aliases SET version = ?, weights = ?, description = ?, updated_at = ? WHERE tenant = ? AND name = ? AND alias = ?",
      patch.version,
      patch.weights ? JSON.stringify(patch.weights) : null,
      patch.description,
      this.#iso(),
      tenant,
      name,
      alias,
    );
    if (!changes) throw new NotFoundError("alias", `${name}:${alias}`);
    return this.getAlias(tenant, name, alias);
  }

  deleteAlias(tenant: string, name: string, alias: string): void {
    const { changes } = this.db.run(
      "DELETE FROM fn_aliases WHERE tenant = ? AND name = ? AND alias = ?",
      tenant,
      name,
      alias,
    );
    if (!changes) throw new NotFoundError("alias", `${name}:${alias}`);
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
