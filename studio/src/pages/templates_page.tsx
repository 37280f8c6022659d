/** Workflow templates: list, open, create, delete. */
import { useEffect, useState } from "react";
import { del, get, type Page, qs } from "../api.ts";
import { navigate } from "../router.ts";
import { toast, toastError } from "../ui/toast.tsx";
import { Table } from "../ui/table.tsx";

interface TemplateInfo {
  name: string;
  trn: string;
  version: number;
  description?: string;
  updatedAt: string;
}

export function TemplatesPage() {
  const [items, setItems] = useState<TemplateInfo[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const load = async (token?: string) => {
    try {
      const page = await get<Page<TemplateInfo>>(
        `/api/v1/templates${qs({ limit: 50, nextToken: token })}`,
      );
      setItems((xs) => (token ? [...xs, ...page.items] : page.items));
      setNext(page.nextToken);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <div className="page">
      <div className="page-head">
        <h2>Workflows</h2>
        <button
          type="button"
          className="primary"
          data-testid="new-workflow"
          onClick={() => navigate("/workflows/new")}
        >
          + New workflow
        </button>
      </div>
      {error && <div className="field-error">{error}</div>}
      <Table
        rows={items}
        empty="No workflows yet."
        columns={[
          [
            "Name",
            (t) => (
              <a
                href={`#/workflows/${encodeURIComponent(t.name)}`}
                data-template={t.name}
              >
                {t.name}
              </a>
            ),
          ],
          ["Version", (t) => t.version],
          ["Description", (t) => t.description ?? ""],
          ["Updated", (t) => new Date(t.updatedAt).toLocaleString()],
          ["", (t) => (
            <span className="row">
              <a href={`#/executions?template=${encodeURIComponent(t.name)}`}>
                executions
              </a>
              <button
                type="button"
                className="danger small"
                onClick={async () => {
                  if (!confirm(`Delete workflow ${t.name}?`)) return;
                  try {
                    await del(
                      `/api/v1/templates/${encodeURIComponent(t.name)}`,
                    );
                    toast(`Deleted ${t.name}`);
                    load();
                  } catch (err) {
                    toastError(err);
                  }
                }}
              >
                Delete
              </button>
            </span>
          )],
        ]}
      />
      {next && <button type="button" onClick={() => load(next)}>Load more</button>}
    </div>
  );
}
