/**
 * Graph invariants checked after every transaction. A transaction may not introduce a violation
 * that was not there before (so a document imported with problems stays editable), and a new
 * violation rolls the whole transaction back.
 */
import { nameIndex, references } from "./graph.ts";
import { CHAINED_TYPES, type NodeRec, type Records, TERMINAL_TYPES } from "./types.ts";

export interface Violation {
  code:
    | "entry-missing"
    | "empty-scope"
    | "dangling-reference"
    | "missing-transition"
    | "next-and-end"
    | "terminal-with-next"
    | "router-no-default"
    | "duplicate-name";
  /** The offending node or scope id. */
  id: string;
  message: string;
  /** Stable identity used to compare violations before and after a transaction. */
  key: string;
}

export function checkInvariants(records: Records): Violation[] {
  const out: Violation[] = [];
  const add = (
    code: Violation["code"],
    id: string,
    message: string,
    detail = "",
  ) => out.push({ code, id, message, key: `${code}|${id}|${detail}` });
  const seen = new Map<string, string>();
  for (const rec of Object.values(records)) {
    if (rec.kind !== "scope") continue;
    const names = nameIndex(records, rec.id);
    const where = rec.slot === "root" ? "the workflow" : `a ${rec.slot}`;
    if (rec.order.length === 0) {
      add("empty-scope", rec.id, `${where} needs at least one state`);
    } else if (!names.has(rec.entry)) {
      add(
        "entry-missing",
        rec.id,
        `the entry '${rec.entry}' of ${where} is not one of its states`,
        rec.entry,
      );
    }
    for (const nid of rec.order) {
      const node = records[nid] as NodeRec;
      const prior = seen.get(node.name);
      if (prior) {
        add(
          "duplicate-name",
          nid,
          `the state name '${node.name}' is used twice`,
          node.name,
        );
      }
      seen.set(node.name, nid);
      const def = node.def;
      for (const ref of references(def)) {
        if (!names.has(ref.target)) {
          add(
            "dangling-reference",
            nid,
            `'${node.name}' ${ref.kind} points to '${ref.target}', which is not a state here`,
            `${ref.kind}:${ref.target}`,
          );
        }
      }
      if (CHAINED_TYPES.has(def.type)) {
        const hasNext = typeof def.next === "string";
        if (hasNext && def.end === true) {
          add("next-and-end", nid, `'${node.name}' has both next and end`);
        }
        if (!hasNext && def.end !== true) {
          add(
            "missing-transition",
            nid,
            `'${node.name}' needs a next state or end: true`,
          );
        }
      } else if (TERMINAL_TYPES.has(def.type)) {
        if ("next" in def || "end" in def) {
          add(
            "terminal-with-next",
            nid,
            `'${node.name}' is a ${def.type} state and cannot have next/end`,
          );
        }
      } else if (def.type === "router") {
        if (typeof def.default !== "string") {
          add(
            "router-no-default",
            nid,
            `router '${node.name}' needs a default`,
          );
        }
        if ("next" in def || "end" in def) {
          add(
            "terminal-with-next",
            nid,
            `router '${node.name}' continues through routes, not next/end`,
          );
        }
      }
    }
  }
  return out;
}

/** The violations in `after` that were not in `before`. */
export function newViolations(
  before: Violation[],
  after: Violation[],
): Violation[] {
  const known = new Set(before.map((v) => v.key));
  return after.filter((v) => !known.has(v.key));
}
