/** The Studio model: pure TypeScript (no React, no xyflow). */
export * from "./types.ts";
export { CHILD_SLOT, fromDsl, stateToDsl, toDsl, toDslText } from "./convert.ts";
export { applyDiff, type Diff, diffRecords, invertDiff, type Op, squashDiffs } from "./diff.ts";
export { Editor, InvariantError, type TransactOptions } from "./editor.ts";
export { checkInvariants, newViolations, type Violation } from "./invariants.ts";
export { Tx } from "./tx.ts";
export { edges, nameIndex, nodeOf, references, scopeOf, targetOf } from "./graph.ts";
export { nodeForPointer, nodeForStatePath, statePathOf } from "./paths.ts";
export { locatePointer, type Span } from "./json_locate.ts";
export * from "./transactions/node.ts";
export * from "./transactions/delete.ts";
export * from "./transactions/router.ts";
export * from "./transactions/catch.ts";
export { DEFAULT_NAMES, defaultDef } from "./transactions/defaults.ts";
export { type Layout, layoutOf, positionsFromLayout } from "./saved_layout.ts";
