/** Igniter's Prometheus metrics (labels are bounded: trigger type, outcome, reason). */
import type { Metrics } from "../../runtime/metrics.ts";

export function createIgniterMetrics(metrics: Metrics) {
  return {
    fires: metrics.counter("aionix_igniter_fires_total", "Trigger firings accepted, by trigger type", [
      "type",
    ]),
    skipped: metrics.counter("aionix_igniter_skipped_total", "Schedule fires skipped, by reason", ["reason"]),
    events: metrics.counter("aionix_igniter_events_total", "Events accepted on an event bus", []),
    matches: metrics.counter("aionix_igniter_matches_total", "Event-rule matches", []),
    deliveries: metrics.counter("aionix_igniter_deliveries_total", "Dispatches to targets, by outcome", [
      "outcome",
    ]),
    failures: metrics.counter("aionix_igniter_delivery_failures_total", "Failed dispatch attempts", []),
    deadLetters: metrics.counter(
      "aionix_igniter_dead_letters_total",
      "Firings sent to a dead-letter destination",
      [],
    ),
    webhookRejected: metrics.counter(
      "aionix_igniter_webhook_rejected_total",
      "Webhook requests refused, by reason",
      [
        "reason",
      ],
    ),
    scheduleLag: metrics.histogram(
      "aionix_igniter_schedule_lag_seconds",
      "Delay between a schedule's fire time and its firing being recorded",
      [],
      [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 60, 300, 3600],
    ),
  };
}

export type IgniterMetrics = ReturnType<typeof createIgniterMetrics>;
