/** What every inspector receives, and the edit helper they share. */
import {
  type Doc,
  type Editor,
  type Json,
  nameIndex,
  type NodeRec,
  type Tx,
  updateNode,
} from "../../model/mod.ts";
import { run } from "../../flow/commands.ts";
import type { Direction } from "../../flow/layout.ts";
import { toastError } from "../../ui/toast.tsx";

export interface InspectorProps {
  editor: Editor;
  doc: Doc;
  node: NodeRec;
  dir: Direction;
  /** Known actions for the task action picker (functions, OpenAct actions, workflows). */
  actions: string[];
}

/** Runs an edit; a rejected edit (invariant, bad name) is reported and leaves the document as it was. */
export function edit(
  p: InspectorProps,
  label: string,
  fn: (tx: Tx) => unknown,
): boolean {
  try {
    run(p.editor, label, fn, p.dir);
    return true;
  } catch (err) {
    toastError(err);
    return false;
  }
}

export function setField(
  p: InspectorProps,
  field: string,
  value: Json | undefined,
) {
  edit(
    p,
    `edit ${field}`,
    (tx) => updateNode(tx, p.node.id, { [field]: value }),
  );
}

/** Other states of the same scope (targets for next, routes, catches, default). */
export function siblings(p: InspectorProps): string[] {
  return [...nameIndex(p.doc.records, p.node.scope).keys()].filter((n) => n !== p.node.name);
}
