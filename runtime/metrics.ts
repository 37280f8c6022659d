/** Prometheus metrics: one registry per server; services add their own metrics to it. */
import client from "prom-client";

export type MetricsRegistry = client.Registry;

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route" | "status">;
  counter<L extends string>(name: string, help: string, labels: readonly L[]): client.Counter<L>;
  gauge<L extends string>(name: string, help: string, labels: readonly L[]): client.Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labels: readonly L[],
    buckets?: number[],
  ): client.Histogram<L>;
}

export const LATENCY_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.processMetrics !== false) {
    client.collectDefaultMetrics({ register: registry, prefix: "aionix_" });
  }
  const counter = <L extends string>(name: string, help: string, labels: readonly L[]) =>
    new client.Counter<L>({ name, help, labelNames: labels as L[], registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labels: readonly L[]) =>
    new client.Gauge<L>({ name, help, labelNames: labels as L[], registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labels: readonly L[],
    buckets = LATENCY_BUCKETS,
  ) => new client.Histogram<L>({ name, help, labelNames: labels as L[], buckets, registers: [registry] });
  return {
    registry,
    counter,
    gauge,
    histogram,
    httpRequests: counter("aionix_http_requests_total", "HTTP requests by route and status", [
      "method",
      "route",
      "status",
    ]),
    httpDuration: histogram("aionix_http_request_duration_seconds", "HTTP request latency", [
      "method",
      "route",
      "status",
    ]),
  };
}
