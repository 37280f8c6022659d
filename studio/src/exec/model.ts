/** Execution history → per-state status, rows for the table view, and taken edges. */
import type { Execution, HistoryEventView as HistoryEvent } from "../../../services/stepflow/types.ts";
import type { ExecStatus } from "../flow/adapter.ts";
import { type Doc, nodeForStatePath } from "../model/mod.ts";

export type { Execution, HistoryEvent };

export interface StateRun {
  path: string;
  name: string;
  type: string;
  status: ExecStatus;
  enteredAt: number;
  exitedAt?: number;
  retries: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
}

const FAIL = new Set([
  "TaskFailed",
  "TaskTimedOut",
  "MapIterationFailed",
  "BranchFailed",
]);

/** Folds history into one run per state path (the latest entry wins for re-entered states). */
export function stateRuns(events: HistoryEvent[]): StateRun[] {
  const runs = new Map<string, StateRun>();
  let lastEntered: StateRun | undefined;
  for (const e of events) {
    if (!e.statePath) {
      if (
        (e.type === "ExecutionFailed" || e.type === "ExecutionTimedOut") &&
        lastEntered?.status === "running"
      ) {
        lastEntered.status = "failed";
        lastEntered.error ??= e.error;
        lastEntered.cause ??= e.cause;
      }
      if (
        e.type === "ExecutionCancelled" && lastEntered?.status === "running"
      ) lastEntered.status = "cancelled";
      continue;
    }
    let run = runs.get(e.statePath);
    if (e.type === "StateEntered" || !run) {
      run = {
        path: e.statePath,
        name: e.stateName ?? e.statePath.split("/").pop()!,
        type: e.stateType ?? run?.type ?? "",
        status: "running",
        enteredAt: Date.parse(e.timestamp),
        retries: 0,
        input: e.input,
        events: [],
      };
      runs.delete(e.statePath);
      runs.set(e.statePath, run);
      lastEntered = run;
    }
    run.events.push(e);
    if (e.stateType) run.type = e.stateType;
    if (e.type === "TaskRetryScheduled") {
      run.retries++;
      run.status = "retrying";
    } else if (e.type === "TaskStarted" || e.type === "TaskScheduled") {
      run.status = "running";
    } else if (FAIL.has(e.type)) {
      run.status = "failed";
      run.error = e.error;
      run.cause = e.cause;
    } else if (e.type === "StateExited") {
      run.exitedAt = Date.parse(e.timestamp);
      run.output = e.output;
      if (e.error) {
        run.error = e.error;
        run.cause = e.cause;
      }
      run.status = run.status === "failed" || e.error ? "caught" : "succeeded";
    }
  }
  return [...runs.values()];
}

/** Status per node id (map iterations fold into their processor states: failed > running > …). */
export function statusByNode(
  doc: Doc,
  runs: StateRun[],
): Map<string, ExecStatus> {
  const rank: Record<ExecStatus, number> = {
    failed: 5,
    running: 4,
    retrying: 4,
    caught: 3,
    cancelled: 2,
    succeeded: 1,
  };
  const out = new Map<string, ExecStatus>();
  for (const r of runs) {
    const id = nodeForStatePath(doc, r.path);
    if (!id) continue;
    const prev = out.get(id);
    if (!prev || rank[r.status] >= rank[prev]) out.set(id, r.status);
  }
  return out;
}

/** Edges that were followed: a state exited and the next state entered in the same scope. */
export function takenEdges(doc: Doc, events: HistoryEvent[]): Set<string> {
  const out = new Set<string>();
  const lastExited = new Map<string, string>();
  for (const e of events) {
    if (!e.statePath) continue;
    const parent = e.statePath.split("/").slice(0, -1).join("/");
    const id = nodeForStatePath(doc, e.statePath);
    if (!id) continue;
    if (e.type === "StateEntered") {
      const prev = lastExited.get(parent);
      if (prev) out.add(`${prev}->${id}`);
    } else if (e.type === "StateExited") lastExited.set(parent, id);
  }
  return out;
}
