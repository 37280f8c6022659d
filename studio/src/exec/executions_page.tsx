/** Executions list with filters (status, template, time range). */
import { useEffect, useState } from "react";
import { get, type Page, qs } from "../api.ts";
import { navigate } from "../router.ts";
import { Table } from "../ui/table.tsx";
import type { Execution } from "./model.ts";

const STATUSES = [
  "",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
];

export function duration(start: string, stop?: string): string {
  const ms = (stop ? Date.parse(stop) : Date.now()) - Date.parse(start);
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.round(ms / 60000)} min`;
}

export function ExecutionsPage({ query }: { query: URLSearchParams }) {
  const [filters, setFilters] = useState({
    status: query.get("status") ?? "",
    template: query.get("template") ?? "",
    since: "",
    until: "",
  });
  const [items, setItems] = useState<Execution[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const load = async (token?: string) => {
    try {
      const page = await get<Page<Execution>>(`/api/v1/executions${
        qs({
          ...filters,
          since: filters.since ? new Date(filters.since).toISOString() : undefined,
          until: filters.until ? new Date(filters.until).toISOString() : undefined,
          limit: 50,
          nextToken: token,
        })
      }`);
      setItems((xs) => (token ? [...xs, ...page.items] : page.items));
      setNext(page.nextToken);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    load();
    const t = setInterval(() => load(), 5000);
    return () => clearInterval(t);
  }, [filters]);
  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) =>
    setFilters({ ...filters, [k]: e.target.value });
  return (
    <div className="page">
      <div className="page-head">
        <h2>Executions</h2>
      </div>
      <div className="filters row">
        <select
          value={filters.status}
          onChange={set("status")}
          data-testid="filter-status"
        >
          {STATUSES.map((s) => <option key={s} value={s}>{s || "any status"}</option>)}
        </select>
        <input
          placeholder="template"
          value={filters.template}
          onChange={set("template")}
          data-testid="filter-template"
        />
        <label>
          since{" "}
          <input
            type="datetime-local"
            value={filters.since}
            onChange={set("since")}
          />
        </label>
        <label>
          until{" "}
          <input
            type="datetime-local"
            value={filters.until}
            onChange={set("until")}
          />
        </label>
      </div>
      {error && <div className="field-error">{error}</div>}
      <Table
        rows={items}
        testId="executions"
        empty="No executions match."
        onRow={(x) => navigate(`/executions/${encodeURIComponent(x.id)}`)}
        columns={[
          [
            "Execution",
            (x) => (
              <a href={`#/executions/${encodeURIComponent(x.id)}`}>
                {x.name || x.id}
              </a>
            ),
          ],
          ["Workflow", (x) => `${x.template} v${x.version}`],
          [
            "Status",
            (x) => <span className={`pill status-${x.status}`}>{x.status}</span>,
          ],
          ["Kind", (x) => x.kind],
          ["Started", (x) => new Date(x.startedAt).toLocaleString()],
          ["Duration", (x) => duration(x.startedAt, x.stoppedAt)],
        ]}
      />
      {next && <button type="button" onClick={() => load(next)}>Load more</button>}
    </div>
  );
}
