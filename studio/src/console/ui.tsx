/**
 * Console building blocks: relative times, status pills, key/value panels, tabs, breadcrumbs,
 * a JSON text editor with a validity line and a log viewer. Styles in console.css.
 */
import "./console.css";
import { type ReactNode, useState } from "react";

export function relTime(iso?: string | null, now = Date.now()): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  const unit = abs < 60
    ? [abs, "s"]
    : abs < 3600
    ? [Math.round(abs / 60), "min"]
    : abs < 86400 * 2
    ? [Math.round(abs / 3600), "h"]
    : [Math.round(abs / 86400), "d"];
  if (abs < 5) return "just now";
  return s < 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

/** A timestamp shown as local time with the relative time; the full ISO text on hover. */
export function When({ iso, relative = true }: { iso?: string | null; relative?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  const local = new Date(iso).toLocaleString();
  return (
    <time dateTime={iso} title={iso} className="when">
      {local}
      {relative && <span className="muted">({relTime(iso)})</span>}
    </time>
  );
}

export function Pill({ status, children }: { status: string; children?: ReactNode }) {
  return (
    <span className={`pill status-${status.toLowerCase()}`} data-status={status}>{children ?? status}</span>
  );
}

export function bytes(n?: number | null): string {
  if (n === undefined || n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function ms(n?: number | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return "—";
  return n < 10 ? `${n.toFixed(2)} ms` : n < 1000 ? `${n.toFixed(0)} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** A definition list: label/value rows in a two-column grid. */
export function KeyValue({ rows, testId }: { rows: Record<string, ReactNode>; testId?: string }) {
  return (
    <dl className="kv" data-testid={testId}>
      {Object.entries(rows).map(([k, v]) => (
        <div key={k} className="kv-row" data-key={k}>
          <dt>{k}</dt>
          <dd>{v === undefined || v === null || v === "" ? <span className="muted">—</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Panel(
  { title, actions, children, testId }: {
    title: ReactNode;
    actions?: ReactNode;
    children: ReactNode;
    testId?: string;
  },
) {
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h3>{title}</h3>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function Tabs(
  { tabs, active, onChange }: {
    tabs: Array<[string, string]>;
    active: string;
    onChange: (id: string) => void;
  },
) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={id === active}
          className={id === active ? "tab active" : "tab"}
          data-tab={id}
          onClick={() => onChange(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** Breadcrumbs: [label, href?] — the last one is the current page. */
export function Crumbs({ items }: { items: Array<[string, string?]> }) {
  return (
    <div className="breadcrumbs">
      {items.map(([label, href], i) => (
        <span key={i}>
          {i > 0 && <span className="sep">›</span>}
          {href ? <a href={href}>{label}</a> : <b>{label}</b>}
        </span>
      ))}
    </div>
  );
}

export function Chips({ items, empty = "—" }: { items: string[]; empty?: string }) {
  if (!items.length) return <span className="muted">{empty}</span>;
  return (
    <span className="chips">
      {items.map((x) => <span key={x} className="chip">{x}</span>)}
    </span>
  );
}

/** Parses JSON text; returns the value or the parse error message. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** A JSON text area that says whether its text parses, with a Format button. */
export function JsonEditor(
  { value, onChange, rows = 8, testId }: {
    value: string;
    onChange: (text: string) => void;
    rows?: number;
    testId?: string;
  },
) {
  const parsed = parseJson(value);
  return (
    <div className="json-editor">
      <textarea
        className={`code${parsed.ok ? "" : " invalid"}`}
        rows={rows}
        spellCheck={false}
        value={value}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="json-editor-foot">
        {parsed.ok
          ? <span className="validity good">✓ valid JSON</span>
          : <span className="validity bad">{parsed.error}</span>}
        <span className="spacer" />
        <button
          type="button"
          className="link"
          disabled={!parsed.ok}
          onClick={() => parsed.ok && onChange(JSON.stringify(parsed.value, null, 2))}
        >
          Format
        </button>
      </div>
    </div>
  );
}

export interface LogLine {
  key: string | number;
  time?: string;
  level?: string;
  requestId?: string;
  message: string;
}

/** Monospace log lines; START/END/REPORT lines are dimmed, errors red. */
export function LogView(
  { lines, testId, onRequest, empty = "No log lines." }: {
    lines: LogLine[];
    testId?: string;
    onRequest?: (id: string) => void;
    empty?: string;
  },
) {
  if (!lines.length) return <p className="muted" data-testid={testId}>{empty}</p>;
  return (
    <div className="logview" data-testid={testId}>
      {lines.map((l) => (
        <div key={l.key} className={`logline level-${(l.level ?? "log").toLowerCase()}`}>
          {l.time && <span className="log-time">{new Date(l.time).toLocaleTimeString()}</span>}
          {l.requestId && (
            <button
              type="button"
              className="log-req link"
              title={`only request ${l.requestId}`}
              onClick={() => onRequest?.(l.requestId!)}
            >
              {l.requestId.slice(-8)}
            </button>
          )}
          <span className="log-msg">{l.message}</span>
        </div>
      ))}
    </div>
  );
}

/** A small hook for a busy flag around an async action; errors go to the caller. */
export function useBusy(): [boolean, <T>(fn: () => Promise<T>) => Promise<T | undefined>] {
  const [busy, setBusy] = useState(false);
  const run = async <T,>(fn: () => Promise<T>) => {
    setBusy(true);
    try {
      return await fn();
    } finally {
      setBusy(false);
    }
  };
  return [busy, run];
}

/** A short hash with the full value on hover. */
export function Hash({ value, n = 12 }: { value?: string | null; n?: number }) {
  if (!value) return <span className="muted">—</span>;
  return <code title={value}>{value.slice(0, n)}</code>;
}

export function Tile(
  { label, value, sub, bad, ok, testId }: {
    label: string;
    value: string | number;
    sub?: string;
    bad?: boolean;
    ok?: boolean;
    testId?: string;
  },
) {
  return (
    <div className={`tile${bad ? " bad" : ok ? " ok" : ""}`} data-testid={testId} data-label={label}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {sub && <div className="tile-sub">{sub}</div>}
    </div>
  );
}
