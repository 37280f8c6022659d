/** OpenAct's repository over the shared Db: connections, actions and AuthFlow bookkeeping. */
import type { Db } from "../../runtime/storage/mod.ts";
import { ConflictError, NotFoundError } from "../../runtime/errors.ts";
import { formatTrn } from "../../runtime/trn.ts";
import type { Action, AuthStatus, Connection } from "./types.ts";

interface ConnectionRow {
  tenant: string;
  name: string;
  kind: string;
  description: string;
  settings: string;
  credential: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

interface ActionRow {
  tenant: string;
  kind: string;
  name: string;
  connection: string;
  operation: string;
  parameters: string;
  input_schema: string | null;
  description: string;
  timeout_ms: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export const connectionTrn = (tenant: string, kind: string, name: string) =>
  formatTrn({ service: "openact", tenant, type: "connection", path: `${kind}/${name}` });
export const actionTrn = (tenant: string, kind: string, name: string) =>
  formatTrn({ service: "openact", tenant, type: "action", path: `${kind}/${name}` });

const toConnection = (r: ConnectionRow): Connection => ({
  name: r.name,
  trn: connectionTrn(r.tenant, r.kind, r.name),
  kind: r.kind,
  description: r.description,
  settings: JSON.parse(r.settings),
  credential: r.credential,
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toAction = (r: ActionRow): Action => ({
  name: r.name,
  trn: actionTrn(r.tenant, r.kind, r.name),
  kind: r.kind,
  connection: r.connection,
  operation: r.operation,
  parameters: JSON.parse(r.parameters),
  inputSchema: r.input_schema === null ? null : JSON.parse(r.input_schema),
  description: r.description,
  timeoutMs: r.timeout_ms === null ? null : Number(r.timeout_ms),
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface ConnectionInput {
  name: string;
  kind: string;
  description?: string;
  settings: Record<string, unknown>;
  credential?: string | null;
}

export interface ActionInput {
  name: string;
  kind: string;
  connection: string;
  operation: string;
  parameters?: Record<string, unknown>;
  inputSchema?: Record<string, unknown> | null;
  description?: string;
  timeoutMs?: number | null;
}

export class OpenActStore {
  /** Names of other resources (event sources) subscribed on a connection; deleting it is refused. */
  connectionUsers?: (tenant: string, name: string) => string[];

  constructor(private db: Db, private now: () => number) {}

  #iso() {
    return new Date(this.now()).toISOString();
  }

  createConnection(tenant: string, input: ConnectionInput): Connection {
    const at = this.#iso();
    return this.db.transaction(() => {
      if (this.findConnection(tenant, input.name)) {
        throw new ConflictError(
          `connection '${input.name}' already exists: choose another name or update it with PUT`,
        );
      }
      this.db.run(
        `INSERT INTO openact_connections (tenant, name, kind, description, settings, credential, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        tenant,
        input.name,
        input.kind,
        input.description ?? "",
        JSON.stringify(input.settings),
        input.credential ?? null,
        at,
        at,
      );
      return this.getConnection(tenant, input.name);
    });
  }

  updateConnection(
    tenant: string,
    name: string,
    patch: { settings?: Record<string, unknown>; credential?: string | null; description?: string },
  ): Connection {
    return this.db.transaction(() => {
      const current = this.getConnection(tenant, name);
      this.db.run(
        `UPDATE openact_connections SET settings = ?, credential = ?, description = ?, version = version + 1, updated_at = ?
         WHERE tenant = ? AND name = ?`,
        JSON.stringify(patch.settings ?? current.settings),
        patch.credential === undefined ? current.credential : patch.credential,
        patch.description ?? current.description,
        this.#iso(),
        tenant,
        name,
      );
      return this.getConnection(tenant, name);
    });
  }

  findConnection(tenant: string, name: string): Connection | undefined {
    const row = this.db.get<ConnectionRow>(
      "SELECT * FROM openact_connections WHERE tenant = ? AND name = ?",
      tenant,
      name,
    );
    return row ? toConnection(row) : undefined;
  }

  getConnection(tenant: string, name: string): Connection {
    const found = this.findConnection(tenant, name);
    if (!found) throw new NotFoundError("connection", name);
    return found;
  }

  listConnections(tenant: string, options: { kind?: string; after?: string; limit: number }): Connection[] {
    const rows = this.db.all<ConnectionRow>(
      `SELECT * FROM openact_connections WHERE tenant = ? AND (? IS NULL OR kind = ?) AND name > ?
       ORDER BY name LIMIT ?`,
      tenant,
      options.kind ?? null,
      options.kind ?? null,
      options.after ?? "",
      options.limit,
    );
    return rows.map(toConnection);
  }

  deleteConnection(tenant: string, name: string): Connection {
    return this.db.transaction(() => {
      const current = this.getConnection(tenant, name);
      const users = this.db.all<{ kind: string; name: string }>(
        "SELECT kind, name FROM openact_actions WHERE tenant = ? AND connection = ? ORDER BY kind, name LIMIT 5",
        tenant,
        name,
      );
      if (users.length) {
        throw new ConflictError(
          `connection '${name}' is used by action(s) ${
            users.map((u) => `${u.kind}.${u.name}`).join(", ")
          }: delete them first`,
        );
      }
      const sources = this.connectionUsers?.(tenant, name) ?? [];
      if (sources.length) {
        throw new ConflictError(
          `connection '${name}' is used by event source(s) ${
            sources.slice(0, 5).join(", ")
          }: delete them first (aio act source delete NAME)`,
        );
      }
      this.db.run("DELETE FROM openact_connections WHERE tenant = ? AND name = ?", tenant, name);
      this.db.run("DELETE FROM openact_authflow_status WHERE tenant = ? AND connection = ?", tenant, name);
      return current;
    });
  }

  createAction(tenant: string, input: ActionInput): Action {
    const at = this.#iso();
    return this.db.transaction(() => {
      if (this.findAction(tenant, input.kind, input.name)) {
        throw new ConflictError(
          `action '${input.kind}.${input.name}' already exists: choose another name or update it with PUT`,
        );
      }
      this.db.run(
        `INSERT INTO openact_actions (tenant, kind, name, connection, operation, parameters, input_schema, description,
           timeout_ms, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        tenant,
        input.kind,
        input.name,
        input.connection,
        input.operation,
        JSON.stringify(input.parameters ?? {}),
        input.inputSchema ? JSON.stringify(input.inputSchema) : null,
        input.description ?? "",
        input.timeoutMs ?? null,
        at,
        at,
      );
      return this.getAction(tenant, input.kind, input.name);
    });
  }

  updateAction(tenant: string, kind: string, name: string, next: Omit<ActionInput, "name" | "kind">): Action {
    return this.db.transaction(() => {
      this.getAction(tenant, kind, name);
      this.db.run(
        `UPDATE openact_actions SET connection = ?, operation = ?, parameters = ?, input_schema = ?, description = ?,
           timeout_ms = ?, version = version + 1, updated_at = ? WHERE tenant = ? AND kind = ? AND name = ?`,
        next.connection,
        next.operation,
        JSON.stringify(next.parameters ?? {}),
        next.inputSchema ? JSON.stringify(next.inputSchema) : null,
        next.description ?? "",
        next.timeoutMs ?? null,
        this.#iso(),
        tenant,
        kind,
        name,
      );
      return this.getAction(tenant, kind, name);
    });
  }

  findAction(tenant: string, kind: string, name: string): Action | undefined {
    const row = this.db.get<ActionRow>(
      "SELECT * FROM openact_actions WHERE tenant = ? AND kind = ? AND name = ?",
      tenant,
      kind,
      name,
    );
    return row ? toAction(row) : undefined;
  }

  getAction(tenant: string, kind: string, name: string): Action {
    const found = this.findAction(tenant, kind, name);
    if (!found) throw new NotFoundError("action", `${kind}.${name}`);
    return found;
  }

  listActions(
    tenant: string,
    options: { kind?: string; connection?: string; after?: string; limit: number },
  ): Action[] {
    const rows = this.db.all<ActionRow>(
      `SELECT * FROM openact_actions WHERE tenant = ? AND (? IS NULL OR kind = ?) AND (? IS NULL OR connection = ?)
       AND (kind || '.' || name) > ? ORDER BY kind || '.' || name LIMIT ?`,
      tenant,
      options.kind ?? null,
      options.kind ?? null,
      options.connection ?? null,
      options.connection ?? null,
      options.after ?? "",
      options.limit,
    );
    return rows.map(toAction);
  }

  deleteAction(tenant: string, kind: string, name: string): Action {
    const current = this.getAction(tenant, kind, name);
    this.db.run("DELETE FROM openact_actions WHERE tenant = ? AND kind = ? AND name = ?", tenant, kind, name);
    return current;
  }

  // ---- AuthFlow bookkeeping (tokens themselves live in CredVault) ----

  putAuthSession(
    s: {
      stateHash: string;
      tenant: string;
      connection: string;
      verifier: string;
      redirectUri: string;
      ttlMs: number;
    },
  ) {
    const now = this.now();
    this.db.run("DELETE FROM openact_authflow_sessions WHERE expires_at < ?", new Date(now).toISOString());
    this.db.run(
      `INSERT INTO openact_authflow_sessions (state_hash, tenant, connection, verifier, redirect_uri, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      s.stateHash,
      s.tenant,
      s.connection,
      s.verifier,
      s.redirectUri,
      new Date(now).toISOString(),
      new Date(now + s.ttlMs).toISOString(),
    );
  }

  /** Returns and deletes the session (single use); undefined when unknown or expired. */
  takeAuthSession(stateHash: string) {
    return this.db.transaction(() => {
      const row = this.db.get<
        { tenant: string; connection: string; verifier: string; redirect_uri: string; expires_at: string }
      >("SELECT * FROM openact_authflow_sessions WHERE state_hash = ?", stateHash);
      if (!row) return undefined;
      this.db.run("DELETE FROM openact_authflow_sessions WHERE state_hash = ?", stateHash);
      if (Date.parse(row.expires_at) < this.now()) return undefined;
      return {
        tenant: row.tenant,
        connection: row.connection,
        verifier: row.verifier,
        redirectUri: row.redirect_uri,
      };
    });
  }

  getAuthStatus(tenant: string, connection: string) {
    return this.db.get<{
      status: AuthStatus["status"];
      expires_at: string | null;
      scope: string | null;
      has_refresh: number;
      last_authorized_at: string | null;
      last_refresh_at: string | null;
      last_error: string | null;
    }>("SELECT * FROM openact_authflow_status WHERE tenant = ? AND connection = ?", tenant, connection);
  }

  putAuthStatus(
    tenant: string,
    connection: string,
    s: {
      status: AuthStatus["status"];
      expiresAt?: string | null;
      scope?: string | null;
      hasRefresh?: boolean;
      authorized?: boolean;
      refreshed?: boolean;
      error?: string | null;
    },
  ) {
    const prev = this.getAuthStatus(tenant, connection);
    const at = this.#iso();
    this.db.run(
      `INSERT INTO openact_authflow_status (tenant, connection, status, expires_at, scope, has_refresh, last_authorized_at,
         last_refresh_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, connection) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at,
         scope = excluded.scope, has_refresh = excluded.has_refresh, last_authorized_at = excluded.last_authorized_at,
         last_refresh_at = excluded.last_refresh_at, last_error = excluded.last_error`,
      tenant,
      connection,
      s.status,
      s.expiresAt !== undefined ? s.expiresAt : prev?.expires_at ?? null,
      s.scope !== undefined ? s.scope : prev?.scope ?? null,
      s.hasRefresh !== undefined ? (s.hasRefresh ? 1 : 0) : prev?.has_refresh ?? 0,
      s.authorized ? at : prev?.last_authorized_at ?? null,
      s.refreshed ? at : prev?.last_refresh_at ?? null,
      s.error !== undefined ? s.error : null,
    );
  }
}
