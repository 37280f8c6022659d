/** Derived graph facts: edges from state references, name lookups, reference rewriting. */
import {
  type Doc,
  type Edge,
  type EdgeKind,
  type Json,
  type JsonObject,
  type NodeRec,
  type Records,
  ROOT,
  type ScopeRec,
  type StateDef,
} from "./types.ts";

export function nodeOf(records: Records, id: string): NodeRec | undefined {
  const r = records[id];
  return r?.kind === "node" ? r : undefined;
}

export function scopeOf(records: Records, id: string): ScopeRec | undefined {
  const r = records[id];
  return r?.kind === "scope" ? r : undefined;
}

/** name → node id within one scope. */
export function nameIndex(
  records: Records,
  scopeId: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of scopeOf(records, scopeId)?.order ?? []) {
    const n = records[id] as NodeRec;
    out.set(n.name, id);
  }
  return out;
}

/** Every (kind, target name) a state references, in a stable order. */
export function references(
  def: StateDef,
): Array<{ kind: EdgeKind; target: string; label?: string }> {
  const out: Array<{ kind: EdgeKind; target: string; label?: string }> = [];
  if (typeof def.next === "string") {
    out.push({ kind: "next", target: def.next });
  }
  if (def.type === "router") {
    if (Array.isArray(def.routes)) {
      def.routes.forEach((r, i) => {
        if (
          r && typeof r === "object" && !Array.isArray(r) &&
          typeof r.next === "string"
        ) {
          const label = typeof r.condition === "string" ? r.condition : undefined;
          out.push({ kind: `route:${i}`, target: r.next, label });
        }
      });
    }
    if (typeof def.default === "string") {
      out.push({ kind: "default", target: def.default, label: "default" });
    }
  }
  if (Array.isArray(def.catch)) {
    def.catch.forEach((c, i) => {
      if (
        c && typeof c === "object" && !Array.isArray(c) &&
        typeof c.next === "string"
      ) {
        const errs = Array.isArray(c.errors) ? c.errors.join(", ") : "catch";
        out.push({
          kind: `catch:${i}`,
          target: c.next,
          label: `catch ${errs}`,
        });
      }
    });
  }
  return out;
}

/** The edges of one scope (or of the whole document when scopeId is omitted). */
export function edges(doc: Doc, scopeId?: string): Edge[] {
  const out: Edge[] = [];
  const scopes = scopeId
    ? [scopeId]
    : Object.values(doc.records).filter((r) => r.kind === "scope").map((r) => r.id);
  for (const sid of scopes) {
    const names = nameIndex(doc.records, sid);
    for (const nid of scopeOf(doc.records, sid)?.order ?? []) {
      const node = doc.records[nid] as NodeRec;
      for (const ref of references(node.def)) {
        const target = names.get(ref.target);
        if (!target) continue;
        out.push({
          id: `${nid}->${ref.kind}`,
          source: nid,
          target,
          kind: ref.kind,
          scope: sid,
          label: ref.label,
        });
      }
    }
  }
  return out;
}

/** The name an edge of `def` currently points at. */
export function targetOf(def: StateDef, kind: EdgeKind): string | undefined {
  if (kind === "next") {
    return typeof def.next === "string" ? def.next : undefined;
  }
  if (kind === "default") {
    return typeof def.default === "string" ? def.default : undefined;
  }
  const [k, i] = kind.split(":");
  const list = def[k === "route" ? "routes" : "catch"];
  const item = Array.isArray(list) ? list[Number(i)] : undefined;
  return item && typeof item === "object" && !Array.isArray(item) &&
      typeof item.next === "string"
    ? item.next
    : undefined;
}

/**
 * Rewrites the references of a state: fn returns the new target name, the same name to keep it,
 * or null to drop the reference (a next becomes `end: true`, a route or catch is removed, a
 * default is deleted). Returns the same object when nothing changed.
 */
export function mapReferences(
  def: StateDef,
  fn: (target: string, kind: EdgeKind) => string | null,
): StateDef {
  let changed = false;
  const out: JsonObject = { ...def };
  if (typeof def.next === "string") {
    const t = fn(def.next, "next");
    if (t !== def.next) {
      changed = true;
      if (t === null) {
        delete out.next;
        out.end = true;
      } else out.next = t;
    }
  }
  if (typeof def.default === "string" && def.type === "router") {
    const t = fn(def.default, "default");
    if (t !== def.default) {
      changed = true;
      if (t === null) delete out.default;
      else out.default = t;
    }
  }
  for (
    const [key, prefix] of [["routes", "route"], ["catch", "catch"]] as const
  ) {
    const list = def[key];
    if (!Array.isArray(list) || (key === "routes" && def.type !== "router")) {
      continue;
    }
    const next: Json[] = [];
    let listChanged = false;
    list.forEach((item, i) => {
      if (
        item && typeof item === "object" && !Array.isArray(item) &&
        typeof item.next === "string"
      ) {
        const t = fn(item.next, `${prefix}:${i}` as EdgeKind);
        if (t === null) {
          listChanged = true;
          return;
        }
        if (t !== item.next) {
          listChanged = true;
          next.push({ ...item, next: t });
          return;
        }
      }
      next.push(item);
    });
    if (listChanged) {
      changed = true;
      if (next.length || key === "routes") out[key] = next;
      else delete out[key];
    }
  }
  return changed ? out as StateDef : def;
}

/** Every scope id under a node (its branches/processor and theirs, recursively). */
export function descendantScopes(records: Records, nodeId: string): string[] {
  const out: string[] = [];
  const walk = (nid: string) => {
    for (const sid of nodeOf(records, nid)?.children ?? []) {
      out.push(sid);
      for (const child of scopeOf(records, sid)?.order ?? []) walk(child);
    }
  };
  walk(nodeId);
  return out;
}

/** All state names in the document (names are kept unique across nested scopes). */
export function allNames(records: Records): Set<string> {
  const out = new Set<string>();
  for (const r of Object.values(records)) {
    if (r.kind === "node") out.add(r.name);
  }
  return out;
}

export function uniqueName(taken: Set<string>, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_-]/g, "") || "State";
  if (!taken.has(clean)) return clean;
  for (let i = 2;; i++) if (!taken.has(`${clean}${i}`)) return `${clean}${i}`;
}

/** The scope chain from the root down to a scope (for breadcrumbs and group layout). */
export function scopeDepth(records: Records, scopeId: string): number {
  let depth = 0;
  let s = scopeOf(records, scopeId);
  while (s && s.id !== ROOT && s.owner) {
    depth++;
    s = scopeOf(records, (records[s.owner] as NodeRec).scope);
  }
  return depth;
}
