/** Start an execution of a template with JSON input, then open its execution view. */
import { useState } from "react";
import { post } from "../api.ts";
import { navigate } from "../router.ts";
import { toastError } from "../ui/toast.tsx";

export function RunDialog(
  { template, onClose }: { template: string; onClose: () => void },
) {
  const [input, setInput] = useState("{\n  \n}");
  const [kind, setKind] = useState<"durable" | "express">("durable");
  let error: string | undefined;
  try {
    JSON.parse(input);
  } catch (err) {
    error = (err as Error).message;
  }
  const start = async () => {
    try {
      const ex = await post<{ id: string }>(
        `/api/v1/templates/${encodeURIComponent(template)}/executions`,
        {
          input: JSON.parse(input),
          kind,
        },
      );
      onClose();
      navigate(`/executions/${encodeURIComponent(ex.id)}`);
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal"
        onClick={(e) => e.stopPropagation()}
        data-testid="run-dialog"
      >
        <h3>Start an execution of {template}</h3>
        <label className="field">
          <span className="field-label">Input (JSON)</span>
          <textarea
            className="code"
            rows={8}
            value={input}
            data-testid="run-input"
            onChange={(e) => setInput(e.target.value)}
          />
        </label>
        {error && <div className="field-error">{error}</div>}
        <label className="field">
          <span className="field-label">Kind</span>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as "durable" | "express")}
          >
            <option value="durable">durable</option>
            <option value="express">express</option>
          </select>
        </label>
        <div className="row">
          <button
            type="button"
            className="primary"
            data-testid="run-start"
            disabled={!!error}
            onClick={start}
          >
            Start
          </button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
