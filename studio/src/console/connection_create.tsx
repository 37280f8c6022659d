/**
 * New connection (kind from the server's connector list, settings form generated from the kind's
 * settings JSON Schema or a JSON editor, credential from CredVault secret names) and new action
 * (connection, operation from the connector's operations, parameters). Server errors sit by their field.
 */
import { useState } from "react";
import type { Action, Connection, ConnectorInfo } from "../../../services/openact/types.ts";
import { post } from "../api.ts";
import { navigate } from "../router.ts";
import { toast } from "../ui/toast.tsx";
import { actionHref, connectionHref } from "./connections_page.tsx";
import {
  errorAt,
  Field,
  type FieldErrors,
  fieldErrors,
  FormErrors,
  SecretPicker,
  unclaimed,
} from "./form.tsx";
import { usePaged } from "./resource.tsx";
import { settingsDraft, SettingsPanel, settingsToSend, useConnector } from "./connection_settings.tsx";
import { Crumbs, JsonEditor, Panel, parseJson, useBusy } from "./ui.tsx";

export function ConnectionCreate() {
  const kinds = usePaged<ConnectorInfo>("/api/v1/connectors");
  const [name, setName] = useState("");
  const [kind, setKind] = useState("");
  const [description, setDescription] = useState("");
  const [settings, setSettings] = useState(settingsDraft);
  const [credential, setCredential] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, run] = useBusy();
  const connector = useConnector(kind);

  const create = () =>
    run(async () => {
      const body = settingsToSend(settings, connector);
      if ("errors" in body) return setErrors(body.errors);
      try {
        const c = await post<Connection>("/api/v1/connections", {
          name,
          kind,
          ...(description ? { description } : {}),
          settings: body.settings,
          ...(credential ? { credential } : {}),
        });
        toast(`Connection ${c.name} created`);
        navigate(connectionHref(c.name).slice(1));
      } catch (err) {
        setErrors(fieldErrors(err));
      }
    });

  return (
    <div className="console-page create-page" data-testid="connection-create">
      <Crumbs items={[["Connections", "#/connections"], ["New connection"]]} />
      <Panel title="New connection">
        <div className="form-grid">
          <Field label="Name *" error={errors["/name"]} testId="conn-name" hint="e.g. github-api">
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="conn-name" />
          </Field>
          <Field label="Kind *" error={errors["/kind"]} testId="conn-kind">
            <select
              value={kind}
              onChange={(
                e,
              ) => (setKind(e.target.value), setSettings(settingsDraft()), setErrors({}))}
              data-testid="conn-kind"
            >
              <option value="">choose a connector…</option>
              {kinds.items.map((k) => (
                <option key={k.kind} value={k.kind} disabled={!k.selected}>
                  {k.kind}
                  {k.selected ? "" : " (not in this build)"}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Description" error={errors["/description"]} testId="conn-description">
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <Field
            label="Credential"
            error={errorAt(errors, "/credential")}
            testId="conn-credential"
            hint="a CredVault secret; its value never leaves the server"
          >
            <SecretPicker value={credential} onChange={setCredential} testId="conn-credential" />
          </Field>
        </div>
      </Panel>
      {kind && (
        <SettingsPanel
          kind={kind}
          connector={connector}
          draft={settings}
          onChange={setSettings}
          errors={errors}
          testId="conn"
        />
      )}
      <FormErrors
        messages={unclaimed(
          errors,
          ["/name", "/kind", "/description", "/credential", ...(kind ? ["/settings"] : [])],
        )}
      />
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !name || !kind}
          onClick={create}
          data-testid="conn-create"
        >
          Create connection
        </button>
        <a href="#/connections">Cancel</a>
      </div>
    </div>
  );
}

export function ActionCreate() {
  const conns = usePaged<Connection>("/api/v1/connections");
  const [name, setName] = useState("");
  const [connection, setConnection] = useState("");
  const [operation, setOperation] = useState("");
  const [description, setDescription] = useState("");
  const [parameters, setParameters] = useState("{}");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, run] = useBusy();
  const kind = conns.items.find((c) => c.name === connection)?.kind ?? "";
  const connector = useConnector(kind);
  const ops = Object.entries(connector.info?.operations ?? {});
  const op = connector.info?.operations?.[operation];

  const create = () =>
    run(async () => {
      const p = parseJson(parameters);
      if (!p.ok) return setErrors({ "/parameters": `not JSON: ${p.error}` });
      try {
        const a = await post<Action>("/api/v1/actions", {
          name,
          connection,
          operation,
          ...(description ? { description } : {}),
          ...(p.value !== null ? { parameters: p.value } : {}),
        });
        toast(`Action ${a.kind}.${a.name} created`);
        navigate(actionHref(a).slice(1));
      } catch (err) {
        setErrors(fieldErrors(err));
      }
    });

  return (
    <div className="console-page create-page" data-testid="action-create">
      <Crumbs items={[["Actions", "#/connections?tab=actions"], ["New action"]]} />
      <Panel title="New action">
        <div className="form-grid">
          <Field label="Name *" error={errors["/name"]} testId="act-name" hint="e.g. get-users">
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="act-name" />
          </Field>
          <Field label="Connection *" error={errorAt(errors, "/connection")} testId="act-connection">
            <select
              value={connection}
              onChange={(e) => (setConnection(e.target.value), setOperation(""))}
              data-testid="act-connection"
            >
              <option value="">choose a connection…</option>
              {conns.items.map((c) => <option key={c.name} value={c.name}>{c.name} ({c.kind})</option>)}
            </select>
          </Field>
          <Field
            label="Operation *"
            error={errorAt(errors, "/operation")}
            testId="act-operation"
            hint={op?.description}
          >
            <select
              value={operation}
              onChange={(e) => setOperation(e.target.value)}
              data-testid="act-operation"
            >
              <option value="">{kind ? "choose an operation…" : "choose a connection first"}</option>
              {ops.map(([o]) => <option key={o} value={o}>{o}</option>)}
            </select>
          </Field>
          <Field label="Description" error={errors["/description"]} testId="act-description">
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </div>
        <Field
          label="Parameters (JSON; the caller's input is merged over them)"
          error={errorAt(errors, "/parameters")}
          testId="act-parameters"
        >
          <JsonEditor value={parameters} onChange={setParameters} rows={6} testId="act-parameters" />
        </Field>
        {op?.input && (
          <details className="op-schema">
            <summary>{operation} input schema</summary>
            <pre className="code">{JSON.stringify(op.input, null, 2)}</pre>
          </details>
        )}
      </Panel>
      <FormErrors
        messages={unclaimed(errors, ["/name", "/connection", "/operation", "/description", "/parameters"])}
      />
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !name || !connection || !operation}
          onClick={create}
          data-testid="act-create"
        >
          Create action
        </button>
        <a href="#/connections?tab=actions">Cancel</a>
      </div>
    </div>
  );
}
