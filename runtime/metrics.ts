/**
 * Prometheus metrics on prom-client, loaded lazily: importing prom-client costs ~25-50 ms and
 * ~7 MB, so it is loaded on the first scrape of /metrics, or in the background once 2,000
 * updates are waiting. Metrics declared and recorded before that are queued and replayed in
 * order, so nothing is lost.
 */
import type client from "prom-client";

type PromClient = typeof client;
type Labels<L extends string> = Partial<Record<L, string | number>>;

export interface CounterLike<L extends string> {
  inc(labels?: Labels<L> | number, value?: number): void;
}
export interface GaugeLike<L extends string> {
  inc(labels?: Labels<L> | number, value?: number): void;
  dec(labels?: Labels<L> | number, value?: number): void;
  set(labels: Labels<L> | number, value?: number): void;
}
export interface HistogramLike<L extends string> {
  observe(labels: Labels<L> | number, value?: number): void;
}

export interface Metrics {
  httpRequests: CounterLike<"method" | "route" | "status">;
  httpDuration: HistogramLike<"method" | "route" | "status">;
  counter<L extends string>(name: string, help: string, labels: readonly L[]): CounterLike<L>;
  gauge<L extends string>(name: string, help: string, labels: readonly L[]): GaugeLike<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labels: readonly L[],
    buckets?: number[],
  ): HistogramLike<L>;
  /** Loads prom-client and replays what was recorded so far; idempotent. */
  load(): Promise<void>;
  /** True once prom-client is loaded and the queued updates are replayed. */
  isLoaded(): boolean;
  /** The Prometheus text exposition (loads prom-client if needed). */
  render(): Promise<{ text: string; contentType: string }>;
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

/**
 * A metric whose prom-client object exists only after load(); calls before that are queued.
 * `admit` sees every call to queue and bounds the queue: it starts loading past a threshold
 * and refuses calls if loading fails for good.
 */
class Deferred<T> {
  real?: T;
  #pending: ((real: T) => void)[] = [];
  constructor(private admit: () => boolean) {}
  call(fn: (real: T) => void) {
    if (this.real) return fn(this.real);
    if (this.admit()) this.#pending.push(fn);
  }
  resolve(real: T) {
    this.real = real;
    for (const fn of this.#pending) fn(real);
    this.#pending = [];
  }
}

/** Calls queued before prom-client is loaded; past this many it is loaded in the background. */
const MAX_QUEUED = 2_000;

// prom-client's overloads (labels, value) | (value) are forwarded as they came.
// deno-lint-ignore no-explicit-any
type AnyMetric = any;

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const declared: { create: (pc: PromClient, registry: client.Registry) => void }[] = [];
  let registry: client.Registry | undefined;
  let loaded: PromClient | undefined;
  let loading: Promise<void> | undefined;
  let queued = 0;
  const admit = () => {
    if (++queued === MAX_QUEUED) void load().catch(() => {});
    return queued < MAX_QUEUED * 50; // prom-client failed to load: stop queueing
  };

  const declare = (
    kind: "Counter" | "Gauge" | "Histogram",
    name: string,
    help: string,
    labels: readonly string[],
    buckets?: number[],
  ) => {
    const deferred = new Deferred<AnyMetric>(admit);
    const create = (pc: PromClient, reg: client.Registry) => {
      const config = {
        name,
        help,
        labelNames: [...labels],
        registers: [reg],
        ...(buckets ? { buckets } : {}),
      };
      deferred.resolve(new pc[kind](config as AnyMetric));
    };
    declared.push({ create });
    if (registry && loaded) create(loaded, registry);
    return deferred;
  };

  const counter = <L extends string>(name: string, help: string, labels: readonly L[]): CounterLike<L> => {
    const d = declare("Counter", name, help, labels);
    return { inc: (a, b) => d.call((m) => m.inc(a, b)) };
  };
  const gauge = <L extends string>(name: string, help: string, labels: readonly L[]): GaugeLike<L> => {
    const d = declare("Gauge", name, help, labels);
    return {
      inc: (a, b) => d.call((m) => m.inc(a, b)),
      dec: (a, b) => d.call((m) => m.dec(a, b)),
      set: (a, b) => d.call((m) => (b === undefined ? m.set(a) : m.set(a, b))),
    };
  };
  const histogram = <L extends string>(
    name: string,
    help: string,
    labels: readonly L[],
    buckets = LATENCY_BUCKETS,
  ): HistogramLike<L> => {
    const d = declare("Histogram", name, help, labels, buckets);
    return { observe: (a, b) => d.call((m) => (b === undefined ? m.observe(a) : m.observe(a, b))) };
  };

  const load = () =>
    loading ??= import("prom-client").then((mod) => {
      const pc = (mod.default ?? mod) as PromClient;
      registry = new pc.Registry();
      if (options.processMetrics !== false) {
        pc.collectDefaultMetrics({ register: registry, prefix: "aionix_" });
      }
      loaded = pc;
      for (const d of declared) d.create(pc, registry);
    });

  return {
    counter,
    gauge,
    histogram,
    load,
    isLoaded: () => loaded !== undefined,
    async render() {
      await load();
      return { text: await registry!.metrics(), contentType: registry!.contentType };
    },
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
