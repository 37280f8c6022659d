/**
 * DSL ⇄ document. The conversion is lossless for every DSL: unknown members stay where they were,
 * and a parallel/map whose branches/processor are not well-formed is kept verbatim in the state.
 * `previous` lets a re-import (code mode) keep node ids and positions of states that still exist.
 */
import {
  type Doc,
  type Json,
  type JsonObject,
  type MetaRec,
  ModelError,
  type NodeRec,
  type Rec,
  ROOT,
  type ScopeRec,
  type StateDef,
  type WorkflowDsl,
} from "./types.ts";

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStateMap(
  v: unknown,
): v is { entry: string; states: Record<string, JsonObject> } {
  return isObject(v) && typeof v.entry === "string" && isObject(v.states) &&
    Object.values(v.states).every((s) => isObject(s) && typeof s.type === "string");
}

/** The slot path of a scope, stable across re-imports: "root", "Par#b0", "Map#p". */
function scopeKey(records: Records, scope: ScopeRec): string {
  if (!scope.owner) return ROOT;
  const owner = records[scope.owner] as NodeRec;
  const ownerKey = nodeKey(records, owner);
  const index = owner.children?.indexOf(scope.id) ?? 0;
  return scope.slot === "processor" ? `${ownerKey}#p` : `${ownerKey}#b${index}`;
}
type Records = Readonly<Record<string, Rec>>;

function nodeKey(records: Records, node: NodeRec): string {
  const scope = records[node.scope] as ScopeRec;
  return `${scopeKey(records, scope)}/${node.name}`;
}

export interface FromDslOptions {
  previous?: Doc;
}

/** Parses a DSL object into a document; throws ModelError when it is not a workflow at all. */
export function fromDsl(dsl: unknown, options: FromDslOptions = {}): Doc {
  if (!isObject(dsl)) {
    throw new ModelError("dsl-shape", "the workflow must be a JSON object");
  }
  if (!isObject(dsl.states)) {
    throw new ModelError("dsl-shape", "the workflow needs a 'states' object");
  }
  for (const [name, s] of Object.entries(dsl.states)) {
    if (!isObject(s) || typeof s.type !== "string") {
      throw new ModelError(
        "dsl-shape",
        `state '${name}' must be an object with a 'type'`,
      );
    }
  }
  const reuse = new Map<string, NodeRec>();
  const prev = options.previous?.records;
  if (prev) {
    for (const rec of Object.values(prev)) {
      if (rec.kind === "node") reuse.set(nodeKey(prev, rec), rec);
    }
  }
  const records: Record<string, Rec> = {};
  const used = new Set<string>([ROOT, "meta"]);
  let counter = 0;
  // Fresh ids never collide with any id of the previous document, so reused ids stay unique.
  const freshId = (prefix: string) => {
    let id: string;
    do id = `${prefix}${++counter}`; while (
      used.has(id) || (prev && id in prev)
    );
    used.add(id);
    return id;
  };

  const { entry, states, ...fields } = dsl;
  const meta: MetaRec = {
    kind: "meta",
    id: "meta",
    fields: fields as JsonObject,
  };
  records.meta = meta;

  const addScope = (
    id: string,
    owner: string | null,
    slot: ScopeRec["slot"],
    key: string,
    map: { entry: Json; states: Record<string, JsonObject> } & JsonObject,
  ) => {
    const { entry: scopeEntry, states: scopeStates, ...extra } = map;
    const order: string[] = [];
    const named = typeof scopeEntry === "string";
    // A non-string entry is kept verbatim in extra (and reported by validation), never coerced.
    const scope: ScopeRec = {
      kind: "scope",
      id,
      owner,
      slot,
      entry: named ? scopeEntry : "",
      order,
      extra: named || !("entry" in map) ? extra : { ...extra, entry: scopeEntry },
      keys: Object.keys(map),
    };
    records[id] = scope;
    for (const [name, raw] of Object.entries(scopeStates)) {
      const old = reuse.get(`${key}/${name}`);
      let nid: string;
      if (old && !used.has(old.id)) {
        nid = old.id;
        used.add(nid);
      } else nid = freshId("n");
      order.push(nid);
      const node: NodeRec = {
        kind: "node",
        id: nid,
        scope: id,
        name,
        def: raw as StateDef,
      };
      if (old?.pos) node.pos = old.pos;
      const nodeKeyStr = `${key}/${name}`;
      if (
        raw.type === "parallel" && Array.isArray(raw.branches) &&
        raw.branches.every(isStateMap)
      ) {
        const { branches, ...def } = raw;
        node.def = def as StateDef;
        node.children = (branches as JsonObject[]).map((b, i) => {
          const sid = freshId("s");
          addScope(sid, nid, "branch", `${nodeKeyStr}#b${i}`, b as never);
          return sid;
        });
        node.def = withPlaceholder(raw, "branches", node.def);
      } else if (raw.type === "map" && isStateMap(raw.processor)) {
        const sid = freshId("s");
        addScope(
          sid,
          nid,
          "processor",
          `${nodeKeyStr}#p`,
          raw.processor as never,
        );
        node.children = [sid];
        const { processor: _p, ...def } = raw;
        node.def = withPlaceholder(raw, "processor", def as StateDef);
      }
      records[nid] = node;
    }
  };
  addScope(
    ROOT,
    null,
    "root",
    ROOT,
    (entry === undefined ? { states } : { entry, states }) as never,
  );
  (records[ROOT] as ScopeRec).keys = Object.keys(dsl);
  return { records };
}

/**
 * Remembers where branches/processor sat among the state's keys so the DSL comes back in the same
 * key order; the placeholder value is never read.
 */
function withPlaceholder(
  raw: JsonObject,
  key: string,
  def: StateDef,
): StateDef {
  const out: JsonObject = {};
  for (const k of Object.keys(raw)) out[k] = k === key ? CHILD_SLOT : def[k];
  return out as StateDef;
}
/** Marks the position of a child slot (branches/processor) inside a state's key order. */
export const CHILD_SLOT = "\u0000children";

/** The DSL of one scope (root, branch or processor). */
function scopeToDsl(records: Records, scopeId: string): JsonObject {
  const scope = records[scopeId] as ScopeRec;
  const states: Record<string, Json> = {};
  for (const nid of scope.order) {
    const node = records[nid] as NodeRec;
    states[node.name] = stateToDsl(records, node);
  }
  const out: JsonObject = {};
  if (!("entry" in scope.extra) && scope.entry !== "") out.entry = scope.entry;
  Object.assign(out, scope.extra);
  out.states = states;
  return ordered(out, scope.keys);
}

/** Re-creates the original key order; keys added since come last. */
function ordered(obj: JsonObject, keys: string[] | undefined): JsonObject {
  if (!keys) return obj;
  const out: JsonObject = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

/** The DSL of one state, children included. */
export function stateToDsl(records: Records, node: NodeRec): JsonObject {
  const out: JsonObject = {};
  let placed = false;
  const children = () => {
    placed = true;
    const kids = node.children ?? [];
    return node.def.type === "map"
      ? scopeToDsl(records, kids[0])
      : kids.map((sid) => scopeToDsl(records, sid));
  };
  for (const [k, v] of Object.entries(node.def)) {
    if (v === CHILD_SLOT) {
      if (node.children) out[k] = children();
    } else out[k] = v;
  }
  if (node.children && !placed) {
    out[node.def.type === "map" ? "processor" : "branches"] = children();
  }
  return out;
}

/** Serialises the document back to the DSL object. */
export function toDsl(doc: Doc): WorkflowDsl {
  const meta = doc.records.meta as MetaRec;
  const root = doc.records[ROOT] as ScopeRec;
  return ordered(
    { ...meta.fields, ...scopeToDsl(doc.records, ROOT) },
    root.keys,
  ) as WorkflowDsl;
}

/** Pretty JSON as shown in code mode. */
export function toDslText(doc: Doc): string {
  return JSON.stringify(toDsl(doc), null, 2);
}
