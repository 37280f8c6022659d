/** StepFlow's Prometheus metrics. */
import type { Metrics } from "../../../runtime/metrics.ts";

export function stepflowMetrics(m: Metrics) {
  return {
    executions: m.counter("aionix_stepflow_executions_total", "Executions started and finished, by status", [
      "status",
      "kind",
    ]),
    running: m.gauge("aionix_stepflow_executions_running", "Executions currently running", ["kind"]),
    transitions: m.counter("aionix_stepflow_transitions_total", "State transitions (states exited)", []),
    stateLatency: m.histogram(
      "aionix_stepflow_state_duration_seconds",
      "Time from entering to leaving a state",
      [
        "type",
      ],
    ),
    batch: m.histogram("aionix_stepflow_commit_batch_size", "Executions written per group commit", [], [
      1,
      2,
      5,
      10,
      25,
      50,
      100,
      250,
      500,
    ]),
  };
}

export type StepFlowMetrics = ReturnType<typeof stepflowMetrics>;
