/** AionixFn's repository over the shared Db: functions, versions, aliases, async queue, logs. */
import type { Db, Migration } from "../../runtime/storage/mod.ts";
import { ConflictError, NotFoundError } from "../../runtime/errors.ts";
import { FnWorkStore } from "./store_work.ts";

export type { AsyncRow } from "./store_work.ts";
import type { FnRunConfig, FnSettings, StoredCode } from "./types.ts";

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

const FN_COLUMNS =
  "tenant, name, config, settings, code_hash, code_size, latest_version, created_at, updated_at, " +
  `CASE WHEN SUBSTR(code, 1, 16) = '{"kind":"inline"' THEN 'inline' ELSE 'files' END AS code_kind`;

export class FnStore extends FnWorkStore {
  constructor(db: Db, now: () => number) {
    super(db, now);
  }

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
}
