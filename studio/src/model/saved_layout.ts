/**
 * The node positions saved with a template version (`layout` of the StepFlow template API): keyed
 * by state path (statePathOf: "A", "Par/branch[0]/B", "Map/item[*]/C"), so they survive reloads
 * where node ids do not. Positions are relative to the enclosing branch/processor box, as in the
 * document.
 */
import { statePathOf } from "./paths.ts";
import type { Doc, Position } from "./types.ts";

export type Layout = Record<string, Position>;

/** The position of every placed state, by state path. */
export function layoutOf(doc: Doc): Layout {
  const out: Layout = {};
  for (const r of Object.values(doc.records)) {
    if (r.kind === "node" && r.pos) out[statePathOf(doc, r.id)] = { x: r.pos.x, y: r.pos.y };
  }
  return out;
}

/**
 * Node id → position for the layout entries that name a state of the document. Entries for
 * states that no longer exist (or are not finite numbers) are ignored.
 */
export function positionsFromLayout(
  doc: Doc,
  layout: Layout | null | undefined,
): Record<string, Position> {
  const out: Record<string, Position> = {};
  if (!layout) return out;
  const byPath = new Map<string, string>();
  for (const r of Object.values(doc.records)) {
    if (r.kind === "node") byPath.set(statePathOf(doc, r.id), r.id);
  }
  for (const [path, p] of Object.entries(layout)) {
    const id = byPath.get(path);
    if (id && Number.isFinite(p?.x) && Number.isFinite(p?.y)) out[id] = { x: p.x, y: p.y };
  }
  return out;
}
