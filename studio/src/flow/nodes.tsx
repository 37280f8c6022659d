/** Canvas node and edge components: states, parallel/map groups, branch boxes, edges with a drop zone. */
import { memo } from "react";
import {
  BaseEdge,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  type Node,
  type NodeProps,
  Position,
} from "@xyflow/react";
import type { EdgeData, ScopeNodeData, StateNodeData } from "./adapter.ts";

export const TYPE_ICONS: Record<string, string> = {
  task: "⚙",
  parallel: "∥",
  map: "⟲",
  router: "◇",
  wait: "◷",
  set: "≔",
  succeed: "✓",
  fail: "✕",
};

function subtitle(d: StateNodeData): string {
  const def = d.rec.def;
  if (def.type === "task" && typeof def.action === "string") return def.action;
  if (def.type === "wait") {
    return def.timestamp ? "until timestamp" : `${String(def.seconds ?? "")}s`;
  }
  if (def.type === "router") {
    return `${Array.isArray(def.routes) ? def.routes.length : 0} routes`;
  }
  if (def.type === "fail" && typeof def.error === "string") return def.error;
  return def.type;
}

function Handles({ d }: { d: StateNodeData }) {
  const horizontal = d.dir === "LR";
  const terminal = d.rec.def.type === "succeed" || d.rec.def.type === "fail";
  return (
    <>
      <Handle
        type="target"
        position={horizontal ? Position.Left : Position.Top}
      />
      {!terminal && (
        <Handle
          type="source"
          position={horizontal ? Position.Right : Position.Bottom}
        />
      )}
    </>
  );
}

export const StateNode = memo(
  function StateNode({ data, selected }: NodeProps<Node<StateNodeData>>) {
    const d = data;
    const type = d.rec.def.type;
    return (
      <div
        className={`state state-${type}${selected ? " selected" : ""}${
          d.status ? ` status-${d.status}` : ""
        }${d.issues ? " has-issues" : ""}`}
        data-state={d.rec.name}
        title={d.issues ?? d.rec.name}
      >
        <Handles d={d} />
        <span className="state-icon">{TYPE_ICONS[type] ?? "?"}</span>
        <span className="state-text">
          <span className="state-name">{d.rec.name}</span>
          <span className="state-sub">{subtitle(d)}</span>
        </span>
        {d.entry && <span className="entry-badge" title="entry">▶</span>}
        {d.issues && <span className="issue-badge" data-issues={d.rec.name}>!</span>}
      </div>
    );
  },
);

export const GroupNode = memo(
  function GroupNode({ data, selected }: NodeProps<Node<StateNodeData>>) {
    const d = data;
    return (
      <div
        className={`group-node state-${d.rec.def.type}${selected ? " selected" : ""}${
          d.status ? ` status-${d.status}` : ""
        }${d.issues ? " has-issues" : ""}`}
        data-state={d.rec.name}
        style={{ width: d.w, height: d.h }}
        title={d.issues ?? d.rec.name}
      >
        <Handles d={d} />
        <div className="group-header">
          <span className="state-icon">{TYPE_ICONS[d.rec.def.type]}</span>
          <span className="state-name">{d.rec.name}</span>
          <span className="state-sub">{d.rec.def.type}</span>
          {d.entry && <span className="entry-badge" title="entry">▶</span>}
          {d.issues && <span className="issue-badge" data-issues={d.rec.name}>!</span>}
        </div>
      </div>
    );
  },
);

export const ScopeNode = memo(
  function ScopeNode({ data }: NodeProps<Node<ScopeNodeData>>) {
    return (
      <div className="scope-box" data-scope={data.scope.id}>
        <span className="scope-label">{data.label}</span>
      </div>
    );
  },
);

export const FlowEdge = memo(
  function FlowEdge(props: EdgeProps<Edge<EdgeData>>) {
    const [path, lx, ly] = getSmoothStepPath({ ...props, borderRadius: 8 });
    return (
      <>
        <BaseEdge
          id={props.id}
          path={path}
          style={props.style}
          markerEnd={props.markerEnd}
        />
        <path
          d={path}
          className="edge-hit"
          data-edge={props.id}
          fill="none"
          strokeWidth={18}
          stroke="transparent"
        />
        {props.label && (
          <EdgeLabelRenderer>
            <div
              className="edge-label"
              style={{
                transform: `translate(-50%, -50%) translate(${lx}px,${ly}px)`,
              }}
            >
              {props.label}
            </div>
          </EdgeLabelRenderer>
        )}
      </>
    );
  },
);

export const nodeTypes = {
  state: StateNode,
  container: GroupNode,
  scope: ScopeNode,
};
export const edgeTypes = { flow: FlowEdge };
