/**
 * Metrics overview from the server's /metrics (Prometheus text), refreshed every 5 s: executions by
 * status, function invocations/errors, trigger fires, HTTP request rate and latency; raw series below.
 */
import { useEffect, useRef, useState } from "react";
import { auth } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { type Overview, overview, parsePrometheus, type Sample } from "./metrics_parse.ts";
import { bytes, ms, Panel, Pill, Tile } from "./ui.tsx";

const REFRESH_MS = 5000;

function Bars({ counts, testId }: { counts: Record<string, number>; testId?: string }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  if (!entries.length) return <p className="muted">Nothing yet.</p>;
  return (
    <Table
      rows={entries}
      testId={testId}
      columns={[
        ["", ([k]) => <Pill status={k}>{k || "—"}</Pill>],
        ["Count", ([k, n]) => (
          <span className="bar-cell" data-key={k}>
            <span className="bar" style={{ width: `${(n / max) * 160}px` }} />
            <b>{n}</b>
          </span>
        )],
      ]}
    />
  );
}

export function MetricsPage() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [rate, setRate] = useState<{ http?: number; fn?: number }>({});
  const [updated, setUpdated] = useState<Date>();
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string>();
  const prev = useRef<{ t: number; http: number; fn: number }>(undefined);
  useEffect(() => {
    const load = async () => {
      try {
        const res = await fetch("/metrics", {
          headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
        });
        if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
        const s = parsePrometheus(await res.text());
        const o = overview(s);
        const fn = o.functions.reduce((n, f) => n + f.invocations, 0);
        const now = performance.now();
        if (prev.current) {
          const dt = (now - prev.current.t) / 1000;
          setRate({ http: (o.http.requests - prev.current.http) / dt, fn: (fn - prev.current.fn) / dt });
        }
        prev.current = { t: now, http: o.http.requests, fn };
        setSamples(s);
        setUpdated(new Date());
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      }
    };
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const o: Overview = overview(samples);
  const execTotal = Object.entries(o.executions).filter(([k]) => k !== "started").reduce(
    (n, [, v]) => n + v,
    0,
  );
  const execFailed = (o.executions.failed ?? 0) + (o.executions.timed_out ?? 0);
  const fnInv = o.functions.reduce((n, f) => n + f.invocations, 0);
  const fnErr = o.functions.reduce((n, f) => n + f.errors, 0);
  const fires = Object.values(o.fires).reduce((n, v) => n + v, 0);
  const http5xx = o.http.byClass["5xx"] ?? 0;
  const perS = (r?: number) => (r === undefined ? "measuring…" : `${r.toFixed(2)}/s`);
  const raw = samples.filter((s) =>
    !s.name.endsWith("_bucket") && (filter ? s.name.includes(filter) : s.name.startsWith("aionix_") &&
      !s.name.includes("nodejs"))
  );
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Metrics</h2>
        <span className="muted">
          {updated ? `updated ${updated.toLocaleTimeString()} · every ${REFRESH_MS / 1000} s` : "loading…"}
        </span>
      </div>
      {error && <div className="field-error">{error}</div>}
      <div className="tiles" data-testid="metric-tiles">
        <Tile label="Executions finished" value={execTotal} sub={`${o.executionsRunning} running`} />
        <Tile label="Executions failed" value={execFailed} bad={execFailed > 0} />
        <Tile label="Function invocations" value={fnInv} sub={perS(rate.fn)} />
        <Tile
          label="Function errors"
          value={fnErr}
          bad={fnErr > 0}
          sub={fnInv ? `${((fnErr / fnInv) * 100).toFixed(1)}% of invocations` : undefined}
        />
        <Tile label="Trigger fires" value={fires} sub={`${o.deadLetters} dead-lettered`} />
        <Tile label="HTTP requests" value={o.http.requests} sub={perS(rate.http)} testId="tile-http" />
        <Tile
          label="HTTP latency p95"
          value={ms(o.http.p95Ms)}
          sub={`p50 ${ms(o.http.p50Ms)} · avg ${ms(o.http.avgMs)}`}
        />
        <Tile label="HTTP 5xx" value={http5xx} bad={http5xx > 0} sub={`${o.http.byClass["4xx"] ?? 0} 4xx`} />
        <Tile
          label="Process memory"
          value={bytes(o.process.rssBytes)}
          sub={o.process.cpuSeconds !== undefined ? `CPU ${o.process.cpuSeconds.toFixed(1)} s` : undefined}
        />
      </div>
      <div className="two-col" style={{ gridTemplateColumns: "1fr 1fr" }}>
        <Panel title="Workflow executions by status" testId="metrics-executions">
          <Bars counts={o.executions} testId="executions-by-status" />
        </Panel>
        <Panel title="Trigger fires and deliveries" testId="metrics-triggers">
          <Bars counts={o.fires} testId="fires-by-type" />
          <h4>Deliveries by outcome</h4>
          <Bars counts={o.deliveries} />
        </Panel>
      </div>
      <Panel title="Functions" testId="metrics-functions">
        <Table
          rows={o.functions}
          testId="fn-metrics"
          empty="No function invoked since the server started."
          columns={[
            [
              "Function",
              (f) => <a href={`#/functions/${encodeURIComponent(f.function)}?tab=monitor`}>{f.function}</a>,
            ],
            ["Tenant", (f) => f.tenant],
            ["Invocations", (f) => f.invocations],
            ["Errors", (f) => (f.errors ? <b style={{ color: "var(--bad)" }}>{f.errors}</b> : 0)],
            ["Throttles", (f) => f.throttles],
            ["Cold starts", (f) => f.coldStarts],
            ["Avg duration", (f) => ms(f.avgMs)],
          ]}
        />
      </Panel>
      <Panel title="HTTP routes" testId="metrics-http">
        <Table
          rows={o.http.routes.slice(0, 15)}
          testId="http-routes"
          empty="No requests yet."
          columns={[
            ["Method", (r) => <code>{r.method}</code>],
            ["Route", (r) => <code>{r.route}</code>],
            ["Requests", (r) => r.count],
            ["5xx", (r) => r.errors],
            ["Avg latency", (r) => ms(r.avgMs)],
          ]}
        />
      </Panel>
      <Panel
        title="All series"
        actions={
          <input
            placeholder="filter by metric name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            data-testid="metrics-filter"
            style={{ width: 260 }}
          />
        }
      >
        <Table
          rows={raw.slice(0, 300)}
          testId="metrics"
          empty="No metrics match."
          columns={[
            ["Metric", (s) => s.name],
            ["Labels", (s) => (
              <code>{Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(", ")}</code>
            )],
            ["Value", (s) => (Number.isInteger(s.value) ? s.value : s.value.toFixed(4))],
          ]}
        />
      </Panel>
    </div>
  );
}
