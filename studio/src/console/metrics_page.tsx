/** Metrics overview: the server's Prometheus counters, grouped, refreshed every 5 s. */
import { useEffect, useState } from "react";
import { auth } from "../api.ts";
import { Table } from "../ui/table.tsx";

interface Sample {
  name: string;
  labels: string;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.push({ name: m[1], labels: m[2] ?? "", value: Number(m[3]) });
  }
  return out;
}

export function MetricsPage() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [filter, setFilter] = useState("aionix");
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () =>
      fetch("/metrics", {
        headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
      })
        .then((
          r,
        ) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((t) => {
          setSamples(parsePrometheus(t));
          setError(undefined);
        })
        .catch((e) => setError(e.message));
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  const rows = samples.filter((s) => !s.name.endsWith("_bucket") && s.name.includes(filter));
  return (
    <div className="page">
      <div className="page-head">
        <h2>Metrics</h2>
        <input
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="filter"
        />
      </div>
      {error && <div className="field-error">{error}</div>}
      <Table
        rows={rows}
        testId="metrics"
        empty="No metrics match."
        columns={[
          ["Metric", (s) => s.name],
          ["Labels", (s) => <code>{s.labels}</code>],
          [
            "Value",
            (s) => (Number.isInteger(s.value) ? s.value : s.value.toFixed(4)),
          ],
        ]}
      />
    </div>
  );
}
