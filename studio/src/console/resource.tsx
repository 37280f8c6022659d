/** Generic console building blocks: a paged list that shows whatever fields the API returns. */
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { get, type Page, qs } from "../api.ts";
import { JsonBlock, Table } from "../ui/table.tsx";

export function cell(v: unknown): ReactNode {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "object") {
    return <code>{JSON.stringify(v).slice(0, 80)}</code>;
  }
  const s = String(v);
  return /^\d{4}-\d\d-\d\dT/.test(s) ? new Date(s).toLocaleString() : s;
}

/** Loads a paged list; returns items, a reload and a loadMore. */
export function usePaged<T>(
  path: string | undefined,
  params: Record<string, string | undefined> = {},
) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const key = JSON.stringify(params);
  const load = useCallback(async (token?: string) => {
    if (!path) return;
    try {
      const page = await get<Page<T>>(
        `${path}${qs({ ...params, limit: "100", nextToken: token })}`,
      );
      setItems((
        xs,
      ) => (token ? [...xs, ...(page.items ?? [])] : page.items ?? []));
      setNext(page.nextToken);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
      setItems([]);
    }
  }, [path, key]);
  useEffect(() => void load(), [load]);
  return {
    items,
    error,
    reload: () => load(),
    more: next ? () => load(next) : undefined,
  };
}

/** A table of items with the given columns first, then other scalar fields. */
export function ResourceList<T extends Record<string, unknown>>(props: {
  items: T[];
  columns?: string[];
  actions?: (row: T) => ReactNode;
  onRow?: (row: T) => void;
  testId?: string;
  empty?: string;
}) {
  const first = props.items[0] ?? {};
  const keys = props.columns ??
    Object.keys(first).filter((k) => typeof first[k] !== "object" || first[k] === null).slice(0, 7);
  const columns: Array<[string, (row: T) => ReactNode]> = keys.map((
    k,
  ) => [k, (r: T) => cell(r[k])]);
  if (props.actions) columns.push(["", props.actions]);
  return (
    <Table
      rows={props.items}
      columns={columns}
      onRow={props.onRow}
      testId={props.testId}
      empty={props.empty}
    />
  );
}

export function Detail(
  { title, value, children }: {
    title: string;
    value?: unknown;
    children?: ReactNode;
  },
) {
  return (
    <div className="card">
      <h4>{title}</h4>
      {children}
      {value !== undefined && <JsonBlock value={value} />}
    </div>
  );
}

export function ErrorLine({ error }: { error?: string }) {
  return error ? <div className="field-error">{error}</div> : null;
}
