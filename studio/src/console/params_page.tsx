/** Parameters: a path tree (children of the current path) and each parameter's history. */
import { useState } from "react";
import { get } from "../api.ts";
import { toastError } from "../ui/toast.tsx";
import { Detail, ErrorLine, ResourceList, usePaged } from "./resource.tsx";

export function ParamsPage() {
  const [path, setPath] = useState("/");
  const list = usePaged<Record<string, unknown>>("/api/v1/params", {
    path,
    recursive: "true",
  });
  const [picked, setPicked] = useState<
    { name: string; value: unknown; history: unknown }
  >();
  const open = async (p: Record<string, unknown>) => {
    const name = String(p.path ?? p.name);
    // The whole path is one URL segment (/api/v1/params/%2Fapp%2Fdb%2Fhost).
    const enc = encodeURIComponent(name);
    try {
      const [value, history] = await Promise.all([
        get(`/api/v1/params/${enc}`),
        get(`/api/v1/params/${enc}/history`),
      ]);
      setPicked({ name, value, history });
    } catch (err) {
      toastError(err);
    }
  };
  const crumbs = path.split("/").filter(Boolean);
  return (
    <div className="page split-page">
      <div className="list-pane">
        <h2>Parameters</h2>
        <div className="row crumbs">
          <a
            href="#/params"
            onClick={(e) => (e.preventDefault(), setPath("/"))}
          >
            /
          </a>
          {crumbs.map((c, i) => (
            <a
              key={i}
              href="#/params"
              onClick={(
                e,
              ) => (e.preventDefault(), setPath("/" + crumbs.slice(0, i + 1).join("/")))}
            >
              {c}/
            </a>
          ))}
          <input
            value={path}
            onChange={(e) => setPath(e.target.value || "/")}
            aria-label="path"
          />
        </div>
        <ErrorLine error={list.error} />
        <ResourceList
          items={list.items}
          testId="params"
          columns={["path", "type", "version", "updatedAt"]}
          onRow={open}
          empty="No parameters under this path."
        />
        {list.more && <button type="button" onClick={list.more}>Load more</button>}
      </div>
      {picked && (
        <div className="detail-pane">
          <h3>{picked.name}</h3>
          <Detail title="Value" value={picked.value} />
          <Detail title="History" value={picked.history} />
        </div>
      )}
    </div>
  );
}
