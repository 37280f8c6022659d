/** The inspector panel: shared fields plus the panel of the selected state's type. */
import { Header, OutputAssign, Transition } from "./common.tsx";
import type { InspectorProps } from "./context.ts";
import { MapInspector, ParallelInspector } from "./containers.tsx";
import { RouterInspector } from "./router.tsx";
import { FailInspector, WaitInspector } from "./simple.tsx";
import { TaskInspector } from "./task.tsx";

const PANELS: Record<string, (p: InspectorProps) => React.ReactNode> = {
  task: TaskInspector,
  router: RouterInspector,
  parallel: ParallelInspector,
  map: MapInspector,
  wait: WaitInspector,
  fail: FailInspector,
};

export function Inspector(p: InspectorProps & { issues?: string[] }) {
  const Panel = PANELS[p.node.def.type];
  return (
    <div className="inspector" data-testid="inspector" key={p.node.id}>
      <h3>
        {p.node.name} <span className="muted">{p.node.def.type}</span>
      </h3>
      {p.issues?.length
        ? (
          <ul className="issues">
            {p.issues.map((m, i) => <li key={i}>{m}</li>)}
          </ul>
        )
        : null}
      <Header {...p} />
      {Panel && <Panel {...p} />}
      <Transition {...p} />
      {p.node.def.type !== "fail" && <OutputAssign {...p} />}
    </div>
  );
}

export type { InspectorProps };
