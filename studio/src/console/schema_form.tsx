/**
 * A settings form generated from a connector's settings JSON Schema (GET /api/v1/connectors/{kind}):
 * strings, numbers, booleans and enums get inputs; nested objects get a fieldset; anything else
 * (unions, arrays, maps) a small JSON editor. Empty fields are left out so the server's defaults apply.
 * Each field shows the server's error for its pointer; `onInvalid` hears which JSON fields do not parse
 * (their last parsed value stays in `value`), so a form can refuse to send until they are fixed.
 */
import { useState } from "react";
import { errorAt, Field, type FieldErrors } from "./form.tsx";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: unknown;
}

type Obj = Record<string, unknown>;

/** Told the pointer of a JSON field and its parse error, or undefined once it parses (or is emptied). */
export type InvalidReporter = (pointer: string, error: string | undefined) => void;

export function SchemaForm(
  { schema, value, onChange, errors, pointer, testId, onInvalid }: {
    schema: JsonSchema;
    value: Obj;
    onChange: (v: Obj) => void;
    errors: FieldErrors;
    pointer: string;
    testId: string;
    onInvalid?: InvalidReporter;
  },
) {
  const props = Object.entries(schema.properties ?? {});
  if (!props.length) return <p className="muted">This connector has no settings.</p>;
  const set = (k: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  return (
    <div className="schema-form" data-testid={testId}>
      {props.map(([k, s]) => (
        <SchemaField
          key={k}
          name={k}
          schema={s}
          required={schema.required?.includes(k) && s.default === undefined}
          value={value[k]}
          onChange={(v) => set(k, v)}
          errors={errors}
          pointer={`${pointer}/${k}`}
          testId={`${testId}-${k}`}
          onInvalid={onInvalid}
        />
      ))}
    </div>
  );
}

function typeOf(s: JsonSchema): string {
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  if (s.enum) return "enum";
  if (t === "object" && s.properties && !s.anyOf && !s.oneOf) return "object";
  if (t === "string" || t === "number" || t === "integer" || t === "boolean") return t;
  return "json";
}

function SchemaField(
  { name, schema, required, value, onChange, errors, pointer, testId, onInvalid }: {
    name: string;
    schema: JsonSchema;
    required?: boolean;
    value: unknown;
    onChange: (v: unknown) => void;
    errors: FieldErrors;
    pointer: string;
    testId: string;
    onInvalid?: InvalidReporter;
  },
) {
  const kind = typeOf(schema);
  const label = `${name}${required ? " *" : ""}`;
  const def = schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : "";
  const hint = [schema.description, def].filter(Boolean).join(" · ") || undefined;
  if (kind === "object") {
    return (
      <fieldset className="schema-group" data-field={testId}>
        <legend>{label}</legend>
        {schema.description && <span className="field-hint">{schema.description}</span>}
        <SchemaForm
          schema={schema}
          value={(value ?? {}) as Obj}
          onChange={(v) => onChange(Object.keys(v).length ? v : undefined)}
          errors={errors}
          pointer={pointer}
          testId={testId}
          onInvalid={onInvalid}
        />
        {errors[pointer] && (
          <span className="field-error" data-testid={`${testId}-error`}>{errors[pointer]}</span>
        )}
      </fieldset>
    );
  }
  const error = kind === "json" ? errorAt(errors, pointer) : errors[pointer];
  return (
    <Field label={label} hint={hint} error={error} testId={testId}>
      {kind === "boolean"
        ? (
          <select
            value={value === undefined ? "" : String(value)}
            onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")}
            data-testid={testId}
          >
            <option value="">(default)</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        )
        : kind === "enum"
        ? (
          <select
            value={value === undefined ? "" : String(value)}
            onChange={(e) =>
              onChange(
                e.target.value === "" ? undefined : schema.enum!.find((x) => String(x) === e.target.value),
              )}
            data-testid={testId}
          >
            <option value="">(default)</option>
            {schema.enum!.map((x) => <option key={String(x)} value={String(x)}>{String(x)}</option>)}
          </select>
        )
        : kind === "json"
        ? (
          <JsonField
            value={value}
            onChange={onChange}
            testId={testId}
            onInvalid={(e) => onInvalid?.(pointer, e)}
          />
        )
        : (
          <input
            type={kind === "string" ? "text" : "number"}
            className={error ? "invalid" : undefined}
            value={value === undefined ? "" : String(value)}
            placeholder={schema.format === "uri" ? "https://…" : undefined}
            data-testid={testId}
            onChange={(e) => {
              const t = e.target.value;
              onChange(t === "" ? undefined : kind === "string" ? t : Number(t));
            }}
          />
        )}
    </Field>
  );
}

/** A one-value JSON editor: passes the parsed value up while the text parses; empty means unset. */
function JsonField(
  { value, onChange, testId, onInvalid }: {
    value: unknown;
    onChange: (v: unknown) => void;
    testId: string;
    onInvalid: (error: string | undefined) => void;
  },
) {
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value));
  const [bad, setBad] = useState<string>();
  return (
    <>
      <textarea
        className={`code${bad ? " invalid" : ""}`}
        rows={2}
        spellCheck={false}
        value={text}
        placeholder="JSON"
        data-testid={testId}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (!t.trim()) return (setBad(undefined), onInvalid(undefined), onChange(undefined));
          try {
            onChange(JSON.parse(t));
            setBad(undefined);
            onInvalid(undefined);
          } catch (err) {
            setBad((err as Error).message);
            onInvalid((err as Error).message);
          }
        }}
      />
      {bad && <span className="field-error">{bad}</span>}
    </>
  );
}
