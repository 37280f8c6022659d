/**
 * One action: its operation, fixed parameters and input schema; execute it with JSON input;
 * operators edit its definition in place.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, post } from "../api.ts";
import { ErrorLine } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Crumbs, JsonEditor, KeyValue, ms, Panel, parseJson, Pill, When } from "./ui.tsx";
import type { Action, ExecuteResult } from "../../../services/openact/types.ts";
import { connectionHref } from "./connections_page.tsx";
import { ActionEdit } from "./action_edit.tsx";

type Schema = Record<string, unknown>;

/** An example input from a JSON Schema: defaults and examples first, else an empty value of the type. */
export function skeleton(schema: Schema | null | undefined): unknown {
  if (!schema) return {};
  if ("default" in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, skeleton(s)]));
    }
    case "array":
      return [];
    case "string":
      return "";
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    default:
      return schema.properties ? skeleton({ ...schema, type: "object" }) : null;
  }
}

export function ActionDetail({ ref_ }: { ref_: string }) {
  const base = `/api/v1/actions/${encodeURIComponent(ref_)}`;
  const [action, setAction] = useState<Action>();
  const [error, setError] = useState<string>();
  const [input, setInput] = useState("{}");
  const [result, setResult] = useState<ExecuteResult & { at: string }>();
  const [failure, setFailure] = useState<{ status: number; message: string; problem: unknown }>();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const canRun = useCan("operator");
  const shownSchema = useRef<string | undefined>(undefined);
  const load = useCallback(
    () =>
      get<Action>(base).then((a) => {
        // a new input schema gets a new example input; an unchanged one keeps what was typed
        const schema = JSON.stringify(a.inputSchema);
        if (schema !== shownSchema.current) setInput(JSON.stringify(skeleton(a.inputSchema), null, 2));
        shownSchema.current = schema;
        setAction(a);
        setError(undefined);
      }).catch((e) => setError(e.message)),
    [base],
  );
  useEffect(() => void load(), [load]);
  const parsed = parseJson(input);
  const execute = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setFailure(undefined);
    setResult(undefined);
    try {
      const r = await post<ExecuteResult>(`${base}/execute`, { input: parsed.value });
      setResult({ ...r, at: new Date().toISOString() });
    } catch (err) {
      setFailure(
        err instanceof ApiError
          ? { status: err.status, message: err.message, problem: err.problem }
          : { status: 0, message: String(err), problem: {} },
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="console-page" data-testid="action-detail">
      <Crumbs items={[["Actions", "#/connections?tab=actions"], [ref_]]} />
      <div className="console-head">
        <h2>{ref_}</h2>
        {action && <Pill status="type">{action.operation}</Pill>}
        <span className="sub">{action?.trn}</span>
        <span className="spacer" />
        {canRun && action && !editing && (
          <button
            type="button"
            onClick={() => setEditing(true)}
            data-testid="act-edit"
          >
            Edit
          </button>
        )}
      </div>
      <ErrorLine error={error} />
      {action && editing && (
        <ActionEdit
          action={action}
          onSaved={() => (setEditing(false), setResult(undefined), setFailure(undefined), load())}
          onCancel={() => setEditing(false)}
        />
      )}
      {!editing && (
        <>
          <Panel
            title="Execute"
            testId="action-execute"
            actions={
              <button
                type="button"
                className="primary"
                onClick={execute}
                disabled={busy || !parsed.ok || !canRun}
                title={canRun ? "" : "executing needs the operator role"}
                data-testid="action-run"
              >
                {busy ? "Executing…" : "Execute"}
              </button>
            }
          >
            <JsonEditor value={input} onChange={setInput} rows={8} testId="action-input" />
          </Panel>
          {result && (
            <div className="result-box ok" data-testid="action-result">
              <h4>
                <Pill status="succeeded">Succeeded</Pill>
                <span className="muted">
                  in <b data-testid="action-duration">{ms(result.durationMs)}</b> · <When iso={result.at} />
                </span>
              </h4>
              <pre className="json" data-testid="action-output">{JSON.stringify(result.output, null, 2)}</pre>
            </div>
          )}
          {failure && (
            <div className="result-box bad" data-testid="action-failure">
              <h4>
                <Pill status="failed">Failed</Pill>
                <span className="muted">HTTP {failure.status}</span>
              </h4>
              <div className="field-error">{failure.message}</div>
              <pre className="json">{JSON.stringify(failure.problem, null, 2)}</pre>
            </div>
          )}
          {action && (
            <Panel title="Action" testId="action-summary">
              <KeyValue
                rows={{
                  "Connection": <a href={connectionHref(action.connection)}>{action.connection}</a>,
                  "Operation": <code>{action.operation}</code>,
                  "Description": action.description,
                  "Timeout": action.timeoutMs ? ms(action.timeoutMs) : "connector default",
                  "Version": action.version,
                  "Updated": <When iso={action.updatedAt} />,
                }}
              />
              {Object.keys(action.parameters).length > 0 && (
                <>
                  <h4>Fixed parameters (the input is merged over them)</h4>
                  <pre
                    className="json"
                    data-testid="action-parameters"
                  >{JSON.stringify(action.parameters, null, 2)}</pre>
                </>
              )}
              {action.inputSchema && (
                <>
                  <h4>Input schema</h4>
                  <pre className="json">{JSON.stringify(action.inputSchema, null, 2)}</pre>
                </>
              )}
            </Panel>
          )}
        </>
      )}
    </div>
  );
}
