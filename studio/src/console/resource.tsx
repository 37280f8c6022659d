/** Console data helpers: a paged list loader ({items, nextToken}) and an error line. */
import { useCallback, useEffect, useState } from "react";
import { get, type Page, qs } from "../api.ts";

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
      setItems((xs) => (token ? [...xs, ...(page.items ?? [])] : page.items ?? []));
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
    reload: () => void load(),
    more: next ? () => void load(next) : undefined,
  };
}

export function ErrorLine({ error }: { error?: string }) {
  return error ? <div className="field-error">{error}</div> : null;
}
