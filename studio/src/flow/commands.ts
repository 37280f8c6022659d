/** Editor commands used by the canvas and inspectors: a transaction plus placement of new states. */
import { type Editor, type Layout, moveNodes, positionsFromLayout, type Tx } from "../model/mod.ts";
import { autoLayout, type Direction, openingLayout } from "./layout.ts";

/**
 * Runs fn as one transaction; states it created without a position are placed by auto layout of
 * their scope inside the same transaction, so undo removes the state and its placement together.
 */
export function run<T>(
  editor: Editor,
  label: string,
  fn: (tx: Tx) => T,
  dir: Direction = "TB",
): T {
  return editor.transact(label, (tx) => {
    const result = fn(tx);
    placeMissing(tx, dir);
    return result;
  });
}

export function placeMissing(tx: Tx, dir: Direction): void {
  const missing = Object.values(tx.records).some((r) => r.kind === "node" && !r.pos);
  if (missing) moveNodes(tx, autoLayout({ records: tx.records }, dir, true));
}

/** Lays the whole workflow out again (one undo step). */
export function relayout(editor: Editor, dir: Direction): void {
  editor.transact(
    "auto layout",
    (tx) => moveNodes(tx, autoLayout({ records: tx.records }, dir)),
  );
}

/**
 * Places the states of a just-opened document: the saved layout's positions win, the others are
 * laid out automatically. Not an undo step (undo never goes back to an unplaced document).
 */
export function placeOpened(editor: Editor, layout: Layout | null | undefined, dir: Direction): void {
  editor.transact("open", (tx) => {
    const doc = { records: tx.records };
    moveNodes(tx, openingLayout(doc, dir, positionsFromLayout(doc, layout)));
  }, { ignoreHistory: true });
}
