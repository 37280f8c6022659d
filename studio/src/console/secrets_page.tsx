/** Secrets: metadata only in the list (never values); the detail page has versions, stages and reveal. */
import { useState } from "react";
import type { Secret } from "../../../services/credvault/types.ts";
import { navigate } from "../router.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine, usePaged } from "./resource.tsx";
import { Pill, When } from "./ui.tsx";
import { SecretDetail } from "./secret_detail.tsx";

export function SecretsPage({ name }: { name?: string }) {
  return name ? <SecretDetail key={name} name={name} /> : <SecretList />;
}

/** How the secret rotates, in words. */
export function rotationText(s: Secret): string {
  if (!s.rotation) return "off";
  const how = s.rotation.function ? `by ${s.rotation.function}` : "random value";
  const when = s.rotation.every
    ? `every ${s.rotation.every}`
    : s.rotation.cron
    ? `cron ${s.rotation.cron}`
    : "on demand";
  return `${when}, ${how}`;
}

function SecretList() {
  const list = usePaged<Secret>("/api/v1/secrets");
  const [filter, setFilter] = useState("");
  const rows = list.items.filter((s) => !filter || s.name.includes(filter));
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Secrets</h2>
        <span className="muted">({list.items.length})</span>
        <span className="spacer" />
        <input
          placeholder="Filter by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <p className="note">
        Values are never listed. Open a secret to see its versions; revealing a value is audited.
      </p>
      <ErrorLine error={list.error} />
      <Table
        rows={rows}
        testId="secrets"
        empty="No secrets yet. Create one with: aio secret create NAME --value …"
        onRow={(s) => navigate(`/secrets/${encodeURIComponent(s.name)}`)}
        columns={[
          ["Secret name", (s) => <a href={`#/secrets/${encodeURIComponent(s.name)}`}>{s.name}</a>],
          ["Type", (s) => <Pill status="type">{s.type}</Pill>],
          ["Description", (s) => s.description || <span className="muted">—</span>],
          ["Versions", (s) => s.versionCount],
          ["Stages", (s) =>
            (["current", "pending", "previous"] as const).filter((st) =>
              s.stages[st]
            ).map((st) => <Pill key={st} status={st}>{st}</Pill>)],
          ["Rotation", (s) =>
            rotationText(s)],
          [
            "Last rotated",
            (s) => (s.lastRotatedAt ? <When iso={s.lastRotatedAt} /> : <span className="muted">never</span>),
          ],
          ["Last changed", (s) => <When iso={s.updatedAt} />],
          ["", (s) => (s.deletedAt ? <Pill status="failed">scheduled for deletion</Pill> : null)],
        ]}
      />
      {list.more && <button type="button" onClick={list.more}>Load more</button>}
    </div>
  );
}
