/**
 * The engine's data: the serializable state of one execution, the triggers it reacts to
 * (events in), the commands it asks the driver to carry out (commands out) and the
 * history events it records. Nothing here does I/O.
 */

import type { ExecutionStatus, HistoryEventView } from "../types.ts";

export type { ExecutionStatus };

export interface ErrorInfo {
  error: string;
  cause: string;
}

export type HistoryEventType =
  | "ExecutionStarted"
  | "StateEntered"
  | "TaskScheduled"
  | "TaskStarted"
  | "TaskSucceeded"
  | "TaskFailed"
  | "TaskTimedOut"
  | "TaskRetryScheduled"
  | "WaitStarted"
  | "WaitFinished"
  | "MapStarted"
  | "MapIterationStarted"
  | "MapIterationSucceeded"
  | "MapIterationFailed"
  | "ParallelStarted"
  | "BranchStarted"
  | "BranchSucceeded"
  | "BranchFailed"
  | "StateExited"
  | "ExecutionSucceeded"
  | "ExecutionFailed"
  | "ExecutionTimedOut"
  | "ExecutionCancelled"
  | "ExecutionRedriven";

/** The public history event shape with its type narrowed to the engine's event types. */
export interface HistoryEvent extends HistoryEventView {
  type: HistoryEventType;
}

/** A parallel or map fan-out in progress inside one thread's current state. */
export interface Fan {
  type: "parallel" | "map";
  total: number;
  /** Outputs of finished children by index (string keys: JSON objects). */
  results: Record<string, unknown>;
  /** Failed children by index (kept for tolerance accounting and redrive). */
  failures: Record<string, ErrorInfo>;
  /** Indexes of children currently running. */
  running: number[];
  /** Map: next never-started index. */
  next: number;
  /** Map: indexes to run again before `next` (redrive). */
  redo: number[];
  maxConcurrency: number;
  /** Map: the evaluated items. */
  items?: unknown[];
}

export type Phase =
  | { kind: "idle" }
  | { kind: "task"; taskId: string }
  | { kind: "wait"; timerId: string }
  | { kind: "retry"; timerId: string }
  | { kind: "fan"; fan: Fan };

/**
 * One line of control: the root flow, a parallel branch or a map iteration. Its id is its
 * state-path prefix ("" for the root, "Par/branch[0]", "Map/item[3]").
 */
export interface Thread {
  id: string;
  /** Unique number; guards continuations against a thread replaced under the same id. */
  uid: number;
  /** JSON pointer of the graph this thread runs ("" = the root graph). */
  graph: string;
  parent?: string;
  index?: number;
  status: "running" | "failed" | "cancelled";
  vars: Record<string, unknown>;
  state: string;
  input: unknown;
  enteredAt: number;
  /** Attempts used per retrier index for the current state. */
  retries: number[];
  phase: Phase;
  error?: ErrorInfo;
}

export interface TaskRef {
  thread: string;
  threadUid: number;
  statePath: string;
  action: string;
  /** The evaluated parameters (redacted when they carried secrets; then re-evaluated on resume). */
  input: unknown;
  redacted?: boolean;
  attempt: number;
  key: string;
  mode: "sync" | "callback";
  token?: string;
  timeoutTimer?: string;
  heartbeatTimer?: string;
  heartbeatSeconds?: number;
  deadline?: number;
  scheduledAt: number;
}

export type TimerKind = "wait" | "retry" | "taskTimeout" | "heartbeat" | "execTimeout";

export interface TimerRef {
  at: number;
  kind: TimerKind;
  thread?: string;
  threadUid?: number;
  taskId?: string;
}

export interface ExecState {
  v: 1;
  id: string;
  name: string;
  template: string;
  version: number;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: number;
  stoppedAt?: number;
  threads: Record<string, Thread>;
  tasks: Record<string, TaskRef>;
  timers: Record<string, TimerRef>;
  /** Task dispatches per state path: the `attempt` in idempotency keys, unique across loops and redrives. */
  attempts: Record<string, number>;
  /** Next history sequence number. */
  seq: number;
  /** Counter for thread uids and timer ids. */
  counter: number;
  redriveCount: number;
}

export type Trigger =
  | { type: "start"; vars?: Record<string, unknown> }
  /** The driver handed the task to its executor (after the commit that scheduled it). */
  | { type: "taskStarted"; taskId: string; resumed?: boolean }
  | { type: "taskSucceeded"; taskId: string; output: unknown }
  | { type: "taskFailed"; taskId: string; error: string; cause: string }
  | { type: "heartbeat"; taskId: string }
  | { type: "timer"; timerId: string }
  | { type: "cancel"; cause?: string }
  | { type: "redrive" };

export type Command =
  | {
    type: "dispatch";
    taskId: string;
    action: string;
    input: unknown;
    key: string;
    mode: "sync" | "callback";
    statePath: string;
    token?: string;
    deadline?: number;
  }
  | { type: "abortTask"; taskId: string; reason: string }
  | { type: "setTimer"; timerId: string; at: number }
  | { type: "clearTimer"; timerId: string }
  | { type: "finished"; status: ExecutionStatus };

export interface Transition {
  events: HistoryEvent[];
  commands: Command[];
}
