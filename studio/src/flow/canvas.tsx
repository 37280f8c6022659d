/**
 * The workflow canvas: React Flow bound to the model. Selection and in-flight drags are local
 * state; every edit (drop, connect, delete edge, drag end) is one model transaction.
 */
import { type DragEvent, useCallback, useMemo, useRef, useState } from "react";
import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  type Node,
  type NodeChange,
  ReactFlow,
  type ReactFlowInstance,
} from "@xyflow/react";
import {
  addNode,
  connect,
  type Doc,
  type EdgeKind,
  type Editor,
  moveNodes,
  type Position,
  removeCatch,
  removeRoute,
  reorderNode,
  ROOT,
  type StateType,
  targetOf,
  updateNode,
} from "../model/mod.ts";
import { type ExecStatus, FlowAdapter } from "./adapter.ts";
import { run } from "./commands.ts";
import { autoLayout, type Direction } from "./layout.ts";
import { edgeTypes, nodeTypes } from "./nodes.tsx";
import { toastError } from "../ui/toast.tsx";

export const DND_MIME = "application/x-aionix-state";

export interface PaletteItem {
  type: StateType;
  action?: string;
}

export interface CanvasProps {
  editor?: Editor;
  doc: Doc;
  dir: Direction;
  selected: ReadonlySet<string>;
  onSelect: (ids: Set<string>) => void;
  status?: ReadonlyMap<string, ExecStatus>;
  taken?: ReadonlySet<string>;
  issues?: ReadonlyMap<string, string[]>;
  onInstance?: (rf: ReactFlowInstance) => void;
}

export function Canvas(props: CanvasProps) {
  const { editor, doc, dir, selected, onSelect } = props;
  const readOnly = !editor;
  const adapter = useRef(new FlowAdapter()).current;
  const rf = useRef<ReactFlowInstance | null>(null);
  const [live, setLive] = useState<Map<string, Position>>(new Map());
  const fallback = useMemo(() => {
    const missing = Object.values(doc.records).some((r) => r.kind === "node" && !r.pos);
    return missing ? autoLayout(doc, dir, true) : undefined;
  }, [doc, dir]);

  const nodes = useMemo(
    () =>
      adapter.nodes(doc, {
        dir,
        selected,
        status: props.status,
        issues: props.issues,
        live,
        fallback,
        readOnly,
      }),
    [
      adapter,
      doc,
      dir,
      selected,
      props.status,
      props.issues,
      live,
      fallback,
      readOnly,
    ],
  );
  const edges = useMemo(
    () => adapter.edges(doc, { taken: props.taken, readOnly }),
    [adapter, doc, props.taken, readOnly],
  );

  // Drag positions live outside the document until the drag ends (one transaction per drag).
  const liveRef = useRef(new Map<string, Position>());
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    let sel: Set<string> | undefined;
    let moved = false;
    for (const c of changes) {
      if (c.type === "select") {
        sel ??= new Set(selected);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      } else if (
        c.type === "position" && c.position && c.dragging && !readOnly
      ) {
        liveRef.current.set(c.id, {
          x: Math.round(c.position.x),
          y: Math.round(c.position.y),
        });
        moved = true;
      }
    }
    if (sel) onSelect(sel);
    if (moved) setLive(new Map(liveRef.current));
  }, [selected, onSelect, readOnly]);

  const onNodeDragStop = useCallback(
    (
      event: MouseEvent | TouchEvent,
      node: Node,
      dragged: Node[],
    ) => {
      // Dropping a single state onto an arrow of its own scope moves it there in the flow.
      const at = "clientX" in event ? event : event.changedTouches[0];
      if (
        editor && at && dragged.length === 1 &&
        tryReorder(editor, node.id, at, dir)
      ) {
        liveRef.current = new Map();
        setLive(new Map());
        return;
      }
      const final: Record<string, Position> = {};
      for (const n of dragged) {
        const p = liveRef.current.get(n.id);
        if (p) final[n.id] = p;
      }
      liveRef.current = new Map();
      if (editor && Object.keys(final).length) {
        try {
          editor.transact(
            dragged.length > 1 ? `move ${dragged.length} states` : "move",
            (tx) => moveNodes(tx, final),
          );
        } catch (err) {
          toastError(err);
        }
      }
      setLive(new Map());
    },
    [editor, dir],
  );

  const onConnect = useCallback(
    (c: { source: string | null; target: string | null }) => {
      if (!editor || !c.source || !c.target) return;
      try {
        run(editor, "connect", (tx) => connect(tx, c.source!, c.target!), dir);
      } catch (err) {
        toastError(err);
      }
    },
    [editor, dir],
  );

  const onEdgesDelete = useCallback((removed: Edge[]) => {
    if (!editor) return;
    try {
      run(editor, "delete edge", (tx) => {
        // Later indexes first so earlier removals do not shift them.
        const sorted = [...removed].sort((a, b) => kindIndex(b) - kindIndex(a));
        for (const e of sorted) {
          const kind = (e.data as { kind: EdgeKind }).kind;
          if (kind === "next") {
            updateNode(tx, e.source, { next: undefined, end: true });
          } else if (kind.startsWith("route:")) {
            removeRoute(tx, e.source, Number(kind.slice(6)));
          } else if (kind.startsWith("catch:")) {
            removeCatch(tx, e.source, Number(kind.slice(6)));
          } else updateNode(tx, e.source, { default: undefined });
        }
      }, dir);
    } catch (err) {
      toastError(err);
    }
  }, [editor, dir]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!editor) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, [editor]);

  const onDrop = useCallback((e: DragEvent) => {
    if (!editor || !rf.current) return;
    const raw = e.dataTransfer.getData(DND_MIME);
    if (!raw) return;
    e.preventDefault();
    const item = JSON.parse(raw) as PaletteItem;
    dropItem(
      editor,
      rf.current,
      item,
      { x: e.clientX, y: e.clientY },
      dir,
      onSelect,
    );
  }, [editor, dir, onSelect]);

  return (
    <div
      className="canvas"
      onDragOver={onDragOver}
      onDrop={onDrop}
      data-testid="canvas"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onEdgesDelete={onEdgesDelete}
        onPaneClick={() => onSelect(new Set())}
        onInit={(inst) => {
          rf.current = inst;
          props.onInstance?.(inst);
        }}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Meta", "Control"]}
        selectionKeyCode="Shift"
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable
        onlyRenderVisibleElements={false}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={2} />
      </ReactFlow>
    </div>
  );
}

function tryReorder(
  editor: Editor,
  id: string,
  at: { clientX: number; clientY: number },
  dir: Direction,
): boolean {
  const hit = document.elementsFromPoint(at.clientX, at.clientY).find((el) => el.getAttribute("data-edge"));
  if (!hit) return false;
  const [source, kind] = hit.getAttribute("data-edge")!.split("->") as [
    string,
    EdgeKind,
  ];
  const src = editor.doc.records[source];
  const me = editor.doc.records[id];
  if (
    source === id || src?.kind !== "node" || me?.kind !== "node" ||
    src.scope !== me.scope
  ) return false;
  if (targetOf(src.def, kind) === me.name) return false;
  try {
    run(editor, "move in flow", (tx) => {
      reorderNode(tx, id, { source, kind });
      moveNodes(tx, autoLayout({ records: tx.records }, dir));
    }, dir);
    return true;
  } catch (err) {
    toastError(err);
    return false;
  }
}

function kindIndex(e: Edge): number {
  const kind = (e.data as { kind: string }).kind;
  const i = Number(kind.split(":")[1]);
  return Number.isFinite(i) ? i : -1;
}

/**
 * Adds a palette item where it was dropped: on an edge it is inserted between the two states;
 * inside a branch box it joins that branch; elsewhere it is a free state at the drop point.
 */
export function dropItem(
  editor: Editor,
  rf: ReactFlowInstance,
  item: PaletteItem,
  client: Position,
  dir: Direction,
  onSelect: (ids: Set<string>) => void,
) {
  const hits = document.elementsFromPoint(client.x, client.y);
  const edgeEl = hits.find((el) => el.getAttribute("data-edge"));
  const scopeEl = hits.find((el) => el.getAttribute("data-scope"));
  try {
    const created = run(editor, `add ${item.type}`, (tx) => {
      if (edgeEl) {
        const edgeId = edgeEl.getAttribute("data-edge")!;
        const [source, kind] = edgeId.split("->") as [string, EdgeKind];
        const node = addNode(tx, {
          type: item.type,
          action: item.action,
          onEdge: { source, kind },
        });
        moveNodes(tx, autoLayout({ records: tx.records }, dir));
        return node;
      }
      const flowPos = rf.screenToFlowPosition(client);
      const scope = scopeEl?.getAttribute("data-scope") ?? ROOT;
      let pos = {
        x: Math.round(flowPos.x - 100),
        y: Math.round(flowPos.y - 23),
      };
      if (scope !== ROOT) {
        const box = rf.getInternalNode(scope);
        const abs = box?.internals.positionAbsolute ?? { x: 0, y: 0 };
        pos = {
          x: Math.max(0, pos.x - Math.round(abs.x)),
          y: Math.max(0, pos.y - Math.round(abs.y)),
        };
      }
      return addNode(tx, { type: item.type, action: item.action, scope, pos });
    }, dir);
    onSelect(new Set([created.id]));
  } catch (err) {
    toastError(err);
  }
}
