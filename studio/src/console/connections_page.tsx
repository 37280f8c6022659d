/**
 * Connections and actions (OpenAct). #/connections lists connections, ?tab=actions the actions;
 * ?connection=NAME opens a connection (test it), ?action=KIND.NAME an action (execute it).
 */
import type { ReactNode } from "react";
import type { Action, Connection } from "../../../services/openact/types.ts";
import { navigate, useRoute } from "../router.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine, usePaged } from "./resource.tsx";
import { Pill, Tabs, When } from "./ui.tsx";
import { ConnectionDetail } from "./connection_detail.tsx";
import { ActionDetail } from "./action_detail.tsx";
import { ActionCreate, ConnectionCreate } from "./connection_create.tsx";
import { useCan } from "./role.ts";

export const connectionHref = (name: string) => `#/connections?connection=${encodeURIComponent(name)}`;
export const actionHref = (a: { kind: string; name: string }) =>
  `#/connections?action=${encodeURIComponent(`${a.kind}.${a.name}`)}`;

/** The credential's secret name from its TRN (trn:credvault:t:credential/NAME), linked to the secret. */
export function CredentialLink({ trn }: { trn: string | null }): ReactNode {
  if (!trn) return <span className="muted">none</span>;
  const name = /credential\/(.+)$/.exec(trn)?.[1];
  return name ? <a href={`#/secrets/${encodeURIComponent(name)}`} title={trn}>{name}</a> : <code>{trn}</code>;
}

export function ConnectionsPage() {
  const route = useRoute();
  const connection = route.query.get("connection");
  const action = route.query.get("action");
  if (connection) return <ConnectionDetail key={connection} name={connection} />;
  if (action) return <ActionDetail key={action} ref_={action} />;
  const create = route.query.get("new");
  if (create === "connection") return <ConnectionCreate />;
  if (create === "action") return <ActionCreate />;
  return <ConnectionsHome tab={route.query.get("tab") ?? "connections"} />;
}

function ConnectionsHome({ tab }: { tab: string }) {
  const canWrite = useCan("operator");
  const why = canWrite ? undefined : "creating needs the operator role";
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Connections and actions</h2>
        <span className="spacer" />
        <button
          type="button"
          disabled={!canWrite}
          title={why}
          onClick={() => navigate("/connections?new=connection")}
          data-testid="new-connection"
        >
          New connection
        </button>
        <button
          type="button"
          disabled={!canWrite}
          title={why}
          onClick={() => navigate("/connections?new=action")}
          data-testid="new-action"
        >
          New action
        </button>
      </div>
      <Tabs
        tabs={[["connections", "Connections"], ["actions", "Actions"]]}
        active={tab}
        onChange={(t) => navigate(t === "connections" ? "/connections" : `/connections?tab=${t}`)}
      />
      {tab === "actions" ? <ActionList /> : <ConnectionList />}
    </div>
  );
}

function ConnectionList() {
  const list = usePaged<Connection>("/api/v1/connections");
  return (
    <>
      <ErrorLine error={list.error} />
      <Table
        rows={list.items}
        testId="connections"
        empty="No connections yet. Create one with: aio act conn create NAME --kind http …"
        onRow={(c) => navigate(connectionHref(c.name).slice(1))}
        columns={[
          ["Name", (c) => <a href={connectionHref(c.name)}>{c.name}</a>],
          ["Kind", (c) => <Pill status="type">{c.kind}</Pill>],
          ["Description", (c) => c.description || <span className="muted">—</span>],
          ["Endpoint", (c) => <code>{endpointOf(c.settings)}</code>],
          ["Credential", (c) => <CredentialLink trn={c.credential} />],
          ["Version", (c) => c.version],
          ["Updated", (c) => <When iso={c.updatedAt} />],
        ]}
      />
      {list.more && <button type="button" onClick={list.more}>Load more</button>}
    </>
  );
}

/** The most telling setting of a connection: its URL, host or path. */
export function endpointOf(settings: Record<string, unknown>): string {
  for (
    const k of ["baseUrl", "url", "endpoint", "host", "hostname", "servers", "brokers", "path", "database"]
  ) {
    const v = settings[k];
    if (typeof v === "string" && v) return v;
    if (Array.isArray(v) && v.length) return v.join(", ");
  }
  return "";
}

function ActionList() {
  const list = usePaged<Action>("/api/v1/actions");
  return (
    <>
      <ErrorLine error={list.error} />
      <Table
        rows={list.items}
        testId="actions"
        empty="No actions yet. Create one with: aio act create KIND.NAME --connection …"
        onRow={(a) => navigate(actionHref(a).slice(1))}
        columns={[
          ["Action", (a) => <a href={actionHref(a)}>{`${a.kind}.${a.name}`}</a>],
          ["Connection", (a) => <a href={connectionHref(a.connection)}>{a.connection}</a>],
          ["Operation", (a) => <code>{a.operation}</code>],
          ["Description", (a) => a.description || <span className="muted">—</span>],
          ["Input schema", (a) => (a.inputSchema ? "yes" : <span className="muted">none</span>)],
          ["Updated", (a) => <When iso={a.updatedAt} />],
        ]}
      />
      {list.more && <button type="button" onClick={list.more}>Load more</button>}
    </>
  );
}
