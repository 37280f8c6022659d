/**
 * The workflow document: a flat record store (nodes, scopes, meta) that maps one-to-one to the
 * StepFlow DSL. Scopes are the state maps (the root, each parallel branch, each map processor);
 * nodes are states. Edges are not stored: they are derived from the states' own references
 * (next, default, routes[].next, catch[].next), so they can never disagree with the DSL.
 */

export type StateType =
  | "task"
  | "parallel"
  | "map"
  | "router"
  | "wait"
  | "set"
  | "succeed"
  | "fail";
export const STATE_TYPES: readonly StateType[] = [
  "task",
  "parallel",
  "map",
  "router",
  "wait",
  "set",
  "succeed",
  "fail",
];
/** Types that continue with `next` or stop with `end: true`. */
export const CHAINED_TYPES: ReadonlySet<string> = new Set([
  "task",
  "parallel",
  "map",
  "wait",
  "set",
]);
export const TERMINAL_TYPES: ReadonlySet<string> = new Set(["succeed", "fail"]);

export type Json = null | boolean | number | string | Json[] | {
  [key: string]: Json;
};
export type JsonObject = { [key: string]: Json };

/** A DSL state with its type-specific fields (branches/processor removed: they live in scopes). */
export type StateDef = JsonObject & { type: string };

export interface Position {
  x: number;
  y: number;
}

export interface NodeRec {
  kind: "node";
  id: string;
  scope: string;
  name: string;
  def: StateDef;
  /** Child scope ids: every branch of a parallel, or the processor of a map (one element). */
  children?: string[];
  /** Position relative to the enclosing group (or the canvas for the root scope). */
  pos?: Position;
}

export interface ScopeRec {
  kind: "scope";
  id: string;
  /** The parallel/map node that owns this scope; null for the root. */
  owner: string | null;
  slot: "root" | "branch" | "processor";
  entry: string;
  /** Node ids in DSL order. */
  order: string[];
  /** Other members of the branch/processor object (e.g. comment), kept for a lossless round trip. */
  extra: JsonObject;
  /** The original key order of the branch/processor (or top-level) object. */
  keys?: string[];
}

export interface MetaRec {
  kind: "meta";
  id: "meta";
  /** Every top-level DSL member except entry and states. */
  fields: JsonObject;
}

export type Rec = NodeRec | ScopeRec | MetaRec;
export type Records = Readonly<Record<string, Rec>>;

export interface Doc {
  records: Records;
}

export const ROOT = "root";

/** Where an edge leaves its source: the next, the router default, a route or a catch. */
export type EdgeKind =
  | "next"
  | "default"
  | `route:${number}`
  | `catch:${number}`;

export interface Edge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  scope: string;
  label?: string;
}

export interface WorkflowDsl {
  entry: string;
  states: Record<string, JsonObject>;
  [key: string]: Json;
}

/** Model errors carry a code so the UI can explain them; a failing transaction leaves the doc unchanged. */
export class ModelError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "ModelError";
  }
}
