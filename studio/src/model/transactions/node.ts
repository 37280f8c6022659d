/** Node transactions: add (free or on an edge), update, rename, replace type, duplicate, entry, connect. */
import { mapReferences, targetOf } from "../graph.ts";
import type { Tx } from "../tx.ts";
import {
  CHAINED_TYPES,
  type EdgeKind,
  type Json,
  ModelError,
  type NodeRec,
  type Position,
  ROOT,
  type StateDef,
  type StateType,
  TERMINAL_TYPES,
} from "../types.ts";
import { DEFAULT_NAMES, defaultDef } from "./defaults.ts";
import { createChildScope, initChildren, insertNode, removeDescendants, withNext } from "./scope_ops.ts";

export const STATE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;

export interface AddNodeArgs {
  type: StateType;
  scope?: string;
  name?: string;
  /** Start from this def instead of the type's default. */
  def?: StateDef;
  action?: string;
  pos?: Position;
  /** Insert on an existing edge: the edge's source and kind. */
  onEdge?: { source: string; kind: EdgeKind };
  /** Insert before the scope entry (the new state becomes the entry). */
  atEntry?: boolean;
}

/** Adds a state. On an edge A→B it becomes A→new→B; free, it ends (a router gets a Done default). */
export function addNode(tx: Tx, args: AddNodeArgs): NodeRec {
  let scopeId = args.scope ?? ROOT;
  let target: string | null = null;
  let source: NodeRec | undefined;
  if (args.onEdge) {
    source = tx.node(args.onEdge.source);
    scopeId = source.scope;
    target = targetOf(source.def, args.onEdge.kind) ?? null;
    if (target === null) {
      throw new ModelError(
        "no-edge",
        `'${source.name}' has no ${args.onEdge.kind} edge`,
      );
    }
  } else if (args.atEntry) {
    target = tx.scope(scopeId).entry || null;
  }
  const name = args.name ? args.name : tx.uniqueName(
    args.action ? actionName(args.action) : DEFAULT_NAMES[args.type],
  );
  if (args.name && !STATE_NAME_RE.test(args.name)) {
    throw new ModelError(
      "bad-name",
      "a state name is 1-80 characters of letters, digits, '_', '.' or '-'",
    );
  }
  if (args.name && tx.uniqueName(args.name) !== args.name) {
    throw new ModelError(
      "name-taken",
      `a state named '${args.name}' already exists`,
    );
  }
  let def = args.def ?? defaultDef(args.type, { action: args.action });
  if (CHAINED_TYPES.has(def.type)) def = withNext(def, target);
  let node = insertNode(tx, scopeId, name, def, {
    pos: args.pos,
    after: source?.id,
  });
  if (def.type === "router") {
    tx.setDef(
      node.id,
      routerExits(def, target ?? addDone(tx, scopeId, name, args.pos)),
    );
  }
  node = initChildren(tx, node);
  if (source && args.onEdge) {
    tx.setDef(
      source.id,
      mapReferences(
        source.def,
        (t, kind) => (kind === args.onEdge!.kind ? name : t),
      ),
    );
  } else if (args.atEntry) {
    tx.put({ ...tx.scope(scopeId), entry: name });
  }
  return tx.node(node.id);
}

function actionName(action: string): string {
  const tail = action.replace(/^(fn|wf|act):/, "").split(/[.:/]/).filter(Boolean).pop() ??
    "Task";
  return tail.charAt(0).toUpperCase() + tail.slice(1);
}

/** A router needs at least one route and (by the editor's invariant) a default. */
function routerExits(def: StateDef, target: string): StateDef {
  const routes = Array.isArray(def.routes) && def.routes.length
    ? def.routes
    : [{ condition: "{% true %}", next: target }];
  return {
    ...def,
    routes,
    default: typeof def.default === "string" ? def.default : target,
  };
}

/** A free router needs somewhere to go by default: a Done succeed state next to it. */
function addDone(
  tx: Tx,
  scopeId: string,
  routerName: string,
  pos?: Position,
): string {
  const name = tx.uniqueName(`${routerName}Done`);
  insertNode(tx, scopeId, name, { type: "succeed" }, {
    pos: pos ? { x: pos.x, y: pos.y + 120 } : undefined,
  });
  return name;
}

const PROTECTED = new Set(["type", "branches", "processor"]);

/** Sets (or, with undefined, deletes) fields of a state; `name` renames it everywhere. */
export function updateNode(
  tx: Tx,
  id: string,
  patch: Record<string, Json | undefined>,
): NodeRec {
  const { name, ...fields } = patch;
  if (typeof name === "string" && name !== tx.node(id).name) {
    renameNode(tx, id, name);
  }
  const node = tx.node(id);
  const def: Record<string, Json> = { ...node.def };
  for (const [k, v] of Object.entries(fields)) {
    if (PROTECTED.has(k)) {
      throw new ModelError(
        "protected-field",
        `'${k}' cannot be set directly; use ${k === "type" ? "replace type" : "the branch editor"}`,
      );
    }
    if (v === undefined) delete def[k];
    else def[k] = v;
  }
  // next and end are exclusive: setting one clears the other.
  if (
    typeof fields.next === "string" && CHAINED_TYPES.has(def.type as string)
  ) delete def.end;
  if (fields.end === true) delete def.next;
  tx.setDef(id, def as StateDef);
  return tx.node(id);
}

/** Renames a state and every reference to it (next, default, routes, catches, the scope entry). */
export function renameNode(tx: Tx, id: string, name: string): void {
  const node = tx.node(id);
  if (!STATE_NAME_RE.test(name)) {
    throw new ModelError(
      "bad-name",
      "a state name is 1-80 characters of letters, digits, '_', '.' or '-'",
    );
  }
  if (tx.uniqueName(name) !== name) {
    throw new ModelError(
      "name-taken",
      `a state named '${name}' already exists`,
    );
  }
  const old = node.name;
  tx.put({ ...node, name });
  for (const other of tx.scope(node.scope).order) {
    const n = tx.node(other);
    tx.setDef(other, mapReferences(n.def, (t) => (t === old ? name : t)));
  }
  const scope = tx.scope(node.scope);
  if (scope.entry === old) tx.put({ ...scope, entry: name });
}

const COMMON = ["comment", "input", "output", "assign"];

/** Changes a state's type, keeping common fields and its place in the graph. */
export function replaceType(tx: Tx, id: string, type: StateType): NodeRec {
  const node = tx.node(id);
  if (node.def.type === type) return node;
  const old = node.def;
  const base = defaultDef(type);
  const def: Record<string, Json> = { ...base };
  for (const k of COMMON) {
    if (k in old && !(type === "succeed" && k === "assign")) def[k] = old[k];
  }
  const onward = typeof old.next === "string"
    ? old.next
    : old.type === "router" && typeof old.default === "string"
    ? old.default
    : null;
  if (CHAINED_TYPES.has(type)) {
    Object.assign(def, withNext(def as StateDef, onward));
  } else if (type === "router") {
    Object.assign(
      def,
      routerExits(
        def as StateDef,
        onward ?? addDone(tx, node.scope, node.name, node.pos),
      ),
    );
  }
  if (TERMINAL_TYPES.has(type)) {
    delete def.next;
    delete def.end;
  }
  removeDescendants(tx, id);
  const { children: _c, ...rest } = tx.node(id);
  tx.put({ ...rest, def: def as StateDef });
  return initChildren(tx, tx.node(id));
}

/** Copies states (with their branches/processors) under fresh names; returns the new ids. */
export function duplicateNodes(
  tx: Tx,
  ids: string[],
  offset: Position = { x: 40, y: 40 },
): string[] {
  const out: string[] = [];
  for (const id of ids) {
    out.push(copyNode(tx, tx.node(id), tx.node(id).scope, offset).id);
  }
  return out;
}

function copyNode(
  tx: Tx,
  src: NodeRec,
  scopeId: string,
  offset: Position,
): NodeRec {
  const name = tx.uniqueName(`${src.name}Copy`);
  const pos = src.pos ? { x: src.pos.x + offset.x, y: src.pos.y + offset.y } : undefined;
  const node = insertNode(tx, scopeId, name, src.def, {
    pos,
    after: scopeId === src.scope ? src.id : undefined,
  });
  if (!src.children) return node;
  const children = src.children.map((sid) => {
    const from = tx.scope(sid);
    const newSid = tx.newId("s");
    tx.put({ ...from, id: newSid, owner: node.id, order: [] });
    const renames = new Map<string, string>();
    for (const nid of from.order) {
      const copy = copyNode(tx, tx.node(nid), newSid, { x: 0, y: 0 });
      renames.set(tx.node(nid).name, copy.name);
    }
    for (const nid of tx.scope(newSid).order) {
      tx.setDef(
        nid,
        mapReferences(tx.node(nid).def, (t) => renames.get(t) ?? t),
      );
    }
    const s = tx.scope(newSid);
    tx.put({ ...s, entry: renames.get(from.entry) ?? s.entry });
    return newSid;
  });
  tx.put({ ...tx.node(node.id), children });
  return tx.node(node.id);
}

export function setEntry(tx: Tx, id: string): void {
  const node = tx.node(id);
  const scope = tx.scope(node.scope);
  const { entry: _e, ...extra } = scope.extra;
  tx.put({ ...scope, entry: node.name, extra });
}

/**
 * Draws an edge source→target: a chained state's next, or for a router a new route (or its
 * default when it has none). Both states must be in the same scope.
 */
export function connect(
  tx: Tx,
  sourceId: string,
  targetId: string,
  kind?: EdgeKind,
): void {
  const source = tx.node(sourceId);
  const target = tx.node(targetId);
  if (source.scope !== target.scope) {
    throw new ModelError(
      "cross-scope",
      "states can only be connected inside the same workflow, branch or map",
    );
  }
  if (TERMINAL_TYPES.has(source.def.type)) {
    throw new ModelError(
      "terminal",
      `'${source.name}' is a ${source.def.type} state and ends the workflow`,
    );
  }
  if (kind && kind !== "next") {
    tx.setDef(
      sourceId,
      mapReferences(source.def, (t, k) => (k === kind ? target.name : t)),
    );
    return;
  }
  if (source.def.type === "router") {
    const routes = Array.isArray(source.def.routes) ? source.def.routes : [];
    if (typeof source.def.default !== "string") {
      tx.setDef(sourceId, { ...source.def, default: target.name });
    } else {tx.setDef(sourceId, {
        ...source.def,
        routes: [...routes, { condition: "{% true %}", next: target.name }],
      });}
    return;
  }
  tx.setDef(sourceId, withNext(source.def, target.name));
}

/** Adds a branch (with one starting state) to a parallel state. */
export function addBranch(tx: Tx, parallelId: string): string {
  const node = tx.node(parallelId);
  if (node.def.type !== "parallel" || !node.children) {
    throw new ModelError(
      "not-parallel",
      `'${node.name}' is not a parallel state with branches`,
    );
  }
  const sid = createChildScope(
    tx,
    parallelId,
    "branch",
    `${node.name}Branch${node.children.length + 1}`,
  );
  tx.put({ ...tx.node(parallelId), children: [...node.children, sid] });
  return sid;
}

/** Removes a branch and everything in it; a parallel keeps at least one branch. */
export function removeBranch(tx: Tx, parallelId: string, index: number): void {
  const node = tx.node(parallelId);
  const kids = node.children ?? [];
  if (node.def.type !== "parallel" || !kids[index]) {
    throw new ModelError(
      "no-branch",
      `'${node.name}' has no branch ${index + 1}`,
    );
  }
  if (kids.length === 1) {
    throw new ModelError(
      "last-branch",
      "a parallel state needs at least one branch",
    );
  }
  const sid = kids[index];
  for (const nid of tx.scope(sid).order) {
    removeDescendants(tx, nid);
    tx.remove(nid);
  }
  tx.remove(sid);
  tx.put({ ...node, children: kids.filter((k) => k !== sid) });
}

/** Edits a branch's own members (e.g. comment); entry changes go through setEntry. */
export function updateBranch(
  tx: Tx,
  scopeId: string,
  extra: Record<string, Json | undefined>,
): void {
  const scope = tx.scope(scopeId);
  const next: Record<string, Json> = { ...scope.extra };
  for (const [k, v] of Object.entries(extra)) {
    if (k === "states" || k === "entry") {
      throw new ModelError("protected-field", `'${k}' is edited on the canvas`);
    }
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  tx.put({ ...scope, extra: next });
}
