/** The def a freshly created state of each type starts with (valid on its own once linked). */
import type { StateDef, StateType } from "../types.ts";

export interface NewStateOptions {
  /** For tasks: the action (fn:NAME, act:KIND.NAME, wf:NAME, http). */
  action?: string;
}

export function defaultDef(
  type: StateType,
  options: NewStateOptions = {},
): StateDef {
  switch (type) {
    case "task":
      return options.action && options.action !== "http"
        ? { type, action: options.action, parameters: {} }
        : {
          type,
          action: "http",
          parameters: { method: "GET", url: "https://example.com" },
        };
    case "parallel":
      return { type };
    case "map":
      return { type, items: "{% input.items %}", maxConcurrency: 0 };
    case "router":
      return { type, routes: [] };
    case "wait":
      return { type, seconds: 1 };
    case "set":
      return { type, output: { expression: "{% input %}" } };
    case "succeed":
      return { type };
    case "fail":
      return { type, error: "Failed", cause: "" };
  }
}

export const DEFAULT_NAMES: Record<StateType, string> = {
  task: "Task",
  parallel: "Parallel",
  map: "Map",
  router: "Router",
  wait: "Wait",
  set: "Set",
  succeed: "Succeed",
  fail: "Fail",
};
