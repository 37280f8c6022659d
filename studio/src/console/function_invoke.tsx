/** The Test tab: a JSON event, a qualifier, Invoke; the result or error with duration, memory and the logs. */
import { useState } from "react";
import type { InvokeResult } from "../../../services/aionixfn/types.ts";
import { api, ApiError } from "../api.ts";
import type { FnData } from "./functions_page.tsx";
import { useCan } from "./role.ts";
import { JsonEditor, KeyValue, LogView, ms, Panel, parseJson, Pill } from "./ui.tsx";

const LEVEL = /^(START|END|REPORT) /;

export function InvokePanel({ name, data }: { name: string; data: FnData }) {
  const canInvoke = useCan("operator");
  const [event, setEvent] = useState('{\n  "key": "value"\n}');
  const [qualifier, setQualifier] = useState("$LATEST");
  const [result, setResult] = useState<InvokeResult>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const parsed = parseJson(event);
  const invoke = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const q = qualifier === "$LATEST" ? "" : `&qualifier=${encodeURIComponent(qualifier)}`;
      const res = await api<InvokeResult>(
        "POST",
        `/api/v1/functions/${encodeURIComponent(name)}/invoke?logs=true${q}`,
        parsed.value,
      );
      setResult(res);
    } catch (err) {
      setResult(undefined);
      setFailure(err instanceof ApiError ? `${err.status}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  const qualifiers = [
    "$LATEST",
    ...data.versions.map((v) => String(v.version)).reverse(),
    ...data.aliases.map((a) => a.name),
  ];
  return (
    <>
      <Panel
        title="Test event"
        testId="fn-test"
        actions={
          <>
            <label className="row">
              <span className="field-label">Qualifier</span>
              <select
                value={qualifier}
                onChange={(e) => setQualifier(e.target.value)}
                data-testid="fn-qualifier"
              >
                {qualifiers.map((q) => <option key={q} value={q}>{q}</option>)}
              </select>
            </label>
            <button
              type="button"
              className="primary"
              onClick={invoke}
              disabled={!parsed.ok || busy || !canInvoke}
              title={canInvoke ? "" : "invoking needs the operator role"}
              data-testid="fn-invoke"
            >
              {busy ? "Invoking…" : "Invoke"}
            </button>
          </>
        }
      >
        <JsonEditor value={event} onChange={setEvent} rows={8} testId="fn-event" />
      </Panel>
      {failure && (
        <div className="result-box bad" data-testid="fn-failure">
          <h4>
            <Pill status="failed">request refused</Pill>
          </h4>
          {failure}
        </div>
      )}
      {result && <InvokeResultView result={result} />}
    </>
  );
}

function InvokeResultView({ result }: { result: InvokeResult }) {
  const ok = result.status === "succeeded";
  const lines = (result.logs ?? []).map((message, i) => ({
    key: i,
    level: LEVEL.exec(message)?.[1] ?? "log",
    message,
  }));
  return (
    <div className={`result-box ${ok ? "ok" : "bad"}`} data-testid="fn-result">
      <h4>
        <Pill status={ok ? "succeeded" : "failed"}>{ok ? "Succeeded" : "Failed"}</Pill>
        <span className="muted">Executing function: {ok ? "succeeded" : "failed"}</span>
      </h4>
      <KeyValue
        testId="fn-result-summary"
        rows={{
          "Duration": ms(result.durationMs),
          "Billed duration": ms(result.billedDurationMs),
          "Memory used": `${result.maxMemoryMb} MB of ${result.memoryMb} MB`,
          "Version executed": result.version,
          "Cold start": result.coldStart ? "yes" : "no",
          "Request ID": <code>{result.requestId}</code>,
        }}
      />
      <h4 style={{ marginTop: 12 }}>{ok ? "Response" : "Error"}</h4>
      {ok
        ? (
          <pre
            className="json"
            data-testid="fn-response"
          >{JSON.stringify(result.result ?? null, null, 2)}</pre>
        )
        : (
          <div data-testid="fn-error">
            <div>
              <b>{result.error?.errorType}</b>: {result.error?.errorMessage}
            </div>
            {!!result.error?.stack?.length && <pre className="json">{result.error.stack.join("\n")}</pre>}
          </div>
        )}
      <h4 style={{ marginTop: 12 }}>Log output</h4>
      <LogView lines={lines} testId="fn-invoke-logs" />
    </div>
  );
}
