/** CredVault's repository: portable SQL over the shared Db. Ciphertext only; never plaintext. */
import type { Db, Migration, SqlValue } from "../../runtime/storage/mod.ts";
import type { LastRotation, RotationConfig, SecretType, Stage, VersionMeta, VersionState } from "./types.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "credvault",
  sql: `CREATE TABLE credvault_keys (
    id INTEGER PRIMARY KEY, check_value BLOB NOT NULL, created_at TEXT NOT NULL, rotated_at TEXT);
  CREATE TABLE credvault_secrets (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
    description TEXT NOT NULL, tags TEXT NOT NULL, wrapped_key BLOB NOT NULL,
    rotation TEXT, next_rotation_at TEXT, last_rotated_at TEXT, last_rotation TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT, purge_at TEXT,
    UNIQUE (tenant, name));
  CREATE INDEX credvault_secrets_next_rotation ON credvault_secrets (next_rotation_at);
  CREATE INDEX credvault_secrets_purge ON credvault_secrets (purge_at);
  CREATE TABLE credvault_versions (
    secret_id TEXT NOT NULL REFERENCES credvault_secrets (id) ON DELETE CASCADE,
    version_id TEXT NOT NULL, seq INTEGER NOT NULL, ciphertext BLOB NOT NULL, state TEXT NOT NULL,
    meta TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    PRIMARY KEY (secret_id, version_id));
  CREATE TABLE credvault_stages (
    secret_id TEXT NOT NULL REFERENCES credvault_secrets (id) ON DELETE CASCADE,
    stage TEXT NOT NULL, version_id TEXT NOT NULL, PRIMARY KEY (secret_id, stage));`,
}];

export interface SecretRow {
  id: string;
  tenant: string;
  name: string;
  type: SecretType;
  description: string;
  tags: string;
  wrapped_key: Uint8Array;
  rotation: string | null;
  next_rotation_at: string | null;
  last_rotated_at: string | null;
  last_rotation: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  purge_at: string | null;
}

export interface VersionRow {
  secret_id: string;
  version_id: string;
  seq: number;
  ciphertext: Uint8Array;
  state: VersionState;
  meta: string;
  created_at: string;
  created_by: string;
}

export interface NewSecret {
  id: string;
  tenant: string;
  name: string;
  type: SecretType;
  description: string;
  tags: Record<string, string>;
  wrappedKey: Uint8Array;
  rotation?: RotationConfig;
  nextRotationAt?: string;
  now: string;
}

export interface NewVersion {
  secretId: string;
  versionId: string;
  ciphertext: Uint8Array;
  meta: VersionMeta;
  createdBy: string;
  now: string;
}

export class CredVaultStore {
  constructor(private db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  checkValue(): Uint8Array | undefined {
    return this.db.get<{ check_value: Uint8Array }>("SELECT check_value FROM credvault_keys WHERE id = 1")
      ?.check_value;
  }

  saveCheckValue(value: Uint8Array, now: string) {
    if (this.checkValue()) {
      this.db.run("UPDATE credvault_keys SET check_value = ?, rotated_at = ? WHERE id = 1", value, now);
    } else {
      this.db.run("INSERT INTO credvault_keys (id, check_value, created_at) VALUES (1, ?, ?)", value, now);
    }
  }

  find(tenant: string, name: string): SecretRow | undefined {
    return this.db.get<SecretRow>(
      "SELECT * FROM credvault_secrets WHERE tenant = ? AND name = ?",
      tenant,
      name,
    );
  }

  byId(id: string): SecretRow | undefined {
    return this.db.get<SecretRow>("SELECT * FROM credvault_secrets WHERE id = ?", id);
  }

  list(
    tenant: string,
    q: { after?: string; limit: number; type?: string; prefix?: string; includeDeleted?: boolean },
  ): SecretRow[] {
    const where = ["tenant = ?"];
    const params: SqlValue[] = [tenant];
    if (q.after) {
      where.push("name > ?");
      params.push(q.after);
    }
    if (q.type) {
      where.push("type = ?");
      params.push(q.type);
    }
    if (q.prefix) {
      where.push("substr(name, 1, ?) = ?");
      params.push(q.prefix.length, q.prefix);
    }
    if (!q.includeDeleted) where.push("deleted_at IS NULL");
    return this.db.all<SecretRow>(
      `SELECT * FROM credvault_secrets WHERE ${where.join(" AND ")} ORDER BY name LIMIT ${q.limit}`,
      ...params,
    );
  }

  /** Every wrapped data key, for master-key rotation. */
  allWrappedKeys(): Pick<SecretRow, "id" | "tenant" | "name" | "wrapped_key">[] {
    return this.db.all("SELECT id, tenant, name, wrapped_key FROM credvault_secrets ORDER BY id");
  }

  setWrappedKey(id: string, wrapped: Uint8Array) {
    this.db.run("UPDATE credvault_secrets SET wrapped_key = ? WHERE id = ?", wrapped, id);
  }

  insertSecret(s: NewSecret) {
    this.db.run(
      `INSERT INTO credvault_secrets (id, tenant, name, type, description, tags, wrapped_key, rotation,
        next_rotation_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id,
      s.tenant,
      s.name,
      s.type,
      s.description,
      JSON.stringify(s.tags),
      s.wrappedKey,
      s.rotation ? JSON.stringify(s.rotation) : null,
      s.nextRotationAt ?? null,
      s.now,
      s.now,
    );
  }

  update(
    id: string,
    fields: {
      description?: string;
      tags?: Record<string, string>;
      rotation?: RotationConfig | null;
      nextRotationAt?: string | null;
      lastRotatedAt?: string;
      lastRotation?: LastRotation;
      deletedAt?: string | null;
      purgeAt?: string | null;
    },
    now: string,
  ) {
    const sets = ["updated_at = ?"];
    const params: SqlValue[] = [now];
    const put = (column: string, value: SqlValue) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (fields.description !== undefined) put("description", fields.description);
    if (fields.tags !== undefined) put("tags", JSON.stringify(fields.tags));
    if (fields.rotation !== undefined) {
      put("rotation", fields.rotation ? JSON.stringify(fields.rotation) : null);
    }
    if (fields.nextRotationAt !== undefined) put("next_rotation_at", fields.nextRotationAt);
    if (fields.lastRotatedAt !== undefined) put("last_rotated_at", fields.lastRotatedAt);
    if (fields.lastRotation !== undefined) put("last_rotation", JSON.stringify(fields.lastRotation));
    if (fields.deletedAt !== undefined) put("deleted_at", fields.deletedAt);
    if (fields.purgeAt !== undefined) put("purge_at", fields.purgeAt);
    this.db.run(`UPDATE credvault_secrets SET ${sets.join(", ")} WHERE id = ?`, ...params, id);
  }

  deleteSecret(id: string) {
    this.db.run("DELETE FROM credvault_stages WHERE secret_id = ?", id);
    this.db.run("DELETE FROM credvault_versions WHERE secret_id = ?", id);
    this.db.run("DELETE FROM credvault_secrets WHERE id = ?", id);
  }

  insertVersion(v: NewVersion): number {
    const seq = Number(
      this.db.get<{ n: number }>(
        "SELECT COALESCE(MAX(seq), 0) AS n FROM credvault_versions WHERE secret_id = ?",
        v.secretId,
      )!
        .n,
    ) + 1;
    this.db.run(
      `INSERT INTO credvault_versions (secret_id, version_id, seq, ciphertext, state, meta, created_at, created_by)
       VALUES (?, ?, ?, ?, 'active', ?, ?, ?)`,
      v.secretId,
      v.versionId,
      seq,
      v.ciphertext,
      JSON.stringify(v.meta),
      v.now,
      v.createdBy,
    );
    return seq;
  }

  version(secretId: string, versionId: string): VersionRow | undefined {
    return this.db.get<VersionRow>(
      "SELECT * FROM credvault_versions WHERE secret_id = ? AND version_id = ?",
      secretId,
      versionId,
    );
  }

  versions(secretId: string): VersionRow[] {
    return this.db.all<VersionRow>(
      "SELECT * FROM credvault_versions WHERE secret_id = ? ORDER BY seq DESC",
      secretId,
    );
  }

  versionCount(secretId: string): number {
    return Number(
      this.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM credvault_versions WHERE secret_id = ?",
        secretId,
      )!.n,
    );
  }

  setVersionState(secretId: string, versionId: string, state: VersionState) {
    this.db.run(
      "UPDATE credvault_versions SET state = ? WHERE secret_id = ? AND version_id = ?",
      state,
      secretId,
      versionId,
    );
  }

  stages(secretId: string): Partial<Record<Stage, string>> {
    const out: Partial<Record<Stage, string>> = {};
    for (
      const r of this.db.all<{ stage: Stage; version_id: string }>(
        "SELECT stage, version_id FROM credvault_stages WHERE secret_id = ?",
        secretId,
      )
    ) out[r.stage] = r.version_id;
    return out;
  }

  stageVersion(secretId: string, stage: Stage): string | undefined {
    return this.db.get<{ version_id: string }>(
      "SELECT version_id FROM credvault_stages WHERE secret_id = ? AND stage = ?",
      secretId,
      stage,
    )?.version_id;
  }

  setStage(secretId: string, stage: Stage, versionId: string | null) {
    this.db.run("DELETE FROM credvault_stages WHERE secret_id = ? AND stage = ?", secretId, stage);
    if (versionId) {
      this.db.run(
        "INSERT INTO credvault_stages (secret_id, stage, version_id) VALUES (?, ?, ?)",
        secretId,
        stage,
        versionId,
      );
    }
  }

  /** Secrets whose scheduled rotation or purge is due at `now` (ISO). */
  due(now: string): { rotate: SecretRow[]; purge: SecretRow[] } {
    return {
      rotate: this.db.all<SecretRow>(
        "SELECT * FROM credvault_secrets WHERE deleted_at IS NULL AND next_rotation_at IS NOT NULL AND next_rotation_at <= ? ORDER BY next_rotation_at",
        now,
      ),
      purge: this.db.all<SecretRow>(
        "SELECT * FROM credvault_secrets WHERE purge_at IS NOT NULL AND purge_at <= ? ORDER BY purge_at",
        now,
      ),
    };
  }

  /** The earliest scheduled rotation or purge (ISO), if any. */
  nextDue(): string | undefined {
    const r = this.db.get<{ a: string | null; b: string | null }>(
      `SELECT (SELECT MIN(next_rotation_at) FROM credvault_secrets WHERE deleted_at IS NULL) AS a,
        (SELECT MIN(purge_at) FROM credvault_secrets) AS b`,
    )!;
    const all = [r.a, r.b].filter((x): x is string => !!x).sort();
    return all[0];
  }
}
