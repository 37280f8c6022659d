/** Parallel (branches) and map (items, processor, concurrency, tolerance). */
import {
  addBranch,
  type Json,
  type NodeRec,
  removeBranch,
  type ScopeRec,
  updateBranch,
} from "../../model/mod.ts";
import { Field, JsonInput, NumberInput, TextInput } from "../fields.tsx";
import { edit, type InspectorProps, setField } from "./context.ts";
import { CatchList, RetryList } from "./errors.tsx";

function BranchCard(
  p: InspectorProps & { scope: ScopeRec; index: number; removable: boolean },
) {
  const names = p.scope.order.map((id) => (p.doc.records[id] as NodeRec).name);
  return (
    <div className="card" data-testid={`branch-${p.index}`}>
      <strong>
        {p.node.def.type === "map" ? "Processor" : `Branch ${p.index + 1}`}
      </strong>
      <div className="muted">
        entry {p.scope.entry} · {names.length} states: {names.join(", ")}
      </div>
      <Field label="Comment">
        <TextInput
          value={p.scope.extra.comment as string | undefined}
          onCommit={(v) => edit(p, "edit branch", (tx) => updateBranch(tx, p.scope.id, { comment: v }))}
        />
      </Field>
      {p.removable && (
        <button
          type="button"
          className="danger small"
          onClick={() =>
            edit(
              p,
              "remove branch",
              (tx) => removeBranch(tx, p.node.id, p.index),
            )}
        >
          Remove branch
        </button>
      )}
    </div>
  );
}

export function ParallelInspector(p: InspectorProps) {
  const kids = p.node.children ?? [];
  return (
    <>
      <div className="section">
        <h4>
          Branches (run concurrently; the output is the array of branch outputs)
        </h4>
        {kids.map((sid, i) => (
          <BranchCard
            key={sid}
            {...p}
            scope={p.doc.records[sid] as ScopeRec}
            index={i}
            removable={kids.length > 1}
          />
        ))}
        <button
          type="button"
          className="small"
          data-testid="add-branch"
          onClick={() => edit(p, "add branch", (tx) => addBranch(tx, p.node.id))}
        >
          + Add branch
        </button>
      </div>
      <RetryList {...p} />
      <CatchList {...p} />
    </>
  );
}

export function MapInspector(p: InspectorProps) {
  const def = p.node.def;
  const kids = p.node.children ?? [];
  return (
    <>
      <div className="section">
        <Field
          label="Items"
          hint="an array or an expression giving one (default: the input)"
        >
          <JsonInput
            value={def.items as Json | undefined}
            rows={2}
            testId="inspector-items"
            onCommit={(v) => setField(p, "items", v)}
          />
        </Field>
        <Field
          label="Item selector"
          hint="shapes each item; {% context.map.item.value %}"
        >
          <JsonInput
            value={def.itemSelector as Json | undefined}
            rows={3}
            onCommit={(v) => setField(p, "itemSelector", v)}
          />
        </Field>
        <div className="row">
          <Field label="Max concurrency" hint="0 = unlimited">
            <NumberInput
              value={def.maxConcurrency as number | undefined}
              min={0}
              testId="inspector-concurrency"
              onCommit={(v) => setField(p, "maxConcurrency", v)}
            />
          </Field>
          <Field label="Tolerated failure %">
            <NumberInput
              value={def.toleratedFailurePercentage as number | undefined}
              min={0}
              max={100}
              onCommit={(v) => setField(p, "toleratedFailurePercentage", v)}
            />
          </Field>
          <Field label="Tolerated failures">
            <NumberInput
              value={def.toleratedFailureCount as number | undefined}
              min={0}
              onCommit={(v) => setField(p, "toleratedFailureCount", v)}
            />
          </Field>
        </div>
        {kids[0] && (
          <BranchCard
            {...p}
            scope={p.doc.records[kids[0]] as ScopeRec}
            index={0}
            removable={false}
          />
        )}
      </div>
      <RetryList {...p} />
      <CatchList {...p} />
    </>
  );
}
