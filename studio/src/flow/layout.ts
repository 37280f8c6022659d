/**
 * Dagre auto layout, scope by scope from the innermost out: a parallel/map is laid out as a box
 * holding its branch/processor boxes, and its size feeds the layout of the scope around it.
 * Positions are relative to the enclosing box (React Flow parent nodes), as stored in the model.
 */
import { Graph, layout } from "@dagrejs/dagre";
import { type Doc, edges, type NodeRec, type Position, ROOT, type ScopeRec } from "../model/mod.ts";

export type Direction = "TB" | "LR";
export const NODE_W = 200;
export const NODE_H = 46;
export const PAD = 20;
export const HEADER = 34;
const GAP = 20;

export interface Size {
  w: number;
  h: number;
}

/** Size of a state: fixed for simple states; for parallel/map the box around its child boxes. */
export function nodeSize(
  doc: Doc,
  id: string,
  pos: (id: string) => Position | undefined,
  dir: Direction,
): Size {
  const node = doc.records[id] as NodeRec;
  if (!node.children?.length) return { w: NODE_W, h: NODE_H };
  const boxes = node.children.map((sid) => scopeSize(doc, sid, pos, dir));
  if (dir === "TB") {
    return {
      w: Math.max(
        NODE_W,
        boxes.reduce((a, b) => a + b.w, 0) + GAP * (boxes.length - 1) + 2 * PAD,
      ),
      h: HEADER + Math.max(...boxes.map((b) => b.h)) + PAD,
    };
  }
  return {
    w: Math.max(NODE_W, ...boxes.map((b) => b.w)) + 2 * PAD,
    h: HEADER + boxes.reduce((a, b) => a + b.h, 0) + GAP * (boxes.length - 1) +
      PAD,
  };
}

/** Size of a branch/processor box: the extent of its states plus padding. */
export function scopeSize(
  doc: Doc,
  scopeId: string,
  pos: (id: string) => Position | undefined,
  dir: Direction,
): Size {
  const scope = doc.records[scopeId] as ScopeRec;
  let w = NODE_W;
  let h = NODE_H;
  for (const nid of scope.order) {
    const p = pos(nid) ?? { x: 0, y: 0 };
    const s = nodeSize(doc, nid, pos, dir);
    w = Math.max(w, p.x + s.w);
    h = Math.max(h, p.y + s.h);
  }
  return { w: w + PAD, h: h + PAD };
}

/** Offsets of the child boxes inside a parallel/map state. */
export function childOffsets(
  doc: Doc,
  id: string,
  pos: (id: string) => Position | undefined,
  dir: Direction,
): Array<{ scope: string; x: number; y: number; w: number; h: number }> {
  const node = doc.records[id] as NodeRec;
  const out: Array<
    { scope: string; x: number; y: number; w: number; h: number }
  > = [];
  let cursor = PAD;
  for (const sid of node.children ?? []) {
    const size = scopeSize(doc, sid, pos, dir);
    if (dir === "TB") {
      out.push({ scope: sid, x: cursor, y: HEADER, ...size });
      cursor += size.w + GAP;
    } else {
      out.push({ scope: sid, x: PAD, y: HEADER + cursor - PAD, ...size });
      cursor += size.h + GAP;
    }
  }
  return out;
}

/**
 * Computes positions for every state (or only for scopes holding a state without a position,
 * when `onlyMissing` is set). Returns id → position relative to the enclosing box.
 */
export function autoLayout(
  doc: Doc,
  dir: Direction = "TB",
  onlyMissing = false,
): Record<string, Position> {
  const out: Record<string, Position> = {};
  const pos = (id: string) => out[id] ?? (doc.records[id] as NodeRec).pos;
  const visit = (scopeId: string) => {
    const scope = doc.records[scopeId] as ScopeRec;
    for (const nid of scope.order) {
      for (const sid of (doc.records[nid] as NodeRec).children ?? []) {
        visit(sid);
      }
    }
    if (
      onlyMissing &&
      scope.order.every((nid) => (doc.records[nid] as NodeRec).pos)
    ) return;
    const g = new Graph();
    g.setGraph({
      rankdir: dir,
      nodesep: 30,
      ranksep: 46,
      marginx: scopeId === ROOT ? 40 : PAD,
      marginy: PAD,
    });
    g.setDefaultEdgeLabel(() => ({}));
    for (const nid of scope.order) {
      const s = nodeSize(doc, nid, pos, dir);
      g.setNode(nid, { width: s.w, height: s.h });
    }
    for (const e of edges(doc, scopeId)) {
      if (e.source !== e.target) g.setEdge(e.source, e.target);
    }
    layout(g);
    for (const nid of scope.order) {
      const n = g.node(nid);
      const s = nodeSize(doc, nid, pos, dir);
      out[nid] = { x: Math.round(n.x - s.w / 2), y: Math.round(n.y - s.h / 2) };
    }
  };
  visit(ROOT);
  return out;
}

/**
 * Positions for a document being opened: `stored` (node id → position, from a saved layout) wins;
 * every other state gets the dagre position of its scope (stored neighbours keep theirs).
 */
export function openingLayout(
  doc: Doc,
  dir: Direction,
  stored: Record<string, Position>,
): Record<string, Position> {
  const records = { ...doc.records };
  for (const [id, p] of Object.entries(stored)) {
    records[id] = { ...(records[id] as NodeRec), pos: p };
  }
  const out = { ...stored };
  for (const [id, p] of Object.entries(autoLayout({ records }, dir, true))) {
    if (!(records[id] as NodeRec).pos) out[id] = p;
  }
  return out;
}
