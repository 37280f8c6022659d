/** `States.*` error names, error matching for retry/catch, and retry delays. */
import type { ErrorInfo } from "./types.ts";
import type { RetrierT } from "../dsl/schema.ts";

export const States = {
  ALL: "States.ALL",
  Timeout: "States.Timeout",
  TaskFailed: "States.TaskFailed",
  HeartbeatTimeout: "States.HeartbeatTimeout",
  BranchFailed: "States.BranchFailed",
  NoChoiceMatched: "States.NoChoiceMatched",
  QueryEvaluationError: "States.QueryEvaluationError",
  ExceedToleratedFailureThreshold: "States.ExceedToleratedFailureThreshold",
  ItemsLimitExceeded: "States.ItemsLimitExceeded",
  DataLimitExceeded: "States.DataLimitExceeded",
  Runtime: "States.Runtime",
  Permissions: "States.Permissions",
} as const;

/** A state failed with a (catchable) error. */
export class StateFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(`${info.error}: ${info.cause}`);
  }
}

/** A failure no retry or catch may handle (limits, engine faults): the execution fails. */
export class FatalFailure extends StateFailure {}

const UNCATCHABLE = new Set<string>([States.Runtime, States.DataLimitExceeded]);
const TASK_LIKE = new Set<string>([States.TaskFailed, States.HeartbeatTimeout, States.Permissions]);

/**
 * Whether a retry/catch `errors` list matches an error name. `States.ALL` matches everything
 * catchable; `States.TaskFailed` matches task errors (action-raised names, heartbeat
 * timeouts) but not `States.Timeout` or other engine `States.*` errors (AWS semantics).
 */
export function errorMatches(list: string[], name: string): boolean {
  if (UNCATCHABLE.has(name)) return false;
  if (list.includes(name)) return true;
  if (list.includes(States.ALL)) return true;
  if (list.includes(States.TaskFailed)) return !name.startsWith("States.") || TASK_LIKE.has(name);
  return false;
}

/** Delay in ms before retry number `attempt` (1-based) of a retrier. */
export function retryDelayMs(retrier: RetrierT, attempt: number, random: () => number): number {
  const interval = retrier.interval ?? 1;
  const rate = retrier.backoffRate ?? 2;
  let seconds = interval * Math.pow(rate, attempt - 1);
  if (retrier.maxDelay !== undefined) seconds = Math.min(seconds, retrier.maxDelay);
  if (retrier.jitter === "full") seconds = seconds * random();
  return Math.round(seconds * 1000);
}
