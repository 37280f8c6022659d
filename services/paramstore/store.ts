/** ParamStore's repository: portable SQL over the shared Db. */
import type { Db, Migration, SqlValue } from "../../runtime/storage/mod.ts";
import type { ParamType } from "./types.ts";
import { depthOf } from "./paths.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "paramstore",
  sql: `CREATE TABLE paramstore_params (
    tenant TEXT NOT NULL, path TEXT NOT NULL, depth INTEGER NOT NULL, version INTEGER NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (tenant, path));
  CREATE TABLE paramstore_versions (
    tenant TEXT NOT NULL, path TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,
    value TEXT NOT NULL, description TEXT NOT NULL, allowed_pattern TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (tenant, path, version));
  CREATE TABLE paramstore_labels (
    tenant TEXT NOT NULL, path TEXT NOT NULL, label TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, path, label));`,
}];

export interface VersionRow {
  tenant: string;
  path: string;
  version: number;
  type: ParamType;
  value: string;
  description: string;
  allowed_pattern: string | null;
  created_at: string;
  created_by: string;
}

export interface NewVersion {
  type: ParamType;
  value: unknown;
  description: string;
  allowedPattern?: string | null;
  by: string;
  now: string;
}

export class ParamRepo {
  constructor(private db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  latestVersion(tenant: string, path: string): number | undefined {
    const r = this.db.get<{ version: number }>(
      "SELECT version FROM paramstore_params WHERE tenant = ? AND path = ?",
      tenant,
      path,
    );
    return r ? Number(r.version) : undefined;
  }

  version(tenant: string, path: string, version: number): VersionRow | undefined {
    return this.db.get<VersionRow>(
      "SELECT * FROM paramstore_versions WHERE tenant = ? AND path = ? AND version = ?",
      tenant,
      path,
      version,
    );
  }

  latest(tenant: string, path: string): VersionRow | undefined {
    return this.db.get<VersionRow>(
      `SELECT v.* FROM paramstore_params p JOIN paramstore_versions v
        ON v.tenant = p.tenant AND v.path = p.path AND v.version = p.version
       WHERE p.tenant = ? AND p.path = ?`,
      tenant,
      path,
    );
  }

  labelVersion(tenant: string, path: string, label: string): number | undefined {
    const r = this.db.get<{ version: number }>(
      "SELECT version FROM paramstore_labels WHERE tenant = ? AND path = ? AND label = ?",
      tenant,
      path,
      label,
    );
    return r ? Number(r.version) : undefined;
  }

  labelsOf(tenant: string, path: string, version: number): string[] {
    return this.db.all<{ label: string }>(
      "SELECT label FROM paramstore_labels WHERE tenant = ? AND path = ? AND version = ? ORDER BY label",
      tenant,
      path,
      version,
    ).map((r) => r.label);
  }

  /** Appends a version (creating the parameter at version 1); returns the new version number. */
  put(tenant: string, path: string, v: NewVersion): number {
    return this.db.transaction(() => {
      const latest = this.latestVersion(tenant, path);
      const version = (latest ?? 0) + 1;
      if (latest === undefined) {
        this.db.run(
          "INSERT INTO paramstore_params (tenant, path, depth, version, created_at) VALUES (?, ?, ?, ?, ?)",
          tenant,
          path,
          depthOf(path),
          version,
          v.now,
        );
      } else {
        this.db.run(
          "UPDATE paramstore_params SET version = ? WHERE tenant = ? AND path = ?",
          version,
          tenant,
          path,
        );
      }
      this.db.run(
        `INSERT INTO paramstore_versions (tenant, path, version, type, value, description, allowed_pattern, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        tenant,
        path,
        version,
        v.type,
        JSON.stringify(v.value),
        v.description,
        v.allowedPattern ?? null,
        v.now,
        v.by,
      );
      return version;
    });
  }

  remove(tenant: string, path: string): boolean {
    return this.db.transaction(() => {
      this.db.run("DELETE FROM paramstore_labels WHERE tenant = ? AND path = ?", tenant, path);
      this.db.run("DELETE FROM paramstore_versions WHERE tenant = ? AND path = ?", tenant, path);
      return this.db.run("DELETE FROM paramstore_params WHERE tenant = ? AND path = ?", tenant, path)
        .changes > 0;
    });
  }

  setLabel(tenant: string, path: string, label: string, version: number) {
    this.db.run(
      "DELETE FROM paramstore_labels WHERE tenant = ? AND path = ? AND label = ?",
      tenant,
      path,
      label,
    );
    this.db.run(
      "INSERT INTO paramstore_labels (tenant, path, label, version) VALUES (?, ?, ?, ?)",
      tenant,
      path,
      label,
      version,
    );
  }

  removeLabel(tenant: string, path: string, label: string): boolean {
    return this.db.run(
      "DELETE FROM paramstore_labels WHERE tenant = ? AND path = ? AND label = ?",
      tenant,
      path,
      label,
    )
      .changes > 0;
  }

  history(tenant: string, path: string, q: { before?: number; limit: number }): VersionRow[] {
    return this.db.all<VersionRow>(
      `SELECT * FROM paramstore_versions WHERE tenant = ? AND path = ?${q.before ? " AND version < ?" : ""}
       ORDER BY version DESC LIMIT ${q.limit}`,
      ...[tenant, path, ...(q.before ? [q.before] : [])] as SqlValue[],
    );
  }

  /** Latest versions under a subtree root, ordered by path. */
  byPath(
    tenant: string,
    root: string,
    q: { recursive: boolean; after?: string; limit: number; type?: string; label?: string },
  ): VersionRow[] {
    const prefix = root === "/" ? "/" : root + "/";
    const where = ["p.tenant = ?", "substr(p.path, 1, ?) = ?"];
    const params: SqlValue[] = [tenant, prefix.length, prefix];
    if (!q.recursive) {
      where.push("p.depth = ?");
      params.push(depthOf(root) + 1);
    }
    if (q.after) {
      where.push("p.path > ?");
      params.push(q.after);
    }
    let versionJoin = "v.version = p.version";
    if (q.label) {
      versionJoin = "v.version = l.version";
      params.unshift(q.label);
    }
    if (q.type) {
      where.push("v.type = ?");
      params.push(q.type);
    }
    return this.db.all<VersionRow>(
      `SELECT v.* FROM paramstore_params p
       ${q.label ? "JOIN paramstore_labels l ON l.tenant = p.tenant AND l.path = p.path AND l.label = ?" : ""}
       JOIN paramstore_versions v ON v.tenant = p.tenant AND v.path = p.path AND ${versionJoin}
       WHERE ${where.join(" AND ")} ORDER BY p.path LIMIT ${q.limit}`,
      ...params,
    );
  }
}
