/** Fields every state shares: name, type, comment, transition, output, assign. */
import {
  CHAINED_TYPES,
  type Json,
  type JsonObject,
  replaceType,
  setEntry,
  STATE_TYPES,
  type StateType,
} from "../../model/mod.ts";
import { Field, JsonInput, Select, TextInput } from "../fields.tsx";
import { edit, type InspectorProps, setField, siblings } from "./context.ts";
import { updateNode } from "../../model/mod.ts";

export function Header(p: InspectorProps) {
  const def = p.node.def;
  return (
    <div className="section">
      <Field label="Name">
        <TextInput
          value={p.node.name}
          testId="inspector-name"
          onCommit={(v) =>
            v &&
            edit(p, "rename", (tx) => updateNode(tx, p.node.id, { name: v }))}
        />
      </Field>
      <Field label="Type">
        <Select
          value={def.type as StateType}
          options={[...STATE_TYPES]}
          testId="inspector-type"
          onChange={(t) => edit(p, `replace with ${t}`, (tx) => replaceType(tx, p.node.id, t))}
        />
      </Field>
      <Field label="Comment">
        <TextInput
          value={def.comment as string | undefined}
          onCommit={(v) => setField(p, "comment", v)}
        />
      </Field>
      <button
        type="button"
        className="link"
        onClick={() => edit(p, "set entry", (tx) => setEntry(tx, p.node.id))}
      >
        Make this the entry state
      </button>
    </div>
  );
}

/** next / end for states that continue. */
export function Transition(p: InspectorProps) {
  const def = p.node.def;
  if (!CHAINED_TYPES.has(def.type)) return null;
  const value = def.end === true ? "__end" : (def.next as string | undefined) ?? "";
  return (
    <div className="section">
      <Field label="Next state">
        <Select
          value={value}
          testId="inspector-next"
          options={[
            { value: "__end", label: "(end of workflow)" },
            ...siblings(p),
          ]}
          empty="(none)"
          onChange={(v) =>
            edit(p, "edit next", (tx) =>
              updateNode(
                tx,
                p.node.id,
                v === "__end" ? { end: true, next: undefined } : { next: v, end: undefined },
              ))}
        />
      </Field>
    </div>
  );
}

export function OutputAssign(p: InspectorProps) {
  const def = p.node.def;
  const output = def.output as JsonObject | undefined;
  return (
    <div className="section">
      <Field
        label="Output expression"
        hint="the state's output; strings like {% result.id %} are JSONata"
      >
        <JsonInput
          value={output?.expression as Json | undefined}
          testId="inspector-output"
          onCommit={(v) =>
            setField(
              p,
              "output",
              v === undefined ? undefined : { ...output, expression: v },
            )}
        />
      </Field>
      {def.type !== "succeed" && (
        <Field label="Assign variables" hint='{"name": "{% expr %}"}'>
          <JsonInput
            value={def.assign as Json | undefined}
            onCommit={(v) => setField(p, "assign", v)}
          />
        </Field>
      )}
    </div>
  );
}
