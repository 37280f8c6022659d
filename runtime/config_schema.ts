/**
 * The config file's keys, types, bounds and defaults, checked by a small declarative validator
 * rather than zod: the server reads its config before anything else, and zod (~95 modules,
 * ~14 MB) is otherwise only needed once a request has to be validated.
 */
import { ConfigError } from "./errors.ts";

type Rule =
  | { kind: "int"; min?: number; max?: number; default: number }
  | { kind: "number"; positive: true; default: number }
  | { kind: "string"; default: string }
  | { kind: "enum"; values: readonly string[]; default: string }
  | { kind: "strings"; default: string[] };

const int = (d: number, min?: number, max?: number): Rule => ({ kind: "int", min, max, default: d });
const positiveInt = (d: number): Rule => int(d, 1);
const positive = (d: number): Rule => ({ kind: "number", positive: true, default: d });
const str = (d: string): Rule => ({ kind: "string", default: d });

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** Every section and key; comments say what a key means where its name does not. */
const SCHEMA = {
  server: {
    port: int(53000, 0, 65535),
    host: str("127.0.0.1"),
    /** Extra Host header values accepted besides loopback names (DNS-rebinding defence). */
    allowed_hosts: { kind: "strings", default: [] } as Rule,
    /** Maximum request body in bytes. */
    body_limit: positiveInt(1024 * 1024),
    /** Seconds to wait for in-flight requests at shutdown. */
    shutdown_grace: positive(10),
  },
  database: {
    data_path: str("./data"),
    synchronous: { kind: "enum", values: ["NORMAL", "FULL"], default: "NORMAL" } as Rule,
    busy_timeout_ms: int(5000, 0),
  },
  logging: {
    level: { kind: "enum", values: LOG_LEVELS, default: "info" } as Rule,
  },
  stepflow: {
    /** Maximum size in bytes of an execution input, state output or task result. */
    payload_limit: positiveInt(256 * 1024),
    max_history_events: positiveInt(25_000),
    max_map_items: positiveInt(10_000),
    max_depth: positiveInt(10),
  },
  functions: {
    global_concurrency: positiveInt(64),
    idle_ttl_seconds: positive(300),
    max_pool_size: positiveInt(8),
    /** Largest JSON result a function may return, bytes. */
    output_limit: positiveInt(6 * 1024 * 1024),
    /** Log output kept per invocation, bytes. */
    log_limit: positiveInt(256 * 1024),
    /** Largest event for a sync / async invocation, bytes. */
    payload_limit: positiveInt(6 * 1024 * 1024),
    async_payload_limit: positiveInt(256 * 1024),
    /** The python3 executable for Python functions. */
    python: str("python3"),
  },
  igniter: {
    /** Events kept for `aio events list` (matched or not), per tenant; 0 keeps none. */
    event_retention_count: int(100_000, 0),
    /** Events older than this many days are deleted. */
    event_retention_days: positive(7),
  },
} as const satisfies Record<string, Record<string, Rule>>;

export interface Config {
  server: {
    port: number;
    host: string;
    allowed_hosts: string[];
    body_limit: number;
    shutdown_grace: number;
  };
  database: { data_path: string; synchronous: "NORMAL" | "FULL"; busy_timeout_ms: number };
  logging: { level: (typeof LOG_LEVELS)[number] };
  stepflow: { payload_limit: number; max_history_events: number; max_map_items: number; max_depth: number };
  functions: {
    global_concurrency: number;
    idle_ttl_seconds: number;
    max_pool_size: number;
    output_limit: number;
    log_limit: number;
    payload_limit: number;
    async_payload_limit: number;
    python: string;
  };
  igniter: { event_retention_count: number; event_retention_days: number };
}

/** A partial config as a file, env or flags give it (validated by parseConfig). */
export type ConfigInput = { [S in keyof Config]?: Partial<Config[S]> };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function check(key: string, rule: Rule, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(key, `expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  switch (rule.kind) {
    case "int": {
      const range = rule.max !== undefined
        ? `an integer from ${rule.min} to ${rule.max}`
        : rule.min === 1
        ? "a positive integer"
        : `an integer ≥ ${rule.min ?? 0}`;
      if (typeof value !== "number" || !Number.isInteger(value)) return fail(range);
      if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
        return fail(range);
      }
      return value;
    }
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        return fail("a positive number");
      }
      return value;
    case "string":
      if (typeof value !== "string" || value === "") return fail("a non-empty string");
      return value;
    case "enum":
      if (typeof value !== "string" || !rule.values.includes(value)) {
        return fail(`one of ${rule.values.join(", ")}`);
      }
      return value;
    case "strings":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
        return fail("a list of non-empty strings");
      }
      return [...value];
  }
}

/** Validates a merged raw object (file < env < flags) and fills in the defaults. */
export function parseConfig(raw: unknown): Config {
  const input = raw ?? {};
  if (!isObject(input)) throw new ConfigError("(root)", "expected a table of sections");
  for (const section of Object.keys(input)) {
    if (!(section in SCHEMA)) throw new ConfigError(section, "unknown key (remove it or check the spelling)");
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(SCHEMA) as [string, Record<string, Rule>][]) {
    const given = input[section] ?? {};
    if (!isObject(given)) throw new ConfigError(section, "expected a table of keys");
    for (const key of Object.keys(given)) {
      if (!(key in keys)) {
        throw new ConfigError(`${section}.${key}`, "unknown key (remove it or check the spelling)");
      }
    }
    const values: Record<string, unknown> = {};
    for (const [key, rule] of Object.entries(keys)) {
      const value = given[key];
      values[key] = value === undefined
        ? (Array.isArray(rule.default) ? [...rule.default] : rule.default)
        : check(`${section}.${key}`, rule, value);
    }
    out[section] = values;
  }
  return out as unknown as Config;
}
