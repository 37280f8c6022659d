/**
 * One secret: metadata, rotation, versions with their stages. Operators and admins may reveal a
 * value (audited by the server); it is hidden again after REVEAL_SECONDS. Viewers get no button.
 */
import { useCallback, useEffect, useState } from "react";
import type { RevealedSecret, Secret, SecretVersion } from "../../../services/credvault/types.ts";
import { get, post } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import { ErrorLine } from "./resource.tsx";
import { useWhoami } from "./role.ts";
import { Chips, Crumbs, KeyValue, Panel, Pill, When } from "./ui.tsx";
import { rotationText } from "./secrets_page.tsx";

export const REVEAL_SECONDS = 10;

export function SecretDetail({ name }: { name: string }) {
  const base = `/api/v1/secrets/${encodeURIComponent(name)}`;
  const [secret, setSecret] = useState<Secret>();
  const [versions, setVersions] = useState<SecretVersion[]>([]);
  const [error, setError] = useState<string>();
  const me = useWhoami();
  const canReveal = me?.role === "operator" || me?.role === "admin";
  const load = useCallback(async () => {
    try {
      const [s, v] = await Promise.all([
        get<Secret>(base),
        get<{ items: SecretVersion[] }>(`${base}/versions`),
      ]);
      setSecret(s);
      setVersions([...v.items].sort((a, b) => b.seq - a.seq));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [base]);
  useEffect(() => void load(), [load]);
  const [revealed, setRevealed] = useState<RevealedSecret>();
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (!revealed) return;
    setLeft(REVEAL_SECONDS);
    const started = Date.now();
    const t = setInterval(() => {
      const remaining = REVEAL_SECONDS - Math.floor((Date.now() - started) / 1000);
      if (remaining <= 0) {
        setRevealed(undefined);
        clearInterval(t);
      } else setLeft(remaining);
    }, 250);
    return () => clearInterval(t);
  }, [revealed]);
  const reveal = async (versionId?: string) => {
    try {
      setRevealed(await post<RevealedSecret>(`${base}/reveal`, versionId ? { versionId } : {}));
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div className="console-page" data-testid="secret-detail">
      <Crumbs items={[["Secrets", "#/secrets"], [name]]} />
      <div className="console-head">
        <h2>{name}</h2>
        {secret && <Pill status="type">{secret.type}</Pill>}
        <span className="sub">{secret?.trn}</span>
      </div>
      <ErrorLine error={error} />
      {secret && (
        <>
          <Panel
            title="Secret value"
            testId="secret-value"
            actions={canReveal && !revealed && (
              <button
                type="button"
                className="small"
                onClick={() => reveal()}
                data-testid="reveal"
              >
                Reveal value
              </button>
            )}
          >
            {revealed
              ? (
                <div className="secret-value">
                  <span className="revealed" data-testid="revealed-value">
                    {typeof revealed.value === "string"
                      ? revealed.value
                      : JSON.stringify(revealed.value, null, 2)}
                  </span>
                  <span className="muted" data-testid="reveal-countdown">
                    version {revealed.versionId} ({revealed.stages.join(", ") || "no stage"}) · hidden in{" "}
                    {left} s
                  </span>
                  <button
                    type="button"
                    className="small"
                    onClick={() => setRevealed(undefined)}
                    data-testid="hide"
                  >
                    Hide
                  </button>
                </div>
              )
              : (
                <div className="secret-value">
                  <span className="masked" data-testid="masked-value">••••••••••••</span>
                  {me && !canReveal && (
                    <span className="note" data-testid="reveal-denied">
                      Your token ({me.name}, role {me.role}) cannot reveal values: it needs the operator role.
                    </span>
                  )}
                  {canReveal && (
                    <span className="muted">
                      Revealing is audited and the value hides again after {REVEAL_SECONDS} s.
                    </span>
                  )}
                </div>
              )}
          </Panel>
          <Panel title="Details">
            <KeyValue
              testId="secret-meta"
              rows={{
                "Type": secret.type,
                "Description": secret.description,
                "Versions": secret.versionCount,
                "Tags": <Chips items={Object.entries(secret.tags).map(([k, v]) => `${k}=${v}`)} />,
                "Created": <When iso={secret.createdAt} />,
                "Last changed": <When iso={secret.updatedAt} />,
                ...(secret.deletedAt
                  ? {
                    "Deletion": (
                      <span>
                        scheduled, purged <When iso={secret.purgeAt} />
                      </span>
                    ),
                  }
                  : {}),
              }}
            />
          </Panel>
          <Panel title="Rotation">
            <KeyValue
              rows={{
                "Rotation": rotationText(secret),
                "Next rotation": secret.nextRotationAt ? <When iso={secret.nextRotationAt} /> : "—",
                "Last rotated": secret.lastRotatedAt ? <When iso={secret.lastRotatedAt} /> : "never",
                "Last outcome": secret.lastRotation
                  ? (
                    <span>
                      <Pill status={secret.lastRotation.status} /> {secret.lastRotation.error ?? ""}
                    </span>
                  )
                  : "—",
                ...(secret.certificate
                  ? {
                    "Certificate": `${secret.certificate.subject} (issuer ${secret.certificate.issuer})`,
                    "Expires": (
                      <span>
                        <When iso={secret.certificate.notAfter} />{" "}
                        {secret.certificate.expired && <Pill status="failed">expired</Pill>}
                      </span>
                    ),
                  }
                  : {}),
                ...(secret.oauth
                  ? {
                    "Token expires": <When iso={secret.oauth.expiresAt} />,
                    "Refresh token": secret.oauth.hasRefreshToken ? "yes" : "no",
                  }
                  : {}),
              }}
            />
          </Panel>
          <Panel title={`Versions (${versions.length})`} testId="secret-versions">
            <Table
              rows={versions}
              testId="versions"
              columns={[
                ["#", (v) => v.seq],
                ["Version id", (v) => <code>{v.versionId}</code>],
                ["Stages", (v) =>
                  v.stages.length
                    ? (
                      <span className="chips">
                        {v.stages.map((s) => <Pill key={s} status={s}>{s}</Pill>)}
                      </span>
                    )
                    : <span className="muted">—</span>],
                ["State", (v) => <Pill status={v.state}>{v.state}</Pill>],
                ["Created", (v) => <When iso={v.createdAt} />],
                ["Created by", (v) => v.createdBy],
                ["", (v) =>
                  canReveal && (
                    <button
                      type="button"
                      className="small"
                      onClick={() => reveal(v.versionId)}
                    >
                      Reveal
                    </button>
                  )],
              ]}
            />
            {canReveal && <NewVersion base={base} onDone={load} />}
          </Panel>
        </>
      )}
    </div>
  );
}

function NewVersion({ base, onDone }: { base: string; onDone: () => void }) {
  const [value, setValue] = useState("");
  const [stage, setStage] = useState("current");
  const save = async () => {
    try {
      const v = await post<SecretVersion>(`${base}/versions`, { value, stage });
      toast(`Stored version ${v.seq} (${v.stages.join(", ") || "no stage"})`);
      setValue("");
      onDone();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div className="inline-form" style={{ marginTop: 10 }}>
      <label className="field">
        <span className="field-label">New version value</span>
        <input
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-testid="new-version-value"
          style={{ width: 280 }}
        />
      </label>
      <label className="field">
        <span className="field-label">Stage</span>
        <select value={stage} onChange={(e) => setStage(e.target.value)}>
          <option value="current">current</option>
          <option value="pending">pending</option>
          <option value="none">none</option>
        </select>
      </label>
      <button type="button" onClick={save} disabled={!value} data-testid="new-version-save">
        Store new version
      </button>
    </div>
  );
}
