/** Triggers: list, enable/disable, history of firings, next fire times. */
import { useEffect, useState } from "react";
import { get, post } from "../api.ts";
import { navigate } from "../router.ts";
import { toast, toastError } from "../ui/toast.tsx";
import { Detail, ErrorLine, ResourceList, usePaged } from "./resource.tsx";

export function TriggersPage({ name }: { name?: string }) {
  const list = usePaged<Record<string, unknown>>("/api/v1/triggers");
  const toggle = async (t: Record<string, unknown>) => {
    try {
      await post(
        `/api/v1/triggers/${encodeURIComponent(String(t.name))}/${t.enabled ? "disable" : "enable"}`,
      );
      toast(`${t.name} ${t.enabled ? "disabled" : "enabled"}`);
      list.reload();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div className="page split-page">
      <div className="list-pane">
        <h2>Triggers</h2>
        <ErrorLine error={list.error} />
        <ResourceList
          items={list.items}
          testId="triggers"
          columns={["name", "type", "enabled", "target", "updatedAt"]}
          onRow={(t) => navigate(`/triggers/${encodeURIComponent(String(t.name))}`)}
          actions={(t) => (
            <button
              type="button"
              className="small"
              onClick={(e) => {
                e.stopPropagation();
                toggle(t);
              }}
            >
              {t.enabled ? "Disable" : "Enable"}
            </button>
          )}
          empty="No triggers yet."
        />
      </div>
      {name && <TriggerDetail key={name} name={name} />}
    </div>
  );
}

function TriggerDetail({ name }: { name: string }) {
  const base = `/api/v1/triggers/${encodeURIComponent(name)}`;
  const [trigger, setTrigger] = useState<Record<string, unknown>>();
  const [preview, setPreview] = useState<unknown>();
  const history = usePaged<Record<string, unknown>>(`${base}/history`);
  const [error, setError] = useState<string>();
  useEffect(() => {
    get<Record<string, unknown>>(base).then((t) => {
      setTrigger(t);
      if (t.type === "schedule") {
        get(`${base}/preview?count=5`).then(setPreview).catch(() => {});
      }
    }).catch((e) => setError(e.message));
  }, [base]);
  return (
    <div className="detail-pane">
      <h3>{name}</h3>
      <ErrorLine error={error} />
      <Detail title="Trigger" value={trigger} />
      {preview !== undefined && <Detail title="Next fire times" value={preview} />}
      <Detail title="History">
        <ResourceList items={history.items} empty="Never fired." />
      </Detail>
    </div>
  );
}
