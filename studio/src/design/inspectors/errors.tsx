/** Retry and catch lists (task, parallel, map). */
import {
  addCatch,
  addRetry,
  type JsonObject,
  removeCatch,
  removeRetry,
  updateCatch,
  updateRetry,
} from "../../model/mod.ts";
import { Field, JsonInput, NumberInput, Select, TextInput } from "../fields.tsx";
import { edit, type InspectorProps, siblings } from "./context.ts";

const errorList = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

export function RetryList(p: InspectorProps) {
  const list = (Array.isArray(p.node.def.retry) ? p.node.def.retry : []) as JsonObject[];
  const id = p.node.id;
  return (
    <div className="section">
      <h4>Retry</h4>
      {list.map((r, i) => (
        <div className="card" key={i}>
          <Field label="Errors (comma separated)">
            <TextInput
              value={(r.errors as string[]).join(", ")}
              onCommit={(v) =>
                edit(
                  p,
                  "edit retry",
                  (tx) => updateRetry(tx, id, i, { errors: errorList(v) }),
                )}
            />
          </Field>
          <div className="row">
            <Field label="Interval s">
              <NumberInput
                value={r.interval as number}
                min={0}
                onCommit={(v) =>
                  edit(
                    p,
                    "edit retry",
                    (tx) => updateRetry(tx, id, i, { interval: v ?? null }),
                  )}
              />
            </Field>
            <Field label="Max attempts">
              <NumberInput
                value={r.maxAttempts as number}
                min={0}
                onCommit={(v) =>
                  edit(
                    p,
                    "edit retry",
                    (tx) => updateRetry(tx, id, i, { maxAttempts: v ?? null }),
                  )}
              />
            </Field>
            <Field label="Backoff">
              <NumberInput
                value={r.backoffRate as number}
                min={1}
                step={0.5}
                onCommit={(v) =>
                  edit(
                    p,
                    "edit retry",
                    (tx) => updateRetry(tx, id, i, { backoffRate: v ?? null }),
                  )}
              />
            </Field>
          </div>
          <div className="row">
            <Field label="Max delay s">
              <NumberInput
                value={r.maxDelay as number}
                min={0}
                onCommit={(v) =>
                  edit(
                    p,
                    "edit retry",
                    (tx) => updateRetry(tx, id, i, { maxDelay: v ?? null }),
                  )}
              />
            </Field>
            <Field label="Jitter">
              <Select
                value={r.jitter as "full" | "none" | undefined}
                options={["full", "none"]}
                empty="(default)"
                onChange={(v) =>
                  edit(
                    p,
                    "edit retry",
                    (tx) => updateRetry(tx, id, i, { jitter: v || null }),
                  )}
              />
            </Field>
          </div>
          <button
            type="button"
            className="danger small"
            onClick={() => edit(p, "remove retry", (tx) => removeRetry(tx, id, i))}
          >
            Remove retry
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small"
        data-testid="add-retry"
        onClick={() =>
          edit(p, "add retry", (tx) =>
            addRetry(tx, id, {
              errors: ["States.ALL"],
              interval: 1,
              maxAttempts: 3,
              backoffRate: 2,
            }))}
      >
        + Add retry
      </button>
    </div>
  );
}

export function CatchList(p: InspectorProps) {
  const list = (Array.isArray(p.node.def.catch) ? p.node.def.catch : []) as JsonObject[];
  const id = p.node.id;
  const targets = siblings(p);
  return (
    <div className="section">
      <h4>Catch</h4>
      {list.map((c, i) => (
        <div className="card" key={i}>
          <Field label="Errors (comma separated)">
            <TextInput
              value={(c.errors as string[]).join(", ")}
              onCommit={(v) =>
                edit(
                  p,
                  "edit catch",
                  (tx) => updateCatch(tx, id, i, { errors: errorList(v) }),
                )}
            />
          </Field>
          <Field label="Go to">
            <Select
              value={c.next as string}
              options={targets}
              onChange={(v) =>
                edit(
                  p,
                  "edit catch",
                  (tx) => updateCatch(tx, id, i, { next: v }),
                )}
            />
          </Field>
          <Field label="Output expression">
            <JsonInput
              value={(c.output as JsonObject | undefined)?.expression}
              rows={2}
              onCommit={(v) =>
                edit(p, "edit catch", (tx) => {
                  const { output: _o, ...rest } = c;
                  updateCatch(
                    tx,
                    id,
                    i,
                    v === undefined ? rest : { ...rest, output: { expression: v } },
                  );
                })}
            />
          </Field>
          <button
            type="button"
            className="danger small"
            onClick={() => edit(p, "remove catch", (tx) => removeCatch(tx, id, i))}
          >
            Remove catch
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small"
        disabled={!targets.length}
        onClick={() =>
          edit(
            p,
            "add catch",
            (tx) => addCatch(tx, id, { errors: ["States.ALL"], next: targets[0] }),
          )}
      >
        + Add catch
      </button>
    </div>
  );
}
