/** The editor's problem list: save errors and live validation diagnostics, each once. */
import type { Diagnostic } from "../api.ts";

export function Problems({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (!diagnostics.length) return null;
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const k = `${d.path}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return (
    <div className="problems" data-testid="problems">
      <h4>Problems</h4>
      <ul>
        {unique.map((d, i) => (
          <li key={i} className={d.severity}>
            <code>{d.path || "/"}</code> {d.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
