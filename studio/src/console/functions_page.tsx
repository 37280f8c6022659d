/** Functions: list, versions, aliases with traffic weights, invoke, logs, metrics. */
import { useEffect, useState } from "react";
import { get, post } from "../api.ts";
import { navigate } from "../router.ts";
import { JsonBlock } from "../ui/table.tsx";
import { toastError } from "../ui/toast.tsx";
import { Detail, ErrorLine, ResourceList, usePaged } from "./resource.tsx";

export function FunctionsPage({ name }: { name?: string }) {
  const list = usePaged<Record<string, unknown>>("/api/v1/functions");
  return (
    <div className="page split-page">
      <div className="list-pane">
        <h2>Functions</h2>
        <ErrorLine error={list.error} />
        <ResourceList
          items={list.items}
          testId="functions"
          columns={["name", "runtime", "description", "updatedAt"]}
          onRow={(f) => navigate(`/functions/${encodeURIComponent(String(f.name))}`)}
          empty="No functions yet (aio fn create)."
        />
        {list.more && <button type="button" onClick={list.more}>Load more</button>}
      </div>
      {name && <FunctionDetail key={name} name={name} />}
    </div>
  );
}

function FunctionDetail({ name }: { name: string }) {
  const base = `/api/v1/functions/${encodeURIComponent(name)}`;
  const [fn, setFn] = useState<unknown>();
  const versions = usePaged<Record<string, unknown>>(`${base}/versions`);
  const aliases = usePaged<Record<string, unknown>>(`${base}/aliases`);
  const [logs, setLogs] = useState<unknown>();
  const [metrics, setMetrics] = useState<unknown>();
  const [event, setEvent] = useState("{}");
  const [result, setResult] = useState<unknown>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    get(base).then(setFn).catch((e) => setError(e.message));
    get(`${base}/logs?limit=50`).then(setLogs).catch(() => {});
    get(`${base}/metrics`).then(setMetrics).catch(() => {});
  }, [base]);
  const invoke = async () => {
    try {
      setResult(await post(`${base}/invoke`, JSON.parse(event)));
    } catch (err) {
      toastError(err);
      setResult({ error: (err as Error).message });
    }
  };
  return (
    <div className="detail-pane">
      <h3>{name}</h3>
      <ErrorLine error={error} />
      <Detail title="Configuration" value={fn} />
      <Detail title="Versions">
        <ResourceList items={versions.items} />
      </Detail>
      <Detail title="Aliases and traffic">
        <ResourceList
          items={aliases.items}
          columns={["name", "version", "weights", "description"]}
        />
      </Detail>
      <Detail title="Invoke">
        <textarea
          className="code"
          rows={4}
          value={event}
          onChange={(e) => setEvent(e.target.value)}
          data-testid="fn-event"
        />
        <button
          type="button"
          className="primary small"
          onClick={invoke}
          data-testid="fn-invoke"
        >
          Invoke
        </button>
        {result !== undefined && <JsonBlock value={result} />}
      </Detail>
      <Detail title="Metrics" value={metrics} />
      <Detail title="Recent logs" value={logs} />
    </div>
  );
}
