/**
 * A connection's settings editor, shared by the create and edit forms: a form generated from the
 * connector's settings JSON Schema (GET /api/v1/connectors/{kind}) or, on request or when the
 * connector has no schema, a JSON editor. Settings that cannot be sent (text that is not JSON) are
 * reported by their field before anything goes to the server.
 */
import { type Dispatch, type SetStateAction, useEffect, useState } from "react";
import type { ConnectorInfo } from "../../../services/openact/types.ts";
import { get } from "../api.ts";
import { errorAt, Field, type FieldErrors } from "./form.tsx";
import { type JsonSchema, SchemaForm } from "./schema_form.tsx";
import { JsonEditor, Panel, parseJson } from "./ui.tsx";

type Obj = Record<string, unknown>;

/** The connector's full info (settings schema, operations) for a kind, or undefined while loading. */
export function useConnector(kind: string): { info?: ConnectorInfo; error?: string } {
  const [state, setState] = useState<{ info?: ConnectorInfo; error?: string }>({});
  useEffect(() => {
    if (!kind) return setState({});
    let live = true;
    setState({});
    get<ConnectorInfo>(`/api/v1/connectors/${encodeURIComponent(kind)}`)
      .then((info) => live && setState({ info }))
      .catch((e) => live && setState({ error: (e as Error).message }));
    return () => void (live = false);
  }, [kind]);
  return state;
}

/** The settings being edited: the form's value, the JSON editor's text, and which one is shown. */
export interface SettingsDraft {
  value: Obj;
  text: string;
  asJson: boolean;
  /** Pointers of form fields whose JSON text does not parse → the parse error. */
  bad: Record<string, string>;
}

export const settingsDraft = (value: Obj = {}): SettingsDraft => ({
  value,
  text: JSON.stringify(value, null, 2),
  asJson: false,
  bad: {},
});

const schemaOf = (connector: { info?: ConnectorInfo }) => connector.info?.settings as JsonSchema | undefined;

/** The settings object to send, or the errors to show (by pointer) instead of sending. */
export function settingsToSend(
  draft: SettingsDraft,
  connector: { info?: ConnectorInfo },
): { settings: Obj } | { errors: FieldErrors } {
  if (draft.asJson || !schemaOf(connector)?.properties) {
    const p = parseJson(draft.text);
    if (!p.ok) return { errors: { "/settings": `not JSON: ${p.error}` } };
    if (p.value !== null && (typeof p.value !== "object" || Array.isArray(p.value))) {
      return { errors: { "/settings": "must be a JSON object" } };
    }
    return { settings: (p.value ?? {}) as Obj };
  }
  const bad = Object.keys(draft.bad);
  if (bad.length) {
    return {
      errors: {
        "/settings": `not JSON in ${bad.map((p) => p.replace(/^\/settings\//, "")).join(", ")}: fix it first`,
      },
    };
  }
  return { settings: draft.value };
}

/** The settings panel: schema form or JSON editor (switchable), server errors by their field. */
export function SettingsPanel(
  { kind, connector, draft, onChange, errors, testId }: {
    kind: string;
    connector: { info?: ConnectorInfo; error?: string };
    draft: SettingsDraft;
    /** A state setter: the form's fields report in the same event, so updates are functional. */
    onChange: Dispatch<SetStateAction<SettingsDraft>>;
    errors: FieldErrors;
    /** Prefix of the test ids: `${testId}-mode`, `${testId}-settings-json`, `${testId}-setting-KEY`. */
    testId: string;
  },
) {
  const schema = schemaOf(connector);
  const jsonMode = draft.asJson || !schema?.properties;
  const switchMode = (json: boolean) =>
    onChange((d) => {
      if (json) return { ...d, asJson: true, text: JSON.stringify(d.value, null, 2), bad: {} };
      const p = parseJson(d.text);
      const value = p.ok && p.value && typeof p.value === "object" && !Array.isArray(p.value)
        ? p.value as Obj
        : d.value;
      return { ...d, asJson: false, value, bad: {} };
    });
  const onInvalid = (pointer: string, error: string | undefined) =>
    onChange((d) => {
      if (d.bad[pointer] === error) return d;
      const bad = { ...d.bad };
      if (error === undefined) delete bad[pointer];
      else bad[pointer] = error;
      return { ...d, bad };
    });
  return (
    <Panel
      title={`Settings${connector.info?.description ? ` — ${connector.info.description}` : ""}`}
      actions={schema?.properties && (
        <button
          type="button"
          className="link"
          onClick={() => switchMode(!draft.asJson)}
          data-testid={`${testId}-mode`}
        >
          {draft.asJson ? "Edit as form" : "Edit as JSON"}
        </button>
      )}
    >
      {connector.error && <div className="field-error">{connector.error}</div>}
      {!connector.info && !connector.error
        ? <p className="muted">Loading the {kind} settings schema…</p>
        : jsonMode
        ? (
          <Field
            label="Settings (JSON)"
            error={errorAt(errors, "/settings")}
            testId={`${testId}-settings-json`}
          >
            <JsonEditor
              value={draft.text}
              onChange={(text) => onChange((d) => ({ ...d, text }))}
              rows={10}
              testId={`${testId}-settings-json`}
            />
          </Field>
        )
        : (
          <>
            {errors["/settings"] && (
              <div className="field-error" data-testid={`${testId}-settings-error`}>
                {errors["/settings"]}
              </div>
            )}
            <SchemaForm
              schema={schema!}
              value={draft.value}
              onChange={(value) => onChange((d) => ({ ...d, value }))}
              onInvalid={onInvalid}
              errors={errors}
              pointer="/settings"
              testId={`${testId}-setting`}
            />
          </>
        )}
    </Panel>
  );
}
