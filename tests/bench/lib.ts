/**
 * The bench frame: suites register measurements; run.ts prints one table
 * (p50/p95/p99, ops/s) with the machine noted. Targets are compared in notes, not asserted.
 */
export interface Measurement {
  suite: string;
  name: string;
  /** Latency samples in milliseconds (empty for pure throughput/size entries). */
  samples: number[];
  /** Operations per second, when measured. */
  opsPerSec?: number;
  /** Free-form value for non-latency entries (e.g. "61 MB"). */
  value?: string;
  target?: string;
}

export interface MeasureOptions {
  iterations?: number;
  warmup?: number;
  /** Runs this many callers at once; ops/s is computed over the whole run. */
  concurrency?: number;
  target?: string;
}

export class BenchContext {
  readonly results: Measurement[] = [];
  constructor(readonly suite: string) {}

  /** Times fn `iterations` times (after `warmup` untimed calls). */
  async measure(name: string, fn: () => Promise<unknown> | unknown, options: MeasureOptions = {}) {
    const iterations = options.iterations ?? 200;
    const concurrency = options.concurrency ?? 1;
    for (let i = 0; i < (options.warmup ?? 20); i++) await fn();
    const samples: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < iterations) {
        next++;
        const t0 = performance.now();
        await fn();
        samples.push(performance.now() - t0);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const m: Measurement = {
      suite: this.suite,
      name,
      samples,
      opsPerSec: iterations / seconds,
      target: options.target,
    };
    this.results.push(m);
    return m;
  }

  /** Records precomputed samples (e.g. wall times of subprocesses). */
  record(
    name: string,
    samples: number[],
    extra: { opsPerSec?: number; value?: string; target?: string } = {},
  ) {
    this.results.push({ suite: this.suite, name, samples, ...extra });
  }
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export type Suite = (ctx: BenchContext) => Promise<void>;
