/** One parameter: value/type/version, set a new value, history with labels (attach, remove) and roll back. */
import { useCallback, useEffect, useState } from "react";
import type { Param, ParamVersion } from "../../../services/paramstore/types.ts";
import { del, get, post, put } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import { ErrorLine } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Chips, KeyValue, Panel, Pill, When } from "./ui.tsx";

export const PARAM_TYPES = ["string", "number", "boolean", "json", "string_list", "secret_ref"];

/** The value shown for its type: JSON pretty-printed, lists as chips. */
export function ValueView({ type, value }: { type: string; value: unknown }) {
  if (type === "json" || (value !== null && typeof value === "object" && !Array.isArray(value))) {
    return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  if (Array.isArray(value)) return <Chips items={value.map(String)} empty="(empty list)" />;
  return <code className="param-value">{String(value)}</code>;
}

/** Text of a value for editing: lists comma-separated, JSON pretty-printed. */
export function valueText(type: string, value: unknown): string {
  if (type === "json") return JSON.stringify(value, null, 2);
  if (Array.isArray(value)) return value.join(", ");
  return value === undefined || value === null ? "" : String(value);
}

export function ValueInput(
  { type, value, onChange, testId }: {
    type: string;
    value: string;
    onChange: (v: string) => void;
    testId?: string;
  },
) {
  const hint = type === "string_list"
    ? "Comma-separated"
    : type === "secret_ref"
    ? "A CredVault secret name or TRN"
    : type === "json"
    ? 'JSON, e.g. {"retries": 3}'
    : "A '{% JSONata %}' expression is evaluated at read time";
  return (
    <label className="field">
      <span className="field-label">Value</span>
      {type === "boolean"
        ? (
          <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
            <option value="">choose…</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        )
        : type === "json"
        ? (
          <textarea
            className="code"
            rows={5}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            data-testid={testId}
          />
        )
        : <input value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />}
      <span className="field-hint">{hint}</span>
    </label>
  );
}

export function ParamDetail({ path, onChanged }: { path: string; onChanged: () => void }) {
  const enc = encodeURIComponent(path);
  const [param, setParam] = useState<Param>();
  const [history, setHistory] = useState<ParamVersion[]>([]);
  const [error, setError] = useState<string>();
  const canWrite = useCan("operator");
  const load = useCallback(async () => {
    try {
      const [p, h] = await Promise.all([
        get<Param>(`/api/v1/params/${enc}`),
        get<{ items: ParamVersion[] }>(`/api/v1/params/${enc}/history`),
      ]);
      setParam(p);
      setHistory(h.items);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [enc]);
  useEffect(() => void load(), [load]);
  const changed = () => {
    load();
    onChanged();
  };
  const call = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      toast(what);
      changed();
    } catch (err) {
      toastError(err);
    }
  };
  if (!param) return <ErrorLine error={error} />;
  const source = param.dynamic ? history.find((h) => h.version === param.version)?.value : undefined;
  return (
    <div data-testid="param-detail">
      <Panel title={<span>{path}</span>} testId="param-summary">
        <ErrorLine error={error ?? param.error} />
        <KeyValue
          rows={{
            "Value": <ValueView type={param.type} value={param.value} />,
            "Type": <Pill status="type">{param.type}</Pill>,
            "Version": param.version,
            "Labels": <Chips items={param.labels} />,
            "Description": param.description,
            ...(param.dynamic ? { "Expression": <code>{String(source ?? "")}</code> } : {}),
            ...(param.allowedPattern ? { "Allowed pattern": <code>{param.allowedPattern}</code> } : {}),
            ...(param.type === "secret_ref"
              ? { "Decrypted": param.decrypted ? "yes" : "no (reference only)" }
              : {}),
            "Last modified": <When iso={param.lastModified} />,
            "Modified by": param.lastModifiedBy,
            "TRN": <code>{param.trn}</code>,
          }}
        />
      </Panel>
      {canWrite && <SetValue key={param.version} param={param} onSaved={changed} />}
      <Panel title={`History (${history.length} versions)`} testId="param-history">
        <Table
          rows={history}
          testId="param-versions"
          columns={[
            ["Version", (h) => <b>{h.version}</b>],
            ["Value", (h) => <ValueView type={h.type} value={h.value} />],
            ["Type", (h) => h.type],
            ["Labels", (h) =>
              h.labels.length
                ? (
                  <span className="chips">
                    {h.labels.map((l) => (
                      <span key={l} className="chip" data-label={l}>
                        {l}
                        {canWrite && (
                          <button
                            type="button"
                            title={`remove label ${l}`}
                            onClick={() =>
                              call(
                                `Removed label ${l}`,
                                () => del(`/api/v1/params/${enc}/labels/${encodeURIComponent(l)}`),
                              )}
                          >
                            ×
                          </button>
                        )}
                      </span>
                    ))}
                  </span>
                )
                : <span className="muted">—</span>],
            ["Created", (h) => <When iso={h.createdAt} />],
            ["By", (h) => h.createdBy],
            ["", (h) =>
              canWrite && h.version !== param.version && (
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    call(
                      `Rolled back to version ${h.version}`,
                      () => post(`/api/v1/params/${enc}/rollback`, { version: h.version }),
                    )}
                >
                  Roll back to this
                </button>
              )],
          ]}
        />
        {canWrite && (
          <LabelForm
            versions={history.map((h) => h.version)}
            onAttach={(label, version) =>
              call(
                `Label ${label} → version ${version}`,
                () => put(`/api/v1/params/${enc}/labels`, { version, labels: [label] }),
              )}
          />
        )}
      </Panel>
    </div>
  );
}

function SetValue({ param, onSaved }: { param: Param; onSaved: () => void }) {
  const [type, setType] = useState<string>(param.type);
  const [value, setValue] = useState(param.dynamic ? "" : valueText(param.type, param.value));
  const [description, setDescription] = useState(param.description);
  const save = async () => {
    try {
      const p = await put<Param>(`/api/v1/params/${encodeURIComponent(param.path)}`, {
        value,
        type,
        description,
      });
      toast(`Saved ${param.path} as version ${p.version}`);
      onSaved();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <Panel title="Set a new value" testId="param-set">
      <div className="row" style={{ alignItems: "flex-start" }}>
        <label className="field" style={{ flex: "none" }}>
          <span className="field-label">Type</span>
          <select value={type} onChange={(e) => setType(e.target.value)} data-testid="param-type">
            {PARAM_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <ValueInput type={type} value={value} onChange={setValue} testId="param-value" />
      </div>
      <label className="field">
        <span className="field-label">Description</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="button" className="primary" onClick={save} data-testid="param-save">
        Save as version {param.version + 1}
      </button>
    </Panel>
  );
}

function LabelForm(
  { versions, onAttach }: { versions: number[]; onAttach: (label: string, v: number) => void },
) {
  const [label, setLabel] = useState("");
  const [version, setVersion] = useState<number>();
  const v = version ?? versions[0];
  return (
    <div className="inline-form" style={{ marginTop: 10 }}>
      <label className="field">
        <span className="field-label">Label</span>
        <input
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          placeholder="e.g. prod"
          data-testid="label-name"
        />
      </label>
      <label className="field">
        <span className="field-label">Version</span>
        <select value={v} onChange={(e) => setVersion(Number(e.target.value))} data-testid="label-version">
          {versions.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
      </label>
      <button
        type="button"
        disabled={!label.trim() || !v}
        onClick={() => {
          onAttach(label.trim(), v);
          setLabel("");
        }}
        data-testid="label-attach"
      >
        Attach label
      </button>
    </div>
  );
}
