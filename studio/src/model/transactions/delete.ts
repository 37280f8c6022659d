/** Delete with graph repair, and reorder (move a state to another place in the flow). */
import { mapReferences, targetOf } from "../graph.ts";
import type { Tx } from "../tx.ts";
import { CHAINED_TYPES, type EdgeKind, ModelError, type Position } from "../types.ts";
import { bypass, removeDescendants, withNext } from "./scope_ops.ts";

/**
 * Deletes states. Predecessors are re-linked to the deleted state's successor (A→X→B becomes
 * A→B); when X was terminal they end instead. Deleting the entry moves the entry on.
 */
export function deleteNodes(tx: Tx, ids: string[]): void {
  for (const id of ids) {
    if (!tx.get(id)) continue; // already removed with an enclosing parallel/map
    const node = tx.node(id);
    bypass(tx, id);
    removeDescendants(tx, id);
    tx.remove(id);
    const scope = tx.scope(node.scope);
    tx.put({ ...scope, order: scope.order.filter((n) => n !== id) });
  }
}

/** Moves states on the canvas (positions only; never breaks an invariant). */
export function moveNodes(tx: Tx, positions: Record<string, Position>): void {
  for (const [id, pos] of Object.entries(positions)) {
    const node = tx.node(id);
    if (node.pos && node.pos.x === pos.x && node.pos.y === pos.y) continue;
    tx.put({ ...node, pos: { x: pos.x, y: pos.y } }, { layout: true });
  }
}

/**
 * Moves a state to another place in the flow: it is unlinked where it was (its predecessors
 * continue to its successor) and inserted on the edge source→(kind) of the same scope.
 */
export function reorderNode(
  tx: Tx,
  id: string,
  onEdge: { source: string; kind: EdgeKind },
): void {
  const node = tx.node(id);
  if (!CHAINED_TYPES.has(node.def.type)) {
    throw new ModelError(
      "not-chained",
      `only states that continue with next can be moved in the flow`,
    );
  }
  const source = tx.node(onEdge.source);
  if (source.scope !== node.scope) {
    throw new ModelError(
      "cross-scope",
      "a state can only be moved inside its own workflow, branch or map",
    );
  }
  if (source.id === id) {
    throw new ModelError("self", "a state cannot be moved onto its own edge");
  }
  const target = targetOf(source.def, onEdge.kind);
  if (!target) {
    throw new ModelError(
      "no-edge",
      `'${source.name}' has no ${onEdge.kind} edge`,
    );
  }
  if (target === node.name) return;
  bypass(tx, id);
  const src = tx.node(onEdge.source);
  const afterBypass = targetOf(src.def, onEdge.kind) ?? target;
  tx.setDef(
    onEdge.source,
    mapReferences(src.def, (t, k) => (k === onEdge.kind ? node.name : t)),
  );
  tx.setDef(id, withNext(tx.node(id).def, afterBypass));
}
