/** Binds the model editor to React: re-render on every document change. */
import { useSyncExternalStore } from "react";
import type { Doc, Editor } from "../model/mod.ts";

export function useDoc(editor: Editor): Doc {
  return useSyncExternalStore(
    (fn) => editor.subscribe(fn),
    () => editor.doc,
  );
}
