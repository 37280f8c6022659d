/** Task: action picker, parameters, mode, timeout/heartbeat, retry and catch. */
import type { Json } from "../../model/mod.ts";
import { Field, JsonInput, NumberInput, Select, TextInput } from "../fields.tsx";
import { type InspectorProps, setField } from "./context.ts";
import { CatchList, RetryList } from "./errors.tsx";

export function TaskInspector(p: InspectorProps) {
  const def = p.node.def;
  return (
    <>
      <div className="section">
        <Field
          label="Action"
          hint="http, fn:NAME, wf:NAME, act:KIND.NAME or a TRN"
        >
          <TextInput
            value={def.action as string}
            testId="inspector-action"
            onCommit={(v) => v && setField(p, "action", v)}
          />
        </Field>
        {p.actions.length > 0 && (
          <Field label="Pick an action">
            <Select
              value={undefined}
              options={p.actions}
              empty="(choose…)"
              testId="action-picker"
              onChange={(v) => v && setField(p, "action", v)}
            />
          </Field>
        )}
        <Field label="Parameters" hint="JSON; {% %} strings are evaluated">
          <JsonInput
            value={def.parameters as Json | undefined}
            rows={5}
            testId="inspector-parameters"
            onCommit={(v) => setField(p, "parameters", v)}
          />
        </Field>
        <div className="row">
          <Field label="Mode">
            <Select
              value={def.mode as "sync" | "callback" | undefined}
              options={["sync", "callback"]}
              empty="sync"
              onChange={(v) => setField(p, "mode", v || undefined)}
            />
          </Field>
          <Field label="Timeout s">
            <NumberInput
              value={def.timeout as number | undefined}
              min={0}
              testId="inspector-timeout"
              onCommit={(v) => setField(p, "timeout", v)}
            />
          </Field>
          <Field label="Heartbeat s">
            <NumberInput
              value={def.heartbeat as number | undefined}
              min={0}
              onCommit={(v) => setField(p, "heartbeat", v)}
            />
          </Field>
        </div>
      </div>
      <RetryList {...p} />
      <CatchList {...p} />
    </>
  );
}
