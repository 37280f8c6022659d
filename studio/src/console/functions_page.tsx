/**
 * Functions: a list like Lambda's (runtime, latest version, code size, last modified) and a
 * detail page with tabs: configuration, versions, aliases (traffic), test (invoke), logs, monitor.
 */
import { useCallback, useEffect, useState } from "react";
import type { AliasInfo, FunctionInfo, VersionInfo } from "../../../services/aionixfn/types.ts";
import { get } from "../api.ts";
import { navigate, useRoute } from "../router.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine, usePaged } from "./resource.tsx";
import { useCan } from "./role.ts";
import { bytes, Crumbs, Pill, Tabs, When } from "./ui.tsx";
import { FunctionConfig } from "./function_config.tsx";
import { AliasesPanel, VersionsPanel } from "./function_versions.tsx";
import { InvokePanel } from "./function_invoke.tsx";
import { LogsPanel, MonitorPanel } from "./function_logs.tsx";

export const fnHref = (name: string, tab?: string) =>
  `#/functions/${encodeURIComponent(name)}${tab ? `?tab=${tab}` : ""}`;

export function FunctionsPage({ name }: { name?: string }) {
  return name ? <FunctionDetail key={name} name={name} /> : <FunctionList />;
}

function FunctionList() {
  const list = usePaged<FunctionInfo>("/api/v1/functions");
  const [filter, setFilter] = useState("");
  const rows = list.items.filter((f) =>
    !filter || f.name.includes(filter) || f.description.toLowerCase().includes(filter.toLowerCase())
  );
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Functions</h2>
        <span className="muted">({list.items.length})</span>
        <span className="spacer" />
        <input
          placeholder="Filter by name or description"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="fn-filter"
        />
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <ErrorLine error={list.error} />
      <Table
        rows={rows}
        testId="functions"
        empty="No functions yet. Create one with: aio fn create NAME --runtime deno --code file.ts"
        onRow={(f) => navigate(`/functions/${encodeURIComponent(f.name)}`)}
        columns={[
          ["Function name", (f) => <a href={fnHref(f.name)} data-fn={f.name}>{f.name}</a>],
          ["Description", (f) => f.description || <span className="muted">—</span>],
          ["Runtime", (f) => <Pill status="type">{f.runtime}</Pill>],
          ["Latest version", (f) => (f.latestVersion ?? <span className="muted">unpublished</span>)],
          ["Code size", (f) => bytes(f.codeSize)],
          ["Timeout", (f) => `${f.timeout} s`],
          ["Last modified", (f) => <When iso={f.updatedAt} />],
        ]}
      />
      {list.more && <button type="button" onClick={list.more}>Load more</button>}
    </div>
  );
}

const TABS: Array<[string, string]> = [
  ["config", "Configuration"],
  ["test", "Test"],
  ["versions", "Versions"],
  ["aliases", "Aliases"],
  ["logs", "Logs"],
  ["monitor", "Monitor"],
];

/** The function and its versions/aliases, reloadable by every tab after a change. */
export interface FnData {
  fn?: FunctionInfo;
  versions: VersionInfo[];
  aliases: AliasInfo[];
  reload: () => void;
}

function useFunction(name: string): FnData & { error?: string } {
  const base = `/api/v1/functions/${encodeURIComponent(name)}`;
  const [data, setData] = useState<Omit<FnData, "reload">>({ versions: [], aliases: [] });
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      const [fn, versions, aliases] = await Promise.all([
        get<FunctionInfo>(base),
        get<{ items: FnData["versions"] }>(`${base}/versions?limit=200`),
        get<{ items: FnData["aliases"] }>(`${base}/aliases`),
      ]);
      setData({ fn, versions: versions.items, aliases: aliases.items });
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [base]);
  useEffect(() => void load(), [load]);
  return { ...data, reload: load, error };
}

function FunctionDetail({ name }: { name: string }) {
  const route = useRoute();
  const tab = route.query.get("tab") ?? "config";
  const data = useFunction(name);
  const canWrite = useCan("operator");
  return (
    <div className="console-page" data-testid="fn-detail">
      <Crumbs items={[["Functions", "#/functions"], [name]]} />
      <div className="console-head">
        <h2>{name}</h2>
        {data.fn && <Pill status="type">{data.fn.runtime}</Pill>}
        <span className="sub">{data.fn?.trn}</span>
        <span className="spacer" />
        {canWrite && (
          <button type="button" onClick={() => navigate(fnHref(name, "test").slice(1))}>
            Test
          </button>
        )}
      </div>
      <ErrorLine error={data.error} />
      <Tabs tabs={TABS} active={tab} onChange={(t) => navigate(fnHref(name, t).slice(1))} />
      {data.fn && tab === "config" && <FunctionConfig fn={data.fn} onSaved={data.reload} />}
      {tab === "test" && <InvokePanel name={name} data={data} />}
      {tab === "versions" && <VersionsPanel name={name} data={data} />}
      {tab === "aliases" && <AliasesPanel name={name} data={data} />}
      {tab === "logs" && <LogsPanel name={name} />}
      {tab === "monitor" && <MonitorPanel name={name} />}
    </div>
  );
}
