/** A function's configuration as a readable form; operators edit the general settings in place. */
import { useState } from "react";
import type { FunctionInfo } from "../../../services/aionixfn/types.ts";
import { put } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import { useCan } from "./role.ts";
import { bytes, Chips, Hash, KeyValue, Panel, When } from "./ui.tsx";

interface Draft {
  description: string;
  timeout: string;
  memory: string;
  reservedConcurrency: string;
  maxRetries: string;
}

const toDraft = (fn: FunctionInfo): Draft => ({
  description: fn.description,
  timeout: String(fn.timeout),
  memory: String(fn.memory),
  reservedConcurrency: fn.reservedConcurrency === null ? "" : String(fn.reservedConcurrency),
  maxRetries: String(fn.maxRetries),
});

export function FunctionConfig({ fn, onSaved }: { fn: FunctionInfo; onSaved: () => void }) {
  const canWrite = useCan("operator");
  const [draft, setDraft] = useState<Draft>();
  const save = async () => {
    if (!draft) return;
    try {
      await put(`/api/v1/functions/${encodeURIComponent(fn.name)}`, {
        description: draft.description,
        timeout: Number(draft.timeout),
        memory: Number(draft.memory),
        reservedConcurrency: draft.reservedConcurrency.trim() === ""
          ? null
          : Number(draft.reservedConcurrency),
        maxRetries: Number(draft.maxRetries),
      });
      toast(`${fn.name} updated ($LATEST)`);
      setDraft(undefined);
      onSaved();
    } catch (err) {
      toastError(err);
    }
  };
  const field = (k: keyof Draft, label: string, type = "number", hint?: string) => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        type={type}
        value={draft![k]}
        data-testid={`cfg-${k}`}
        onChange={(e) => setDraft({ ...draft!, [k]: e.target.value })}
      />
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
  const env = Object.entries(fn.env);
  return (
    <>
      <Panel
        title="General configuration"
        testId="fn-config"
        actions={canWrite && !draft
          ? (
            <button
              type="button"
              className="small"
              onClick={() => setDraft(toDraft(fn))}
              data-testid="cfg-edit"
            >
              Edit
            </button>
          )
          : undefined}
      >
        {draft
          ? (
            <div>
              {field("description", "Description", "text")}
              <div className="row">
                {field("timeout", "Timeout (seconds)", "number", "0.05 – 900")}
                {field("memory", "Memory (MB)", "number", "32 – 4096")}
                {field("reservedConcurrency", "Reserved concurrency", "number", "empty: unreserved")}
                {field("maxRetries", "Async retries", "number", "0 – 2")}
              </div>
              <div className="row">
                <button type="button" className="primary" onClick={save} data-testid="cfg-save">Save</button>
                <button type="button" onClick={() => setDraft(undefined)}>Cancel</button>
              </div>
            </div>
          )
          : (
            <KeyValue
              rows={{
                "Description": fn.description,
                "Runtime": fn.runtime,
                "Handler": <code>{fn.handler}</code>,
                "Timeout": `${fn.timeout} s`,
                "Memory": `${fn.memory} MB`,
                "Reserved concurrency": fn.reservedConcurrency ?? "unreserved",
                "Async retries": fn.maxRetries,
                "Latest published version": fn.latestVersion ?? "none ($LATEST only)",
                "Package": `${fn.codeKind === "inline" ? "Inline module" : "File bundle"}, ${
                  bytes(fn.codeSize)
                }`,
                "Code SHA-256": <Hash value={fn.codeHash} n={16} />,
                "Created": <When iso={fn.createdAt} />,
                "Last modified": <When iso={fn.updatedAt} />,
              }}
            />
          )}
      </Panel>
      <Panel title={`Environment variables (${env.length})`}>
        <Table
          rows={env}
          empty="No environment variables."
          testId="fn-env"
          columns={[["Key", ([k]) => <code>{k}</code>], ["Value", ([, v]) => <code>{envText(v)}</code>]]}
        />
      </Panel>
      <Panel title="Permissions">
        <KeyValue
          rows={{
            "Network (hosts)": <Chips items={fn.permissions.net} empty="no network access" />,
            "Server environment": <Chips items={fn.permissions.env} empty="none" />,
            "Read paths": <Chips items={fn.permissions.read} empty="none" />,
          }}
        />
      </Panel>
      <Panel title="Asynchronous invocation destinations">
        <KeyValue
          rows={{
            "On success": fn.destinations.onSuccess && <code>{fn.destinations.onSuccess}</code>,
            "On failure": fn.destinations.onFailure && <code>{fn.destinations.onFailure}</code>,
          }}
        />
      </Panel>
    </>
  );
}

/** An env value: plain text, or a CredVault reference shown by name (never its value). */
function envText(v: unknown): string {
  if (typeof v === "string") return v;
  const ref = v as { secretRef?: string; stage?: string } | null;
  return ref?.secretRef ? `secret ${ref.secretRef}${ref.stage ? ` (${ref.stage})` : ""}` : JSON.stringify(v);
}
