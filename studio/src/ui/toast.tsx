/** Toast messages (errors of rejected edits, saves, runs). */
import { useEffect, useState } from "react";

interface Toast {
  id: number;
  kind: "error" | "info";
  text: string;
}
const listeners = new Set<(t: Toast) => void>();
let seq = 0;

export function toast(text: string, kind: "error" | "info" = "info") {
  const t = { id: ++seq, kind, text };
  for (const fn of listeners) fn(t);
}

export function toastError(err: unknown) {
  toast(err instanceof Error ? err.message : String(err), "error");
}

export function Toasts() {
  const [items, setItems] = useState<Toast[]>([]);
  useEffect(() => {
    const fn = (t: Toast) => {
      setItems((xs) => [...xs.slice(-3), t]);
      setTimeout(
        () => setItems((xs) => xs.filter((x) => x.id !== t.id)),
        t.kind === "error" ? 6000 : 3000,
      );
    };
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return (
    <div className="toasts" role="status">
      {items.map((t) => <div key={t.id} className={`toast toast-${t.kind}`}>{t.text}</div>)}
    </div>
  );
}
