/** The Logs tab (recent lines, filter by request, live tail over SSE) and the Monitor tab. */
import { useCallback, useEffect, useState } from "react";
import type { LogEntry } from "../../../services/aionixfn/types.ts";
import { get, qs, streamEvents } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine } from "./resource.tsx";
import { LogView, ms, Panel, Tile } from "./ui.tsx";

const MAX_LINES = 2000;

function merge(a: LogEntry[], b: LogEntry[]): LogEntry[] {
  const bySeq = new Map<number, LogEntry>();
  for (const e of [...a, ...b]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq).slice(-MAX_LINES);
}

export function LogsPanel({ name }: { name: string }) {
  const base = `/api/v1/functions/${encodeURIComponent(name)}`;
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [requestId, setRequestId] = useState("");
  const [live, setLive] = useState(false);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      const page = await get<{ items: LogEntry[] }>(
        `${base}/logs${qs({ limit: 500, requestId: requestId || undefined })}`,
      );
      setLines(page.items);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [base, requestId]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (!live) return;
    setConnected(false);
    const stop = streamEvents(`${base}/logs/stream?tail=0`, (event, data) => {
      if (event === "ready") setConnected(true);
      if (event !== "log") return;
      const entry = JSON.parse(data) as LogEntry;
      setLines((xs) => merge(xs, [entry]));
    }, { onError: () => setConnected(false) });
    return () => {
      stop();
      setConnected(false);
    };
  }, [base, live]);
  const shown = requestId ? lines.filter((l) => l.requestId === requestId) : lines;
  return (
    <Panel
      title={`Log lines (${shown.length})`}
      testId="fn-logs"
      actions={
        <>
          <input
            placeholder="Filter by request id"
            value={requestId}
            onChange={(e) => setRequestId(e.target.value.trim())}
            data-testid="log-request"
            style={{ width: 240 }}
          />
          {requestId && (
            <button type="button" className="small" onClick={() => setRequestId("")}>All requests</button>
          )}
          <button type="button" className="small" onClick={load}>Refresh</button>
          <button
            type="button"
            className={live ? "small primary" : "small"}
            onClick={() => setLive(!live)}
            data-testid="log-tail"
          >
            {live ? "Stop live tail" : "Live tail"}
          </button>
          {live && (
            <span data-testid="live-status" className="muted">
              {connected
                ? (
                  <>
                    <span className="live-dot" />Live
                  </>
                )
                : "connecting…"}
            </span>
          )}
        </>
      }
    >
      <ErrorLine error={error} />
      <LogView
        testId="fn-log-lines"
        empty="No log lines yet: invoke the function from the Test tab."
        onRequest={setRequestId}
        lines={shown.map((l) => ({
          key: l.seq,
          time: l.time,
          level: l.level,
          requestId: l.requestId,
          message: l.message,
        }))}
      />
    </Panel>
  );
}

interface FnStats {
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  durationMs: { p50: number; p95: number; p99: number; max: number };
}

export function MonitorPanel({ name }: { name: string }) {
  const [stats, setStats] = useState<{ total: FnStats; versions: Record<string, FnStats> }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () =>
      get<{ total: FnStats; versions: Record<string, FnStats> }>(
        `/api/v1/functions/${encodeURIComponent(name)}/metrics`,
      ).then((s) => {
        setStats(s);
        setError(undefined);
      }).catch((e) => setError(e.message));
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [name]);
  if (!stats) return <ErrorLine error={error} />;
  const t = stats.total;
  const rate = t.invocations ? `${((t.errors / t.invocations) * 100).toFixed(1)}%` : "—";
  return (
    <>
      <div className="tiles" data-testid="fn-monitor">
        <Tile label="Invocations" value={t.invocations} />
        <Tile label="Errors" value={t.errors} sub={`error rate ${rate}`} bad={t.errors > 0} />
        <Tile label="Throttles" value={t.throttles} bad={t.throttles > 0} />
        <Tile label="Cold starts" value={t.coldStarts} />
        <Tile label="Duration p50" value={ms(t.durationMs.p50)} />
        <Tile label="Duration p95" value={ms(t.durationMs.p95)} sub={`max ${ms(t.durationMs.max)}`} />
      </div>
      <Panel title="By version (since the server started)">
        <Table
          rows={Object.entries(stats.versions)}
          empty="Not invoked since the server started."
          columns={[
            ["Version", ([v]) => v],
            ["Invocations", ([, s]) => s.invocations],
            ["Errors", ([, s]) => s.errors],
            ["Throttles", ([, s]) => s.throttles],
            ["Cold starts", ([, s]) => s.coldStarts],
            ["p50", ([, s]) => ms(s.durationMs.p50)],
            ["p95", ([, s]) => ms(s.durationMs.p95)],
            ["p99", ([, s]) => ms(s.durationMs.p99)],
          ]}
        />
      </Panel>
      <p className="note">Counted in memory since the server started; /metrics has the Prometheus series.</p>
    </>
  );
}
