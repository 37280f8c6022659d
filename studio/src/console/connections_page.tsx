/** Connections (test) and actions (execute with input). */
import { useState } from "react";
import { post } from "../api.ts";
import { JsonBlock } from "../ui/table.tsx";
import { toastError } from "../ui/toast.tsx";
import { Detail, ErrorLine, ResourceList, usePaged } from "./resource.tsx";

export function ConnectionsPage() {
  const connections = usePaged<Record<string, unknown>>("/api/v1/connections");
  const actions = usePaged<Record<string, unknown>>("/api/v1/actions");
  const [result, setResult] = useState<{ title: string; value: unknown }>();
  const [input, setInput] = useState("{}");
  const ref = (x: Record<string, unknown>) => encodeURIComponent(`${x.kind}.${x.name}`);
  const call = async (title: string, path: string, body: unknown) => {
    try {
      setResult({ title, value: await post(path, body) });
    } catch (err) {
      toastError(err);
      setResult({ title, value: { error: (err as Error).message } });
    }
  };
  return (
    <div className="page split-page">
      <div className="list-pane">
        <h2>Connections</h2>
        <ErrorLine error={connections.error} />
        <ResourceList
          items={connections.items}
          testId="connections"
          columns={["kind", "name", "description", "updatedAt"]}
          actions={(c) => (
            <button
              type="button"
              className="small"
              onClick={() =>
                call(
                  `test ${c.name}`,
                  `/api/v1/connections/${ref(c)}/test`,
                  {},
                )}
            >
              Test
            </button>
          )}
          empty="No connections yet."
        />
        <h2>Actions</h2>
        <ErrorLine error={actions.error} />
        <label className="field">
          <span className="field-label">Input for Execute (JSON)</span>
          <textarea
            className="code"
            rows={3}
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
        </label>
        <ResourceList
          items={actions.items}
          testId="actions"
          columns={["kind", "name", "connection", "operation", "description"]}
          actions={(a) => (
            <button
              type="button"
              className="small"
              onClick={() => {
                let body: unknown;
                try {
                  body = { input: JSON.parse(input) };
                } catch (err) {
                  return toastError(err);
                }
                call(
                  `execute ${a.name}`,
                  `/api/v1/actions/${ref(a)}/execute`,
                  body,
                );
              }}
            >
              Execute
            </button>
          )}
          empty="No actions yet."
        />
      </div>
      {result && (
        <div className="detail-pane">
          <Detail title={result.title}>
            <JsonBlock value={result.value} />
          </Detail>
        </div>
      )}
    </div>
  );
}
