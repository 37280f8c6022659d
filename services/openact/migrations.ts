/** OpenAct tables (owner "openact"); forward-only, portable SQL. */
import type { Migration } from "../../runtime/storage/mod.ts";

export const migrations: Migration[] = [{
  version: 1,
  name: "connections, actions, authflow",
  sql: `
CREATE TABLE openact_connections (
  tenant TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL,
  settings TEXT NOT NULL, credential TEXT, version INTEGER NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant, name));
CREATE TABLE openact_actions (
  tenant TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, connection TEXT NOT NULL,
  operation TEXT NOT NULL, parameters TEXT NOT NULL, input_schema TEXT, description TEXT NOT NULL,
  timeout_ms INTEGER, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, kind, name));
CREATE INDEX openact_actions_connection ON openact_actions (tenant, connection);
CREATE TABLE openact_authflow_sessions (
  state_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, connection TEXT NOT NULL, verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE openact_authflow_status (
  tenant TEXT NOT NULL, connection TEXT NOT NULL, status TEXT NOT NULL, expires_at TEXT, scope TEXT,
  has_refresh INTEGER NOT NULL, last_authorized_at TEXT, last_refresh_at TEXT, last_error TEXT,
  PRIMARY KEY (tenant, connection));
`,
}, {
  version: 2,
  name: "event sources",
  sql: `
CREATE TABLE openact_event_sources (
  tenant TEXT NOT NULL, name TEXT NOT NULL, connection TEXT NOT NULL, kind TEXT NOT NULL,
  input TEXT NOT NULL, detail_type TEXT NOT NULL, description TEXT NOT NULL, enabled INTEGER NOT NULL,
  version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant, name));
CREATE INDEX openact_event_sources_connection ON openact_event_sources (tenant, connection);
`,
}];
