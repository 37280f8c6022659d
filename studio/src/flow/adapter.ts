/**
 * Document → React Flow nodes and edges. Parallel/map states are group nodes holding one box per
 * branch (or the processor); states inside are children of their box, with positions relative to
 * it. Node objects are reused when nothing about them changed, so React Flow only re-renders
 * what moved (that keeps dragging smooth on large workflows).
 */
import type { Edge as RFEdge, Node as RFNode } from "@xyflow/react";
import {
  type Doc,
  type EdgeKind,
  edges,
  type NodeRec,
  type Position,
  ROOT,
  type ScopeRec,
} from "../model/mod.ts";
import { childOffsets, type Direction, nodeSize } from "./layout.ts";

export type ExecStatus =
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "caught"
  | "retrying";

export interface StateNodeData extends Record<string, unknown> {
  rec: NodeRec;
  entry: boolean;
  dir: Direction;
  status?: ExecStatus;
  issues?: string;
  w: number;
  h: number;
}

export interface ScopeNodeData extends Record<string, unknown> {
  scope: ScopeRec;
  label: string;
}

export interface EdgeData extends Record<string, unknown> {
  kind: EdgeKind;
  taken?: boolean;
}

export interface FlowOptions {
  dir: Direction;
  selected: ReadonlySet<string>;
  status?: ReadonlyMap<string, ExecStatus>;
  /** Validation messages per node id. */
  issues?: ReadonlyMap<string, string[]>;
  /** Positions overriding the document (a drag in progress). */
  live?: ReadonlyMap<string, Position>;
  /** Fallback positions for states that have none stored. */
  fallback?: Record<string, Position>;
  readOnly?: boolean;
}

export class FlowAdapter {
  private cache = new Map<string, { key: unknown[]; node: RFNode }>();
  private edgeCache = new Map<string, { key: unknown[]; edge: RFEdge }>();

  nodes(doc: Doc, o: FlowOptions): RFNode[] {
    const out: RFNode[] = [];
    const pos = (id: string): Position =>
      o.live?.get(id) ?? (doc.records[id] as NodeRec).pos ?? o.fallback?.[id] ??
        { x: 0, y: 0 };
    const seen = new Set<string>();
    const reuse = (id: string, key: unknown[], make: () => RFNode) => {
      seen.add(id);
      const hit = this.cache.get(id);
      if (
        hit && hit.key.length === key.length &&
        hit.key.every((k, i) => k === key[i])
      ) {
        out.push(hit.node);
        return;
      }
      const node = make();
      this.cache.set(id, { key, node });
      out.push(node);
    };
    const walk = (scopeId: string, parent: string | undefined) => {
      const scope = doc.records[scopeId] as ScopeRec;
      for (const nid of scope.order) {
        const rec = doc.records[nid] as NodeRec;
        const p = pos(nid);
        const size = nodeSize(doc, nid, pos, o.dir);
        const selected = o.selected.has(nid);
        const status = o.status?.get(nid);
        const issues = o.issues?.get(nid)?.join("\n");
        const entry = scope.entry === rec.name;
        reuse(nid, [
          rec,
          p.x,
          p.y,
          size.w,
          size.h,
          selected,
          status,
          issues,
          entry,
          parent,
          o.dir,
          o.readOnly,
        ], () => ({
          id: nid,
          type: rec.children ? "container" : "state",
          position: { x: p.x, y: p.y },
          parentId: parent,
          selected,
          draggable: !o.readOnly,
          connectable: !o.readOnly,
          width: size.w,
          height: size.h,
          style: { width: size.w, height: size.h },
          zIndex: rec.children ? 0 : 1,
          data: {
            rec,
            entry,
            dir: o.dir,
            status,
            issues,
            w: size.w,
            h: size.h,
          } satisfies StateNodeData,
        }));
        if (rec.children) {
          const boxes = childOffsets(doc, nid, pos, o.dir);
          boxes.forEach((b, i) => {
            const sc = doc.records[b.scope] as ScopeRec;
            const label = rec.def.type === "map" ? "processor" : `branch ${i + 1}`;
            reuse(b.scope, [sc, b.x, b.y, b.w, b.h, label], () => ({
              id: b.scope,
              type: "scope",
              position: { x: b.x, y: b.y },
              parentId: nid,
              draggable: false,
              selectable: false,
              connectable: false,
              width: b.w,
              height: b.h,
              style: { width: b.w, height: b.h },
              zIndex: 0,
              data: { scope: sc, label } satisfies ScopeNodeData,
            }));
            walk(b.scope, b.scope);
          });
        }
      }
    };
    walk(ROOT, undefined);
    for (const id of this.cache.keys()) {
      if (!seen.has(id)) this.cache.delete(id);
    }
    return out;
  }

  edges(
    doc: Doc,
    o: { taken?: ReadonlySet<string>; readOnly?: boolean },
  ): RFEdge[] {
    const out: RFEdge[] = [];
    const seen = new Set<string>();
    for (const e of edges(doc)) {
      const taken = o.taken?.has(`${e.source}->${e.target}`) ?? false;
      const key = [e.source, e.target, e.kind, e.label, taken, o.readOnly];
      seen.add(e.id);
      const hit = this.edgeCache.get(e.id);
      if (hit && hit.key.every((k, i) => k === key[i])) {
        out.push(hit.edge);
        continue;
      }
      const isCatch = e.kind.startsWith("catch");
      const edge: RFEdge = {
        id: e.id,
        source: e.source,
        target: e.target,
        type: "flow",
        label: e.kind === "next" ? undefined : shorten(e.label ?? e.kind),
        className: `edge-${e.kind.split(":")[0]}${taken ? " edge-taken" : ""}`,
        animated: false,
        deletable: !o.readOnly,
        zIndex: 2,
        data: { kind: e.kind, taken } satisfies EdgeData,
        style: isCatch ? { strokeDasharray: "6 4" } : undefined,
      };
      this.edgeCache.set(e.id, { key, edge });
      out.push(edge);
    }
    for (const id of this.edgeCache.keys()) {
      if (!seen.has(id)) this.edgeCache.delete(id);
    }
    return out;
  }
}

function shorten(s: string): string {
  const t = s.replace(/^\{%\s*|\s*%\}$/g, "");
  return t.length > 28 ? t.slice(0, 27) + "…" : t;
}
