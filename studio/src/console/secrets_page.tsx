/** Secrets: metadata and versions (never values); reveal for roles the server allows (audited). */
import { useEffect, useState } from "react";
import { get, post } from "../api.ts";
import { navigate } from "../router.ts";
import { JsonBlock } from "../ui/table.tsx";
import { Detail, ErrorLine, ResourceList, usePaged } from "./resource.tsx";

export function SecretsPage({ name }: { name?: string }) {
  const list = usePaged<Record<string, unknown>>("/api/v1/secrets");
  return (
    <div className="page split-page">
      <div className="list-pane">
        <h2>Secrets</h2>
        <ErrorLine error={list.error} />
        <ResourceList
          items={list.items}
          testId="secrets"
          columns={[
            "name",
            "type",
            "description",
            "rotationEnabled",
            "updatedAt",
          ]}
          onRow={(s) => navigate(`/secrets/${encodeURIComponent(String(s.name))}`)}
          empty="No secrets yet."
        />
      </div>
      {name && <SecretDetail key={name} name={name} />}
    </div>
  );
}

function SecretDetail({ name }: { name: string }) {
  const base = `/api/v1/secrets/${encodeURIComponent(name)}`;
  const [meta, setMeta] = useState<unknown>();
  const versions = usePaged<Record<string, unknown>>(`${base}/versions`);
  const [revealed, setRevealed] = useState<unknown>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    get(base).then(setMeta).catch((e) => setError(e.message));
  }, [base]);
  const reveal = async () => {
    try {
      setRevealed(await post(`${base}/reveal`, {}));
    } catch (err) {
      setRevealed(undefined);
      setError(`reveal refused: ${(err as Error).message}`);
    }
  };
  return (
    <div className="detail-pane">
      <h3>{name}</h3>
      <ErrorLine error={error} />
      <Detail title="Metadata" value={meta} />
      <Detail title="Versions">
        <ResourceList items={versions.items} />
      </Detail>
      <Detail title="Value">
        {revealed === undefined
          ? (
            <button
              type="button"
              className="small"
              onClick={reveal}
              data-testid="reveal"
            >
              Reveal (audited)
            </button>
          )
          : (
            <>
              <JsonBlock value={revealed} />
              <button
                type="button"
                className="small"
                onClick={() => setRevealed(undefined)}
              >
                Hide
              </button>
            </>
          )}
      </Detail>
    </div>
  );
}
