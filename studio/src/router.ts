/** Hash routing (#/workflows/x): works from any static path, including the compiled binary. */
import { useSyncExternalStore } from "react";

export function navigate(path: string) {
  location.hash = path;
}

function subscribe(fn: () => void) {
  addEventListener("hashchange", fn);
  return () => removeEventListener("hashchange", fn);
}

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  const raw = hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  return {
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(query),
  };
}
