/**
 * One connection: settings (never the credential's value), a live test with latency, its actions;
 * operators edit description, credential and settings in place.
 */
import { useCallback, useEffect, useState } from "react";
import { ApiError, get, post } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine, usePaged } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Crumbs, KeyValue, ms, Panel, Pill, When } from "./ui.tsx";
import type { Action, Connection } from "../../../services/openact/types.ts";
import { actionHref, CredentialLink } from "./connections_page.tsx";
import { ConnectionEdit } from "./connection_edit.tsx";

interface TestResult {
  connection: string;
  ok: boolean;
  durationMs: number;
  details?: Record<string, unknown>;
  error?: string;
}

/** Nested settings as dotted keys: {auth: {type: "bearer"}} → auth.type = bearer. */
export function flatten(obj: Record<string, unknown>, prefix = ""): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) {
      out.push(...flatten(v as Record<string, unknown>, key));
    } else out.push([key, typeof v === "string" ? v : JSON.stringify(v)]);
  }
  return out;
}

export function ConnectionDetail({ name }: { name: string }) {
  const base = `/api/v1/connections/${encodeURIComponent(name)}`;
  const [conn, setConn] = useState<Connection>();
  const [error, setError] = useState<string>();
  const [test, setTest] = useState<TestResult & { at: string }>();
  const [testing, setTesting] = useState(false);
  const [editing, setEditing] = useState(false);
  const canWrite = useCan("operator");
  const actions = usePaged<Action>("/api/v1/actions", { connection: name });
  const load = useCallback(
    () =>
      get<Connection>(base).then((c) => (setConn(c), setError(undefined))).catch((e) => setError(e.message)),
    [base],
  );
  useEffect(() => void load(), [load]);
  const run = async () => {
    setTesting(true);
    const started = performance.now();
    try {
      const r = await post<TestResult>(`${base}/test`);
      setTest({ ...r, at: new Date().toISOString() });
    } catch (err) {
      setTest({
        connection: name,
        ok: false,
        durationMs: performance.now() - started,
        error: err instanceof ApiError ? `${err.status}: ${err.message}` : String(err),
        at: new Date().toISOString(),
      });
    } finally {
      setTesting(false);
    }
  };
  return (
    <div className="console-page" data-testid="connection-detail">
      <Crumbs items={[["Connections", "#/connections"], [name]]} />
      <div className="console-head">
        <h2>{name}</h2>
        {conn && <Pill status="type">{conn.kind}</Pill>}
        <span className="sub">{conn?.trn}</span>
        <span className="spacer" />
        {canWrite && conn && !editing && (
          <button
            type="button"
            onClick={() => setEditing(true)}
            data-testid="conn-edit"
          >
            Edit
          </button>
        )}
        <button
          type="button"
          className="primary"
          onClick={run}
          disabled={testing || !canWrite}
          title={canWrite ? "connect and do a trivial round trip" : "testing needs the operator role"}
          data-testid="conn-test"
        >
          {testing ? "Testing…" : "Test connection"}
        </button>
      </div>
      <ErrorLine error={error} />
      {test && (
        <div className={`result-box ${test.ok ? "ok" : "bad"}`} data-testid="conn-test-result">
          <h4>
            <Pill status={test.ok ? "succeeded" : "failed"}>
              {test.ok ? "Connection OK" : "Connection failed"}
            </Pill>
            <span className="muted">
              latency <b data-testid="conn-latency">{ms(test.durationMs)}</b> · tested <When iso={test.at} />
            </span>
          </h4>
          {test.error && <div className="field-error" data-testid="conn-test-error">{test.error}</div>}
          {test.details && Object.keys(test.details).length > 0 && (
            <KeyValue rows={Object.fromEntries(flatten(test.details))} testId="conn-test-details" />
          )}
        </div>
      )}
      {conn && editing && (
        <ConnectionEdit
          conn={conn}
          onSaved={() => (setEditing(false), setTest(undefined), load())}
          onCancel={() => setEditing(false)}
        />
      )}
      {conn && !editing && (
        <>
          <Panel title="Connection" testId="conn-summary">
            <KeyValue
              rows={{
                "Kind": conn.kind,
                "Description": conn.description,
                "Credential": <CredentialLink trn={conn.credential} />,
                "Version": conn.version,
                "Created": <When iso={conn.createdAt} />,
                "Updated": <When iso={conn.updatedAt} />,
              }}
            />
          </Panel>
          <Panel title="Settings">
            <Table
              rows={flatten(conn.settings)}
              testId="conn-settings"
              empty="No settings."
              columns={[["Setting", ([k]) => <code>{k}</code>], ["Value", ([, v]) => <code>{v}</code>]]}
            />
            <p className="note">Secrets are never stored in settings: the credential lives in CredVault.</p>
          </Panel>
        </>
      )}
      <Panel title={`Actions on this connection (${actions.items.length})`}>
        <Table
          rows={actions.items}
          empty="No actions use this connection."
          columns={[
            ["Action", (a) => <a href={actionHref(a)}>{`${a.kind}.${a.name}`}</a>],
            ["Operation", (a) => <code>{a.operation}</code>],
            ["Description", (a) => a.description],
          ]}
        />
      </Panel>
    </div>
  );
}
