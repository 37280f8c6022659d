/** Versions (publish, code hash, created) and aliases with their traffic weights (shown and edited). */
import { useState } from "react";
import type { AliasInfo } from "../../../services/aionixfn/types.ts";
import { post, put } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import type { FnData } from "./functions_page.tsx";
import { useCan } from "./role.ts";
import { bytes, Hash, Panel, When } from "./ui.tsx";

const fnBase = (name: string) => `/api/v1/functions/${encodeURIComponent(name)}`;

export function VersionsPanel({ name, data }: { name: string; data: FnData }) {
  const canWrite = useCan("operator");
  const [description, setDescription] = useState("");
  const publish = async () => {
    try {
      const v = await post<{ version: number }>(
        `${fnBase(name)}/versions`,
        description ? { description } : {},
      );
      toast(`Published version ${v.version}`);
      setDescription("");
      data.reload();
    } catch (err) {
      toastError(err);
    }
  };
  const rows = [...data.versions].sort((a, b) => b.version - a.version);
  return (
    <Panel
      title={`Versions (${rows.length})`}
      actions={canWrite && (
        <div className="inline-form">
          <input
            placeholder="Description of the new version"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            data-testid="publish-description"
          />
          <button type="button" className="primary small" onClick={publish} data-testid="fn-publish">
            Publish new version
          </button>
        </div>
      )}
    >
      <Table
        rows={rows}
        testId="fn-versions"
        empty="No published versions: only the $LATEST draft exists."
        columns={[
          ["Version", (v) => <b>{v.version}</b>],
          ["Code SHA-256", (v) => <Hash value={v.codeHash} />],
          ["Size", (v) => bytes(v.codeSize)],
          ["Runtime", (v) => v.runtime],
          ["Timeout / memory", (v) => `${v.timeout} s / ${v.memory} MB`],
          ["Description", (v) => v.description || <span className="muted">—</span>],
          ["Aliases", (v) =>
            data.aliases.filter((a) =>
              a.version === String(v.version) || (a.weights && String(v.version) in a.weights)
            )
              .map((a) =>
                a.name
              ).join(", ") || <span className="muted">—</span>],
          ["Created", (v) => <When iso={v.createdAt} />],
        ]}
      />
    </Panel>
  );
}

/** The alias's routing as [version, share] pairs, largest first. */
export function routing(a: AliasInfo): Array<[string, number]> {
  if (!a.weights) return [[a.version, 1]];
  return Object.entries(a.weights).sort((x, y) => y[1] - x[1]);
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

export function WeightsBar({ alias }: { alias: AliasInfo }) {
  return (
    <div className="weights" data-testid={`weights-${alias.name}`}>
      {routing(alias).map(([v, share]) => (
        <div
          key={v}
          className="seg"
          style={{ width: `${share * 100}%` }}
          title={`version ${v}: ${pct(share)}`}
          data-version={v}
        >
          {share >= 0.08 ? `v${v} ${pct(share)}` : ""}
        </div>
      ))}
    </div>
  );
}

export function AliasesPanel({ name, data }: { name: string; data: FnData }) {
  const canWrite = useCan("operator");
  const [editing, setEditing] = useState<string>();
  const [creating, setCreating] = useState({ name: "", version: "" });
  const versions = ["$LATEST", ...data.versions.map((v) => String(v.version)).reverse()];
  const create = async () => {
    try {
      await post(`${fnBase(name)}/aliases`, {
        name: creating.name,
        version: creating.version || versions[1] || "$LATEST",
      });
      toast(`Alias ${creating.name} created`);
      setCreating({ name: "", version: "" });
      data.reload();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <>
      <Panel title={`Aliases (${data.aliases.length})`} testId="fn-aliases">
        <Table
          rows={data.aliases}
          testId="aliases"
          empty="No aliases."
          columns={[
            ["Alias", (a) => <b>{a.name}</b>],
            ["Traffic", (a) => <WeightsBar alias={a} />],
            ["Routing", (a) => routing(a).map(([v, s]) => `version ${v}: ${pct(s)}`).join(" · ")],
            ["Description", (a) => a.description || <span className="muted">—</span>],
            ["Updated", (a) => <When iso={a.updatedAt} />],
            ["", (a) =>
              canWrite && (
                <button
                  type="button"
                  className="small"
                  data-testid={`edit-traffic-${a.name}`}
                  onClick={() => setEditing(editing === a.name ? undefined : a.name)}
                >
                  Edit traffic
                </button>
              )],
          ]}
        />
        {canWrite && (
          <div className="inline-form" style={{ marginTop: 10 }}>
            <label className="field">
              <span className="field-label">New alias</span>
              <input
                value={creating.name}
                placeholder="e.g. live"
                onChange={(e) => setCreating({ ...creating, name: e.target.value })}
                data-testid="alias-name"
              />
            </label>
            <label className="field">
              <span className="field-label">Version</span>
              <select
                value={creating.version || versions[1] || "$LATEST"}
                onChange={(e) => setCreating({ ...creating, version: e.target.value })}
              >
                {versions.map((v) => <option key={v} value={v}>{v}</option>)}
              </select>
            </label>
            <button type="button" onClick={create} disabled={!creating.name} data-testid="alias-create">
              Create alias
            </button>
          </div>
        )}
      </Panel>
      {editing && data.aliases.find((a) => a.name === editing) && (
        <TrafficEditor
          key={editing}
          name={name}
          alias={data.aliases.find((a) => a.name === editing)!}
          versions={versions}
          onDone={() => {
            setEditing(undefined);
            data.reload();
          }}
        />
      )}
    </>
  );
}

/** Weighted routing between a primary and an optional additional version (like Lambda's alias page). */
function TrafficEditor(
  { name, alias, versions, onDone }: {
    name: string;
    alias: AliasInfo;
    versions: string[];
    onDone: () => void;
  },
) {
  const current = routing(alias);
  const [primary, setPrimary] = useState(current[0][0]);
  const [extra, setExtra] = useState(current[1]?.[0] ?? "");
  const [weight, setWeight] = useState(current[1] ? Math.round(current[1][1] * 100) : 10);
  const save = async () => {
    const base = `${fnBase(name)}/aliases/${encodeURIComponent(alias.name)}`;
    try {
      if (!extra || weight === 0) await put(base, { version: primary });
      else {
        await post(`${base}/traffic`, {
          [primary]: Math.round((100 - weight) * 100) / 10000,
          [extra]: Math.round(weight * 100) / 10000,
        });
      }
      toast(`Traffic of ${alias.name} updated`);
      onDone();
    } catch (err) {
      toastError(err);
    }
  };
  const published = versions.filter((v) => v !== "$LATEST" && v !== primary);
  return (
    <Panel title={`Traffic of alias ${alias.name}`} testId="traffic-editor">
      <div className="traffic-editor">
        <span className="field-label">Version</span>
        <select value={primary} onChange={(e) => setPrimary(e.target.value)} data-testid="traffic-primary">
          {versions.map((v) => <option key={v} value={v}>{v}</option>)}
        </select>
        <span className="field-label">Additional version</span>
        <select
          value={extra}
          onChange={(e) => setExtra(e.target.value)}
          data-testid="traffic-extra"
          disabled={primary === "$LATEST"}
        >
          <option value="">none (all traffic to {primary})</option>
          {published.map((v) => <option key={v} value={v}>{v}</option>)}
        </select>
        <span className="field-label">Weight of {extra || "additional"}</span>
        <span className="row">
          <input
            type="range"
            min={0}
            max={100}
            value={weight}
            disabled={!extra}
            onChange={(e) => setWeight(Number(e.target.value))}
          />
          <input
            type="number"
            min={0}
            max={100}
            value={weight}
            disabled={!extra}
            onChange={(e) => setWeight(Math.max(0, Math.min(100, Number(e.target.value))))}
            data-testid="traffic-weight"
            style={{ width: 70 }}
          />
          %
        </span>
        <span />
        <span className="muted">
          {extra ? `${primary}: ${100 - weight}% · ${extra}: ${weight}%` : `${primary}: 100%`}
        </span>
      </div>
      <div className="row" style={{ marginTop: 10 }}>
        <button type="button" className="primary" onClick={save} data-testid="traffic-save">Save</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </Panel>
  );
}
