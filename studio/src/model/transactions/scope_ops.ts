/** Low-level scope/node helpers shared by the transactions. */
import { descendantScopes, mapReferences, nameIndex } from "../graph.ts";
import type { Tx } from "../tx.ts";
import {
  CHAINED_TYPES,
  ModelError,
  type NodeRec,
  type Position,
  type ScopeRec,
  type StateDef,
} from "../types.ts";
import { CHILD_SLOT } from "../convert.ts";

/** Appends a node to a scope and returns it. */
export function insertNode(
  tx: Tx,
  scopeId: string,
  name: string,
  def: StateDef,
  options: { pos?: Position; id?: string; after?: string } = {},
): NodeRec {
  const scope = tx.scope(scopeId);
  if (nameIndex(tx.records, scopeId).has(name)) {
    throw new ModelError(
      "name-taken",
      `a state named '${name}' already exists here`,
    );
  }
  const id = options.id ?? tx.newId("n");
  const node: NodeRec = { kind: "node", id, scope: scopeId, name, def };
  if (options.pos) node.pos = options.pos;
  tx.put(node);
  const order = [...scope.order];
  const at = options.after ? order.indexOf(options.after) : -1;
  if (at >= 0) order.splice(at + 1, 0, id);
  else order.push(id);
  tx.put({
    ...tx.scope(scopeId),
    order,
    entry: scope.order.length ? scope.entry : name,
  });
  return node;
}

/** Creates a child scope (branch or processor) with one starting state; returns its id. */
export function createChildScope(
  tx: Tx,
  ownerId: string,
  slot: "branch" | "processor",
  firstName: string,
): string {
  const sid = tx.newId("s");
  const name = tx.uniqueName(firstName);
  const scope: ScopeRec = {
    kind: "scope",
    id: sid,
    owner: ownerId,
    slot,
    entry: name,
    order: [],
    extra: {},
  };
  tx.put(scope);
  insertNode(tx, sid, name, { type: "succeed" });
  return sid;
}

/** Gives a new parallel/map its child scope(s) and the key-order placeholder in its def. */
export function initChildren(tx: Tx, node: NodeRec): NodeRec {
  if (node.def.type === "parallel") {
    const b1 = createChildScope(tx, node.id, "branch", `${node.name}Branch1`);
    const b2 = createChildScope(tx, node.id, "branch", `${node.name}Branch2`);
    const next = {
      ...tx.node(node.id),
      children: [b1, b2],
      def: { ...node.def, branches: CHILD_SLOT },
    };
    tx.put(next);
    return next;
  }
  if (node.def.type === "map") {
    const p = createChildScope(tx, node.id, "processor", `${node.name}Item`);
    const next = {
      ...tx.node(node.id),
      children: [p],
      def: { ...node.def, processor: CHILD_SLOT },
    };
    tx.put(next);
    return next;
  }
  return node;
}

/** Removes every record under a node (its child scopes and their states, recursively). */
export function removeDescendants(tx: Tx, nodeId: string): void {
  for (const sid of descendantScopes(tx.records, nodeId)) {
    for (const nid of tx.scope(sid).order) tx.remove(nid);
    tx.remove(sid);
  }
}

/** The single state a node continues to, used to repair its predecessors. */
export function successorOf(def: StateDef): string | null {
  if (typeof def.next === "string") return def.next;
  if (def.type === "router") {
    if (typeof def.default === "string") return def.default;
    const first = Array.isArray(def.routes) ? def.routes[0] : undefined;
    if (
      first && typeof first === "object" && !Array.isArray(first) &&
      typeof first.next === "string"
    ) {
      return first.next;
    }
  }
  return null;
}

/**
 * Unlinks a node from its scope's graph: every reference to it is redirected to its successor
 * (or dropped when it has none), and the scope entry moves on if it was the entry.
 */
export function bypass(tx: Tx, nodeId: string): void {
  const node = tx.node(nodeId);
  const succ = successorOf(node.def);
  const target = succ === node.name ? null : succ;
  for (const id of tx.scope(node.scope).order) {
    if (id === nodeId) continue;
    const other = tx.node(id);
    const def = mapReferences(
      other.def,
      (name) => (name === node.name ? target : name),
    );
    tx.setDef(id, def);
  }
  const scope = tx.scope(node.scope);
  if (scope.entry === node.name) {
    const rest = scope.order.filter((id) => id !== nodeId).map((id) => tx.node(id).name);
    const entry = target ?? rest[0] ?? "";
    tx.put({ ...scope, entry });
  }
}

/** Makes a chained def continue to `target` (or end when target is null). */
export function withNext(def: StateDef, target: string | null): StateDef {
  const out = { ...def } as StateDef;
  if (!CHAINED_TYPES.has(def.type)) return out;
  if (target === null) {
    delete out.next;
    out.end = true;
  } else {
    delete out.end;
    out.next = target;
  }
  return out;
}
