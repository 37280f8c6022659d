/** Parameters: a folder tree of every path (get-by-path, recursive) beside the selected parameter. */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Param } from "../../../services/paramstore/types.ts";
import { get, type Page, put, qs } from "../api.ts";
import { navigate, useRoute } from "../router.ts";
import { toast, toastError } from "../ui/toast.tsx";
import { ErrorLine } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Panel } from "./ui.tsx";
import { ancestors, buildTree, visibleRows } from "./params_tree.ts";
import { PARAM_TYPES, ParamDetail, ValueInput } from "./param_detail.tsx";

export const paramHref = (path: string) => `/params?path=${encodeURIComponent(path)}`;

async function loadAll(): Promise<Param[]> {
  const out: Param[] = [];
  let token: string | undefined;
  do {
    const page = await get<Page<Param>>(
      `/api/v1/params${qs({ path: "/", recursive: "true", limit: 1000, nextToken: token })}`,
    );
    out.push(...page.items);
    token = page.nextToken;
  } while (token && out.length < 20_000);
  return out;
}

export function ParamsPage() {
  const route = useRoute();
  const selected = route.query.get("path") ?? undefined;
  const creating = route.query.get("new") === "1";
  const [params, setParams] = useState<Param[]>([]);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState("");
  const canWrite = useCan("operator");
  const reload = useCallback(() => {
    loadAll().then((p) => {
      setParams(p);
      setError(undefined);
    }).catch((e) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (selected) setOpen((o) => new Set([...o, ...ancestors(selected)]));
  }, [selected]);
  const tree = useMemo(() => buildTree(params), [params]);
  const rows = visibleRows(tree, open, filter);
  const toggle = (path: string) => {
    const next = new Set(open);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setOpen(next);
  };
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Parameters</h2>
        <span className="muted">({params.length})</span>
        <span className="spacer" />
        {canWrite && (
          <button
            type="button"
            className="primary"
            onClick={() => navigate("/params?new=1")}
            data-testid="param-new"
          >
            Create parameter
          </button>
        )}
      </div>
      <ErrorLine error={error} />
      <div className="two-col">
        <div>
          <input
            placeholder="Filter paths"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            data-testid="param-filter"
            style={{ marginBottom: 6 }}
          />
          <div className="tree" data-testid="param-tree">
            {!rows.length && <p className="muted" style={{ padding: "0 10px" }}>No parameters.</p>}
            {rows.map(({ node, depth }) => {
              const folder = node.children.length > 0;
              return (
                <div
                  key={node.path}
                  className={`tree-row${node.path === selected ? " selected" : ""}`}
                  style={{ paddingLeft: 10 + depth * 16 }}
                  data-path={node.path}
                  onClick={() => {
                    if (folder) toggle(node.path);
                    if (node.item) navigate(paramHref(node.path));
                  }}
                >
                  <span className="twisty">{folder ? (open.has(node.path) || filter ? "▾" : "▸") : ""}</span>
                  <span className={folder ? "tree-folder" : "tree-leaf"}>{node.name}{folder ? "/" : ""}</span>
                  <span className="tree-type">
                    {node.item ? node.item.type : ""}
                    {folder ? ` ${node.count}` : ""}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
        <div>
          {creating && <NewParam onCreated={reload} defaultPath={selected ?? ""} />}
          {!creating && selected && <ParamDetail key={selected} path={selected} onChanged={reload} />}
          {!creating && !selected && (
            <p className="note">Select a parameter in the tree to see its value, history and labels.</p>
          )}
        </div>
      </div>
    </div>
  );
}

function NewParam({ onCreated, defaultPath }: { onCreated: () => void; defaultPath: string }) {
  const [path, setPath] = useState(defaultPath ? `${defaultPath.replace(/\/[^/]*$/, "")}/` : "/");
  const [type, setType] = useState<string>("string");
  const [value, setValue] = useState("");
  const [description, setDescription] = useState("");
  const create = async () => {
    try {
      await put(`/api/v1/params/${encodeURIComponent(path)}`, {
        value,
        type,
        ...(description ? { description } : {}),
        overwrite: false,
      });
      toast(`Created ${path}`);
      onCreated();
      navigate(paramHref(path));
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <Panel title="Create parameter" testId="param-create">
      <label className="field">
        <span className="field-label">Path</span>
        <input value={path} onChange={(e) => setPath(e.target.value)} data-testid="new-param-path" />
        <span className="field-hint">Hierarchical, e.g. /app/prod/db/host</span>
      </label>
      <label className="field">
        <span className="field-label">Type</span>
        <select value={type} onChange={(e) => setType(e.target.value)} data-testid="new-param-type">
          {PARAM_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <ValueInput type={type} value={value} onChange={setValue} testId="new-param-value" />
      <label className="field">
        <span className="field-label">Description</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="row">
        <button type="button" className="primary" onClick={create} data-testid="new-param-save">
          Create
        </button>
        <button type="button" onClick={() => navigate("/params")}>Cancel</button>
      </div>
    </Panel>
  );
}
