/** Function metrics: Prometheus series plus a small in-memory summary per function and version. */
import type { Metrics } from "../../runtime/metrics.ts";

export interface FnStats {
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  durationMs: { p50: number; p95: number; p99: number; max: number };
}

const RING = 1024;

interface Acc {
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  durations: number[];
  next: number;
}

const DURATION_BUCKETS = [
  0.0005,
  0.001,
  0.002,
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
  30,
  60,
  300,
];

export class FnMetrics {
  #acc = new Map<string, Acc>();
  readonly invocations;
  readonly errors;
  readonly throttles;
  readonly coldStarts;
  readonly duration;
  constructor(metrics: Metrics) {
    const labels = ["tenant", "function", "version"] as const;
    this.invocations = metrics.counter("aionix_fn_invocations_total", "Function invocations", labels);
    this.errors = metrics.counter("aionix_fn_errors_total", "Function invocations that failed", [
      ...labels,
      "error_type",
    ]);
    this.throttles = metrics.counter(
      "aionix_fn_throttles_total",
      "Invocations refused by a concurrency limit",
      [
        "tenant",
        "function",
      ],
    );
    this.coldStarts = metrics.counter(
      "aionix_fn_cold_starts_total",
      "Invocations that started a worker",
      labels,
    );
    this.duration = metrics.histogram(
      "aionix_fn_duration_seconds",
      "Function duration",
      labels,
      DURATION_BUCKETS,
    );
  }

  #get(key: string): Acc {
    let acc = this.#acc.get(key);
    if (!acc) {
      acc = { invocations: 0, errors: 0, throttles: 0, coldStarts: 0, durations: [], next: 0 };
      this.#acc.set(key, acc);
    }
    return acc;
  }

  record(
    tenant: string,
    fn: string,
    version: string,
    r: { ok: boolean; errorType?: string; durationMs: number; coldStart: boolean },
  ) {
    const labels = { tenant, function: fn, version };
    this.invocations.inc(labels);
    this.duration.observe(labels, r.durationMs / 1000);
    if (r.coldStart) this.coldStarts.inc(labels);
    if (!r.ok) this.errors.inc({ ...labels, error_type: r.errorType ?? "Unknown" });
    for (const key of [`${tenant}/${fn}/*`, `${tenant}/${fn}/${version}`]) {
      const acc = this.#get(key);
      acc.invocations++;
      if (!r.ok) acc.errors++;
      if (r.coldStart) acc.coldStarts++;
      if (acc.durations.length < RING) acc.durations.push(r.durationMs);
      else acc.durations[acc.next++ % RING] = r.durationMs;
    }
  }

  throttled(tenant: string, fn: string) {
    this.throttles.inc({ tenant, function: fn });
    this.#get(`${tenant}/${fn}/*`).throttles++;
  }

  /** Summary for a function: overall and per version. */
  summary(tenant: string, fn: string): { total: FnStats; versions: Record<string, FnStats> } {
    const toStats = (acc: Acc | undefined): FnStats => {
      const d = [...(acc?.durations ?? [])].sort((a, b) => a - b);
      const p = (q: number) =>
        d.length ? Math.round(d[Math.min(d.length - 1, Math.ceil(q * d.length) - 1)] * 1000) / 1000 : 0;
      return {
        invocations: acc?.invocations ?? 0,
        errors: acc?.errors ?? 0,
        throttles: acc?.throttles ?? 0,
        coldStarts: acc?.coldStarts ?? 0,
        durationMs: { p50: p(0.5), p95: p(0.95), p99: p(0.99), max: d.length ? d[d.length - 1] : 0 },
      };
    };
    const prefix = `${tenant}/${fn}/`;
    const versions: Record<string, FnStats> = {};
    for (const [key, acc] of this.#acc) {
      if (key.startsWith(prefix) && !key.endsWith("/*")) versions[key.slice(prefix.length)] = toStats(acc);
    }
    return { total: toStats(this.#acc.get(`${prefix}*`)), versions };
  }

  forget(tenant: string, fn: string) {
    for (const key of [...this.#acc.keys()]) if (key.startsWith(`${tenant}/${fn}/`)) this.#acc.delete(key);
  }
}
