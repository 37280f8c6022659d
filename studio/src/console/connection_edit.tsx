/**
 * Edit a connection in place (PUT /api/v1/connections/{ref}): description, credential reference and
 * settings, prefilled with the current values, in the same settings form as a new connection (name and
 * kind are fixed). Errors sit by their field and in a toast; Cancel drops the draft.
 */
import { useState } from "react";
import type { Connection } from "../../../services/openact/types.ts";
import { put } from "../api.ts";
import { toast } from "../ui/toast.tsx";
import {
  errorAt,
  Field,
  type FieldErrors,
  fieldErrors,
  FormErrors,
  SecretPicker,
  toastNotSaved,
  unclaimed,
} from "./form.tsx";
import { settingsDraft, SettingsPanel, settingsToSend, useConnector } from "./connection_settings.tsx";
import { Panel, useBusy } from "./ui.tsx";

/** The secret name in a credential TRN (trn:credvault:t:credential/NAME); other text as it is. */
export function credentialName(trn: string | null): string {
  if (!trn) return "";
  return /credential\/(.+)$/.exec(trn)?.[1] ?? trn;
}

export function ConnectionEdit(
  { conn, onSaved, onCancel }: { conn: Connection; onSaved: (c: Connection) => void; onCancel: () => void },
) {
  const connector = useConnector(conn.kind);
  const [description, setDescription] = useState(conn.description);
  const [credential, setCredential] = useState(credentialName(conn.credential));
  const [settings, setSettings] = useState(() => settingsDraft(conn.settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, run] = useBusy();

  const fail = (e: FieldErrors) => (setErrors(e), toastNotSaved(`Connection ${conn.name}`, e));
  const save = () =>
    run(async () => {
      const body = settingsToSend(settings, connector);
      if ("errors" in body) return fail(body.errors);
      const unchanged = credential === credentialName(conn.credential);
      try {
        const c = await put<Connection>(`/api/v1/connections/${encodeURIComponent(conn.name)}`, {
          description,
          settings: body.settings,
          ...(unchanged ? {} : { credential: credential || null }),
        });
        setErrors({});
        toast(`Connection ${c.name} saved (version ${c.version})`);
        onSaved(c);
      } catch (err) {
        fail(fieldErrors(err));
      }
    });

  return (
    <div className="edit-form" data-testid="connection-edit">
      <Panel title={`Edit connection ${conn.name}`}>
        <div className="form-grid">
          <Field label="Description" error={errors["/description"]} testId="conn-edit-description">
            <input
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              data-testid="conn-edit-description"
            />
          </Field>
          <Field
            label="Credential"
            error={errorAt(errors, "/credential")}
            testId="conn-edit-credential"
            hint="a CredVault secret; its value never leaves the server"
          >
            <SecretPicker value={credential} onChange={setCredential} testId="conn-edit-credential" />
          </Field>
        </div>
      </Panel>
      <SettingsPanel
        kind={conn.kind}
        connector={connector}
        draft={settings}
        onChange={setSettings}
        errors={errors}
        testId="conn-edit"
      />
      <FormErrors messages={unclaimed(errors, ["/description", "/credential", "/settings"])} />
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || (!connector.info && !connector.error)}
          onClick={save}
          data-testid="conn-edit-save"
        >
          {busy ? "Saving…" : "Save changes"}
        </button>
        <button type="button" onClick={onCancel} data-testid="conn-edit-cancel">Cancel</button>
      </div>
    </div>
  );
}
