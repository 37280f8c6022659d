/**
 * Edit an action in place (PUT /api/v1/actions/{ref} replaces its definition): connection (of the
 * same kind), operation, description, timeout, fixed parameters and input schema, prefilled with the
 * current values. JSON that does not parse is reported by its field and nothing is sent; errors sit
 * by their field and in a toast; Cancel drops the draft.
 */
import { useState } from "react";
import type { Action, Connection } from "../../../services/openact/types.ts";
import { put } from "../api.ts";
import { toast } from "../ui/toast.tsx";
import {
  errorAt,
  Field,
  type FieldErrors,
  fieldErrors,
  FormErrors,
  toastNotSaved,
  unclaimed,
} from "./form.tsx";
import { useConnector } from "./connection_settings.tsx";
import { usePaged } from "./resource.tsx";
import { JsonEditor, Panel, parseJson, useBusy } from "./ui.tsx";

type Obj = Record<string, unknown>;

interface Draft {
  connection: string;
  operation: string;
  description: string;
  timeoutMs: string;
  parameters: string;
  inputSchema: string;
}

const toDraft = (a: Action): Draft => ({
  connection: a.connection,
  operation: a.operation,
  description: a.description,
  timeoutMs: a.timeoutMs === null ? "" : String(a.timeoutMs),
  parameters: JSON.stringify(a.parameters, null, 2),
  inputSchema: a.inputSchema ? JSON.stringify(a.inputSchema, null, 2) : "",
});

/** A JSON object from editor text (empty → `empty`), or the message to show by the field. */
function jsonObject(text: string, empty: Obj | null): { value: Obj | null } | { error: string } {
  const p = parseJson(text);
  // the editor under the text already shows where it fails to parse
  if (!p.ok) return { error: "not JSON: fix it before saving" };
  if (p.value === null) return { value: empty };
  if (typeof p.value !== "object" || Array.isArray(p.value)) return { error: "must be a JSON object" };
  return { value: p.value as Obj };
}

/** The PUT body, or the errors to show (by pointer) instead of sending. */
function actionBody(d: Draft): { body: Obj } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parameters = jsonObject(d.parameters, {});
  if ("error" in parameters) errors["/parameters"] = parameters.error;
  const inputSchema = jsonObject(d.inputSchema, null);
  if ("error" in inputSchema) errors["/inputSchema"] = inputSchema.error;
  const timeout = d.timeoutMs.trim() === "" ? null : Number(d.timeoutMs);
  if (timeout !== null && !Number.isFinite(timeout)) errors["/timeoutMs"] = "a number of milliseconds";
  if ("error" in parameters || "error" in inputSchema || Object.keys(errors).length) return { errors };
  return {
    body: {
      connection: d.connection,
      operation: d.operation,
      description: d.description,
      parameters: parameters.value ?? {},
      inputSchema: inputSchema.value,
      timeoutMs: timeout,
    },
  };
}

export function ActionEdit(
  { action, onSaved, onCancel }: { action: Action; onSaved: (a: Action) => void; onCancel: () => void },
) {
  const [draft, setDraft] = useState(() => toDraft(action));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, run] = useBusy();
  const conns = usePaged<Connection>("/api/v1/connections", { kind: action.kind });
  const connector = useConnector(action.kind);
  const ops = Object.keys(connector.info?.operations ?? {});
  const op = connector.info?.operations?.[draft.operation];
  const set = (k: keyof Draft) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const ref = `${action.kind}.${action.name}`;

  const fail = (e: FieldErrors) => (setErrors(e), toastNotSaved(`Action ${ref}`, e));
  const save = () =>
    run(async () => {
      const built = actionBody(draft);
      if ("errors" in built) return fail(built.errors);
      try {
        const a = await put<Action>(`/api/v1/actions/${encodeURIComponent(ref)}`, built.body);
        setErrors({});
        toast(`Action ${ref} saved (version ${a.version})`);
        onSaved(a);
      } catch (err) {
        fail(fieldErrors(err));
      }
    });

  return (
    <div className="edit-form" data-testid="action-edit">
      <Panel title={`Edit action ${ref}`}>
        <div className="form-grid">
          <Field
            label="Connection *"
            error={errorAt(errors, "/connection")}
            testId="act-edit-connection"
            hint={`a ${action.kind} connection`}
          >
            <select
              value={draft.connection}
              onChange={(e) => set("connection")(e.target.value)}
              data-testid="act-edit-connection"
            >
              {!conns.items.some((c) => c.name === draft.connection) && (
                <option value={draft.connection}>{draft.connection}</option>
              )}
              {conns.items.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            </select>
          </Field>
          <Field
            label="Operation *"
            error={errorAt(errors, "/operation")}
            testId="act-edit-operation"
            hint={op?.description}
          >
            <select
              value={draft.operation}
              onChange={(e) => set("operation")(e.target.value)}
              data-testid="act-edit-operation"
            >
              {!ops.includes(draft.operation) && <option value={draft.operation}>{draft.operation}</option>}
              {ops.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          </Field>
          <Field label="Description" error={errors["/description"]} testId="act-edit-description">
            <input
              value={draft.description}
              onChange={(e) => set("description")(e.target.value)}
              data-testid="act-edit-description"
            />
          </Field>
          <Field
            label="Timeout (ms)"
            error={errors["/timeoutMs"]}
            testId="act-edit-timeout"
            hint="empty: the connector's default"
          >
            <input
              type="number"
              min={1}
              value={draft.timeoutMs}
              onChange={(e) => set("timeoutMs")(e.target.value)}
              data-testid="act-edit-timeout"
            />
          </Field>
        </div>
        <div className="json-pair">
          <Field
            label="Parameters (JSON; the caller's input is merged over them)"
            error={errorAt(errors, "/parameters")}
            testId="act-edit-parameters"
          >
            <JsonEditor
              value={draft.parameters}
              onChange={set("parameters")}
              rows={8}
              testId="act-edit-parameters"
            />
          </Field>
          <Field
            label="Input schema (JSON Schema of the caller's input)"
            error={errorAt(errors, "/inputSchema")}
            testId="act-edit-input-schema"
            hint="empty: any input"
          >
            <JsonEditor
              value={draft.inputSchema}
              onChange={set("inputSchema")}
              rows={8}
              testId="act-edit-input-schema"
            />
          </Field>
        </div>
        {op?.input && (
          <details className="op-schema">
            <summary>{draft.operation} input schema</summary>
            <pre className="code">{JSON.stringify(op.input, null, 2)}</pre>
          </details>
        )}
      </Panel>
      <FormErrors
        messages={unclaimed(errors, [
          "/connection",
          "/operation",
          "/description",
          "/timeoutMs",
          "/parameters",
          "/inputSchema",
        ])}
      />
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !draft.connection || !draft.operation}
          onClick={save}
          data-testid="act-edit-save"
        >
          {busy ? "Saving…" : "Save changes"}
        </button>
        <button type="button" onClick={onCancel} data-testid="act-edit-cancel">Cancel</button>
      </div>
    </div>
  );
}
