/** Router: ordered routes with a condition builder, and the default. */
import { useState } from "react";
import {
  addRoute,
  type JsonObject,
  moveRoute,
  removeRoute,
  setDefault,
  updateRoute,
} from "../../model/mod.ts";
import { Field, Select, TextInput } from "../fields.tsx";
import { edit, type InspectorProps, siblings } from "./context.ts";

const OPS = ["=", "!=", ">", ">=", "<", "<=", "in"] as const;

/** Builds `{% input.amount > 100 %}` from a field, an operator and a JSON-literal value. */
function ConditionBuilder({ onAdd }: { onAdd: (condition: string) => void }) {
  const [field, setFieldName] = useState("input.");
  const [op, setOp] = useState<string>("=");
  const [value, setValue] = useState("");
  const literal = (() => {
    const v = value.trim();
    if (v === "") return "null";
    if (
      /^-?\d+(\.\d+)?$/.test(v) || v === "true" || v === "false" ||
      v === "null" || v.startsWith("[")
    ) return v;
    return JSON.stringify(v);
  })();
  return (
    <div className="row condition-builder">
      <input
        value={field}
        onChange={(e) => setFieldName(e.target.value)}
        aria-label="field"
      />
      <select
        value={op}
        onChange={(e) => setOp(e.target.value)}
        aria-label="operator"
      >
        {OPS.map((o) => <option key={o}>{o}</option>)}
      </select>
      <input
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-label="value"
        placeholder="value"
      />
      <button
        type="button"
        className="small"
        onClick={() => onAdd(`{% ${field} ${op} ${literal} %}`)}
      >
        Use
      </button>
    </div>
  );
}

export function RouterInspector(p: InspectorProps) {
  const def = p.node.def;
  const routes = (Array.isArray(def.routes) ? def.routes : []) as JsonObject[];
  const targets = siblings(p);
  const id = p.node.id;
  return (
    <div className="section">
      <h4>Routes (first match wins)</h4>
      {routes.map((r, i) => (
        <div className="card" key={i} data-testid={`route-${i}`}>
          <Field label={`Route ${i + 1} condition`}>
            <TextInput
              value={typeof r.condition === "string" ? r.condition : JSON.stringify(r.condition)}
              expression
              onCommit={(v) =>
                edit(p, "edit route", (tx) => updateRoute(tx, id, i, { condition: v ?? "{% true %}" }))}
            />
          </Field>
          <ConditionBuilder
            onAdd={(c) =>
              edit(
                p,
                "edit route",
                (tx) => updateRoute(tx, id, i, { condition: c }),
              )}
          />
          <Field label="Go to">
            <Select
              value={r.next as string}
              options={targets}
              onChange={(v) =>
                edit(
                  p,
                  "edit route",
                  (tx) => updateRoute(tx, id, i, { next: v }),
                )}
            />
          </Field>
          <div className="row">
            <button
              type="button"
              className="small"
              disabled={i === 0}
              onClick={() => edit(p, "move route", (tx) => moveRoute(tx, id, i, i - 1))}
            >
              ↑
            </button>
            <button
              type="button"
              className="small"
              disabled={i === routes.length - 1}
              onClick={() => edit(p, "move route", (tx) => moveRoute(tx, id, i, i + 1))}
            >
              ↓
            </button>
            <button
              type="button"
              className="danger small"
              onClick={() => edit(p, "remove route", (tx) => removeRoute(tx, id, i))}
            >
              Remove
            </button>
          </div>
        </div>
      ))}
      <button
        type="button"
        className="small"
        disabled={!targets.length}
        data-testid="add-route"
        onClick={() =>
          edit(p, "add route", (tx) => addRoute(tx, id, { condition: "{% true %}", next: targets[0] }))}
      >
        + Add route
      </button>
      <Field label="Default (no route matched)">
        <Select
          value={def.default as string | undefined}
          options={targets}
          empty="(none: fails with States.NoChoiceMatched)"
          onChange={(v) => v && edit(p, "set default", (tx) => setDefault(tx, id, v))}
        />
      </Field>
    </div>
  );
}
