/** Prometheus text exposition → samples → the console's key numbers (pure; no React). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) {
    labels[m[1]] = m[2].replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
  }
  return labels;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) continue;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      // the closing brace outside quoted values
      let i = 1;
      let quoted = false;
      for (; i < rest.length; i++) {
        const c = rest[i];
        if (c === "\\" && quoted) i++;
        else if (c === '"') quoted = !quoted;
        else if (c === "}" && !quoted) break;
      }
      labels = parseLabels(rest.slice(1, i));
      rest = rest.slice(i + 1);
    }
    const valueText = rest.trim().split(/\s+/)[0];
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    if (valueText !== undefined && !Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Sum of a metric's samples, optionally only those whose labels match. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Sums a metric grouped by one label. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const k = s.labels[label] ?? "";
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/** Quantile q of a histogram over all its series (linear interpolation inside the bucket), in its unit. */
export function quantile(samples: Sample[], histogram: string, q: number): number | undefined {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${histogram}_bucket`) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (!count) return undefined;
  const rank = q * count;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, cum] of sorted) {
    if (cum >= rank) {
      if (!Number.isFinite(bound)) return prevBound;
      const inBucket = cum - prevCount;
      return inBucket ? prevBound + (bound - prevBound) * ((rank - prevCount) / inBucket) : bound;
    }
    prevBound = bound;
    prevCount = cum;
  }
  return prevBound;
}

export interface RouteStat {
  method: string;
  route: string;
  count: number;
  errors: number;
  avgMs: number;
}

export interface FnStat {
  function: string;
  tenant: string;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  avgMs: number;
}

export interface Overview {
  executions: Record<string, number>;
  executionsRunning: number;
  transitions: number;
  functions: FnStat[];
  fires: Record<string, number>;
  deliveries: Record<string, number>;
  deadLetters: number;
  events: number;
  http: {
    requests: number;
    byClass: Record<string, number>;
    avgMs?: number;
    p50Ms?: number;
    p95Ms?: number;
    p99Ms?: number;
    routes: RouteStat[];
  };
  process: { rssBytes?: number; cpuSeconds?: number; startTime?: number };
}

const one = (samples: Sample[], name: string) => samples.find((s) => s.name === name)?.value;

export function overview(samples: Sample[]): Overview {
  const fnKey = (s: Sample) => `${s.labels.tenant ?? ""}/${s.labels.function ?? ""}`;
  const fns = new Map<string, FnStat & { durSum: number; durCount: number }>();
  const fnOf = (s: Sample) => {
    const key = fnKey(s);
    let f = fns.get(key);
    if (!f) {
      f = {
        function: s.labels.function ?? "",
        tenant: s.labels.tenant ?? "",
        invocations: 0,
        errors: 0,
        throttles: 0,
        coldStarts: 0,
        avgMs: 0,
        durSum: 0,
        durCount: 0,
      };
      fns.set(key, f);
    }
    return f;
  };
  const routes = new Map<string, RouteStat & { sum: number }>();
  const byClass: Record<string, number> = {};
  for (const s of samples) {
    switch (s.name) {
      case "aionix_fn_invocations_total":
        fnOf(s).invocations += s.value;
        break;
      case "aionix_fn_errors_total":
        fnOf(s).errors += s.value;
        break;
      case "aionix_fn_throttles_total":
        fnOf(s).throttles += s.value;
        break;
      case "aionix_fn_cold_starts_total":
        fnOf(s).coldStarts += s.value;
        break;
      case "aionix_fn_duration_seconds_sum":
        fnOf(s).durSum += s.value;
        break;
      case "aionix_fn_duration_seconds_count":
        fnOf(s).durCount += s.value;
        break;
      case "aionix_http_requests_total": {
        const key = `${s.labels.method} ${s.labels.route}`;
        const r = routes.get(key) ??
          { method: s.labels.method, route: s.labels.route, count: 0, errors: 0, avgMs: 0, sum: 0 };
        r.count += s.value;
        if (Number(s.labels.status) >= 500) r.errors += s.value;
        routes.set(key, r);
        const cls = `${String(s.labels.status ?? "?")[0]}xx`;
        byClass[cls] = (byClass[cls] ?? 0) + s.value;
        break;
      }
      case "aionix_http_request_duration_seconds_sum": {
        const r = routes.get(`${s.labels.method} ${s.labels.route}`);
        if (r) r.sum += s.value;
        break;
      }
    }
  }
  const httpCount = total(samples, "aionix_http_request_duration_seconds_count");
  const httpSum = total(samples, "aionix_http_request_duration_seconds_sum");
  const toMs = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  return {
    executions: byLabel(samples, "aionix_stepflow_executions_total", "status"),
    executionsRunning: total(samples, "aionix_stepflow_executions_running"),
    transitions: total(samples, "aionix_stepflow_transitions_total"),
    functions: [...fns.values()].map(({ durSum, durCount, ...f }) => ({
      ...f,
      avgMs: durCount ? (durSum / durCount) * 1000 : 0,
    })).sort((a, b) => b.invocations - a.invocations),
    fires: byLabel(samples, "aionix_igniter_fires_total", "type"),
    deliveries: byLabel(samples, "aionix_igniter_deliveries_total", "outcome"),
    deadLetters: total(samples, "aionix_igniter_dead_letters_total"),
    events: total(samples, "aionix_igniter_events_total"),
    http: {
      requests: total(samples, "aionix_http_requests_total"),
      byClass,
      avgMs: httpCount ? (httpSum / httpCount) * 1000 : undefined,
      p50Ms: toMs(quantile(samples, "aionix_http_request_duration_seconds", 0.5)),
      p95Ms: toMs(quantile(samples, "aionix_http_request_duration_seconds", 0.95)),
      p99Ms: toMs(quantile(samples, "aionix_http_request_duration_seconds", 0.99)),
      routes: [...routes.values()].map(({ sum, ...r }) => ({
        ...r,
        avgMs: r.count ? (sum / r.count) * 1000 : 0,
      }))
        .sort((a, b) => b.count - a.count),
    },
    process: {
      rssBytes: one(samples, "aionix_process_resident_memory_bytes"),
      cpuSeconds: one(samples, "aionix_process_cpu_seconds_total"),
      startTime: one(samples, "aionix_process_start_time_seconds"),
    },
  };
}
