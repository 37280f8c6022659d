/** Diffs: every edit is a list of add/update/remove operations on records, each invertible. */
import type { Rec, Records } from "./types.ts";

export type Op =
  | { op: "add"; id: string; after: Rec }
  | { op: "remove"; id: string; before: Rec }
  | { op: "update"; id: string; before: Rec; after: Rec };
export type Diff = Op[];

export function applyDiff(records: Records, diff: Diff): Records {
  if (!diff.length) return records;
  const out: Record<string, Rec> = { ...records };
  for (const op of diff) {
    if (op.op === "remove") delete out[op.id];
    else out[op.id] = op.after;
  }
  return out;
}

export function invertDiff(diff: Diff): Diff {
  const out: Diff = [];
  for (let i = diff.length - 1; i >= 0; i--) {
    const op = diff[i];
    if (op.op === "add") {
      out.push({ op: "remove", id: op.id, before: op.after });
    } else if (op.op === "remove") {
      out.push({ op: "add", id: op.id, after: op.before });
    } else {out.push({
        op: "update",
        id: op.id,
        before: op.after,
        after: op.before,
      });}
  }
  return out;
}

/** Folds a sequence of diffs into one (first before, last after per record; no-ops dropped). */
export function squashDiffs(diffs: Diff[]): Diff {
  const first = new Map<string, Rec | undefined>();
  const last = new Map<string, Rec | undefined>();
  for (const diff of diffs) {
    for (const op of diff) {
      if (!first.has(op.id)) {
        first.set(op.id, op.op === "add" ? undefined : op.before);
      }
      last.set(op.id, op.op === "remove" ? undefined : op.after);
    }
  }
  const out: Diff = [];
  for (const [id, before] of first) {
    const after = last.get(id);
    if (before === after) continue;
    if (!before) out.push({ op: "add", id, after: after! });
    else if (!after) out.push({ op: "remove", id, before });
    else out.push({ op: "update", id, before, after });
  }
  return out;
}

/** The diff that turns `a` into `b` (used when code mode replaces the whole document). */
export function diffRecords(a: Records, b: Records): Diff {
  const out: Diff = [];
  for (const [id, before] of Object.entries(a)) {
    const after = b[id];
    if (!after) out.push({ op: "remove", id, before });
    else if (
      after !== before && JSON.stringify(after) !== JSON.stringify(before)
    ) {
      out.push({ op: "update", id, before, after });
    }
  }
  for (const [id, after] of Object.entries(b)) {
    if (!(id in a)) out.push({ op: "add", id, after });
  }
  return out;
}
