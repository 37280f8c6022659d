/** A plain table: columns are [header, cell renderer]. */
import type { ReactNode } from "react";

export function Table<T>(props: {
  rows: T[];
  columns: Array<[string, (row: T, i: number) => ReactNode]>;
  empty?: string;
  onRow?: (row: T) => void;
  rowClass?: (row: T) => string;
  testId?: string;
}) {
  if (!props.rows.length) {
    return <p className="muted">{props.empty ?? "Nothing here."}</p>;
  }
  return (
    <table className="table" data-testid={props.testId}>
      <thead>
        <tr>{props.columns.map(([h], i) => <th key={i}>{h}</th>)}</tr>
      </thead>
      <tbody>
        {props.rows.map((r, i) => (
          <tr
            key={i}
            className={`${props.onRow ? "clickable " : ""}${props.rowClass?.(r) ?? ""}`}
            onClick={() => props.onRow?.(r)}
          >
            {props.columns.map(([, cell], j) => <td key={j}>{cell(r, i)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Pretty JSON block. */
export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{value === undefined ? "—" : JSON.stringify(value, null, 2)}</pre>;
}
