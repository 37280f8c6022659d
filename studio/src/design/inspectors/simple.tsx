/** Wait (duration or timestamp), fail (error, cause); set and succeed only use the shared fields. */
import { updateNode } from "../../model/mod.ts";
import { Field, NumberInput, Select, TextInput } from "../fields.tsx";
import { edit, type InspectorProps, setField } from "./context.ts";

export function WaitInspector(p: InspectorProps) {
  const def = p.node.def;
  const mode = "timestamp" in def ? "timestamp" : typeof def.seconds === "string" ? "expression" : "seconds";
  return (
    <div className="section">
      <Field label="Wait for">
        <Select
          value={mode}
          options={[
            { value: "seconds", label: "a duration (seconds)" },
            { value: "expression", label: "a duration from an expression" },
            { value: "timestamp", label: "a timestamp" },
          ]}
          testId="wait-mode"
          onChange={(m) =>
            edit(p, "edit wait", (tx) =>
              updateNode(
                tx,
                p.node.id,
                m === "timestamp"
                  ? { seconds: undefined, timestamp: "{% $now() %}" }
                  : m === "expression"
                  ? { timestamp: undefined, seconds: "{% input.delay %}" }
                  : { timestamp: undefined, seconds: 1 },
              ))}
        />
      </Field>
      {mode === "seconds" && (
        <Field label="Seconds">
          <NumberInput
            value={def.seconds as number | undefined}
            min={0}
            testId="wait-seconds"
            onCommit={(v) => setField(p, "seconds", v)}
          />
        </Field>
      )}
      {mode === "expression" && (
        <Field label="Seconds expression">
          <TextInput
            value={def.seconds as string}
            expression
            onCommit={(v) => setField(p, "seconds", v)}
          />
        </Field>
      )}
      {mode === "timestamp" && (
        <Field
          label="Timestamp"
          hint="ISO 8601, e.g. 2030-01-01T00:00:00Z, or {% expr %}"
        >
          <TextInput
            value={def.timestamp as string}
            expression
            testId="wait-timestamp"
            onCommit={(v) => setField(p, "timestamp", v)}
          />
        </Field>
      )}
    </div>
  );
}

export function FailInspector(p: InspectorProps) {
  const def = p.node.def;
  return (
    <div className="section">
      <Field label="Error name">
        <TextInput
          value={def.error as string | undefined}
          expression
          testId="fail-error"
          onCommit={(v) => setField(p, "error", v)}
        />
      </Field>
      <Field label="Cause">
        <TextInput
          value={def.cause as string | undefined}
          expression
          multiline
          onCommit={(v) => setField(p, "cause", v)}
        />
      </Field>
    </div>
  );
}
