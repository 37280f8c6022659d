/** Inspector controls: text/number/JSON/JSONata fields that commit on blur or Enter. */
import { type ReactNode, useEffect, useState } from "react";
import jsonata from "jsonata";
import type { Json } from "../model/mod.ts";

export function Field(
  { label, children, hint }: {
    label: string;
    children: ReactNode;
    hint?: string;
  },
) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** Checks the JSONata inside `{% … %}`; returns an error message or undefined. */
export function jsonataError(value: string): string | undefined {
  const m = /^\s*\{%([\s\S]*)%\}\s*$/.exec(value);
  if (!m) return undefined;
  try {
    jsonata(m[1].trim());
    return undefined;
  } catch (err) {
    const e = err as { message?: string; position?: number };
    return `JSONata: ${e.message ?? String(err)}${e.position !== undefined ? ` (at ${e.position})` : ""}`;
  }
}

/** Every `{% %}` string inside a JSON value, with its JSONata error. */
export function templateErrors(value: Json | undefined, path = ""): string[] {
  if (typeof value === "string") {
    const e = jsonataError(value);
    return e ? [`${path || "value"}: ${e}`] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => templateErrors(v, `${path}[${i}]`));
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => templateErrors(v, path ? `${path}.${k}` : k));
  }
  return [];
}

export function TextInput(props: {
  value: string | undefined;
  onCommit: (v: string | undefined) => void;
  placeholder?: string;
  expression?: boolean;
  testId?: string;
  multiline?: boolean;
}) {
  const [text, setText] = useState(props.value ?? "");
  useEffect(() => setText(props.value ?? ""), [props.value]);
  const error = props.expression ? jsonataError(text) : undefined;
  const commit = () => {
    const v = text === "" ? undefined : text;
    if (v !== props.value) props.onCommit(v);
  };
  const common = {
    value: text,
    placeholder: props.placeholder,
    "data-testid": props.testId,
    className: error ? "invalid" : undefined,
    onBlur: commit,
  };
  return (
    <>
      {props.multiline
        ? (
          <textarea
            {...common}
            rows={3}
            onChange={(e) => setText(e.target.value)}
          />
        )
        : (
          <input
            {...common}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") commit();
              if (e.key === "Escape") setText(props.value ?? "");
            }}
          />
        )}
      {error && <span className="field-error">{error}</span>}
    </>
  );
}

export function NumberInput(props: {
  value: number | undefined;
  onCommit: (v: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number;
  testId?: string;
}) {
  const [text, setText] = useState(
    props.value === undefined ? "" : String(props.value),
  );
  useEffect(
    () => setText(props.value === undefined ? "" : String(props.value)),
    [props.value],
  );
  const commit = () => {
    const v = text.trim() === "" ? undefined : Number(text);
    if (v !== undefined && !Number.isFinite(v)) return;
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <input
      type="number"
      value={text}
      min={props.min}
      max={props.max}
      step={props.step}
      data-testid={props.testId}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && commit()}
    />
  );
}

/** A JSON value editor: parse errors and JSONata errors are shown and block the commit. */
export function JsonInput(props: {
  value: Json | undefined;
  onCommit: (v: Json | undefined) => void;
  rows?: number;
  testId?: string;
}) {
  const show = (
    v: Json | undefined,
  ) => (v === undefined ? "" : JSON.stringify(v, null, 2));
  const [text, setText] = useState(show(props.value));
  useEffect(() => setText(show(props.value)), [props.value]);
  let error: string | undefined;
  let parsed: Json | undefined;
  if (text.trim()) {
    try {
      parsed = JSON.parse(text);
      error = templateErrors(parsed)[0];
    } catch (err) {
      error = `JSON: ${(err as Error).message}`;
    }
  }
  return (
    <>
      <textarea
        className={`code ${error ? "invalid" : ""}`}
        rows={props.rows ?? 4}
        value={text}
        data-testid={props.testId}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (error && !error.startsWith("JSONata")) return;
          if (JSON.stringify(parsed) !== JSON.stringify(props.value)) {
            props
              .onCommit(parsed);
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </>
  );
}

export function Select<T extends string>(props: {
  value: T | undefined;
  options: Array<T | { value: T; label: string }>;
  onChange: (v: T) => void;
  testId?: string;
  empty?: string;
}) {
  return (
    <select
      value={props.value ?? ""}
      data-testid={props.testId}
      onChange={(e) => props.onChange(e.target.value as T)}
    >
      {props.empty !== undefined && <option value="">{props.empty}</option>}
      {props.options.map((o) => {
        const { value, label } = typeof o === "string" ? { value: o, label: o } : o;
        return <option key={value} value={value}>{label}</option>;
      })}
    </select>
  );
}
