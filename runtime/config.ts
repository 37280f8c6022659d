/**
 * Configuration: defaults < config.toml < AIONIX_* env < command-line flags.
 * Every section is a strict zod object, so an unknown key or a bad value stops the
 * start with a message naming the key (e.g. `config: server.port: expected ...`).
 */
import { z } from "zod";
import { parse as parseToml } from "smol-toml";
import { ConfigError } from "./errors.ts";

const LogLevel = z.enum(["debug", "info", "warn", "error", "silent"]);

export const ConfigSchema = z.strictObject({
  server: z.strictObject({
    port: z.number().int().min(0).max(65535).default(53000),
    host: z.string().min(1).default("127.0.0.1"),
    /** Extra Host header values accepted besides loopback names (DNS-rebinding defence). */
    allowed_hosts: z.array(z.string().min(1)).default([]),
    /** Maximum request body in bytes. */
    body_limit: z.number().int().positive().default(1024 * 1024),
    /** Seconds to wait for in-flight requests at shutdown. */
    shutdown_grace: z.number().positive().default(10),
  }).prefault({}),
  database: z.strictObject({
    data_path: z.string().min(1).default("./data"),
    synchronous: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
    busy_timeout_ms: z.number().int().min(0).default(5000),
  }).prefault({}),
  logging: z.strictObject({
    level: LogLevel.default("info"),
  }).prefault({}),
  stepflow: z.strictObject({
    /** Maximum size in bytes of an execution input, state output or task result. */
    payload_limit: z.number().int().positive().default(256 * 1024),
    max_history_events: z.number().int().positive().default(25_000),
    max_map_items: z.number().int().positive().default(10_000),
    max_depth: z.number().int().positive().default(10),
  }).prefault({}),
  functions: z.strictObject({
    global_concurrency: z.number().int().positive().default(64),
    idle_ttl_seconds: z.number().positive().default(300),
    max_pool_size: z.number().int().positive().default(8),
    /** Largest JSON result a function may return, bytes. */
    output_limit: z.number().int().positive().default(6 * 1024 * 1024),
    /** Log output kept per invocation, bytes. */
    log_limit: z.number().int().positive().default(256 * 1024),
    /** Largest event for a sync / async invocation, bytes. */
    payload_limit: z.number().int().positive().default(6 * 1024 * 1024),
    async_payload_limit: z.number().int().positive().default(256 * 1024),
    /** The python3 executable for Python functions. */
    python: z.string().min(1).default("python3"),
  }).prefault({}),
  igniter: z.strictObject({
    /** Events kept for `aio events list` (matched or not), per tenant; 0 keeps none. */
    event_retention_count: z.number().int().min(0).default(100_000),
    /** Events older than this many days are deleted. */
    event_retention_days: z.number().positive().default(7),
  }).prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Flags that the server accepts on its command line. */
export interface ServerFlags {
  port?: number;
  host?: string;
  data?: string;
  config?: string;
  logLevel?: string;
}

function issuesToError(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = [...issue.path, ...(keys.length ? [keys[0]] : [])].join(".");
  const message = issue.code === "unrecognized_keys"
    ? `unknown key (remove it or check the spelling)`
    : issue.message;
  return new ConfigError(path || "(root)", message);
}

/** Validate an already merged raw object. */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw issuesToError(result.error);
  return result.data;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function numberFrom(key: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new ConfigError(key, `'${value}' is not a number`);
  return n;
}

/** Reads the config file, env and flags and returns the merged, validated config. */
export async function loadConfig(
  flags: ServerFlags = {},
  options: { env?: Record<string, string | undefined>; readFile?: (path: string) => Promise<string> } = {},
): Promise<{ config: Config; file?: string }> {
  const env = options.env ?? Deno.env.toObject();
  const readFile = options.readFile ?? ((p: string) => Deno.readTextFile(p));
  const file = flags.config ?? env.AIONIX_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file);
    } catch (err) {
      throw new ConfigError("config", `cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      raw = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError("config", `${file} is not valid TOML: ${(err as Error).message}`);
    }
  }
  if (env.AIONIX_PORT) setPath(raw, ["server", "port"], numberFrom("AIONIX_PORT", env.AIONIX_PORT));
  if (env.AIONIX_HOST) setPath(raw, ["server", "host"], env.AIONIX_HOST);
  if (env.AIONIX_DATA) setPath(raw, ["database", "data_path"], env.AIONIX_DATA);
  if (env.AIONIX_LOG_LEVEL) setPath(raw, ["logging", "level"], env.AIONIX_LOG_LEVEL);
  if (flags.port !== undefined) setPath(raw, ["server", "port"], flags.port);
  if (flags.host !== undefined) setPath(raw, ["server", "host"], flags.host);
  if (flags.data !== undefined) setPath(raw, ["database", "data_path"], flags.data);
  if (flags.logLevel !== undefined) setPath(raw, ["logging", "level"], flags.logLevel);
  return { config: parseConfig(raw), file };
}
