/**
 * Configuration: defaults < config.toml < AIONIX_* env < command-line flags.
 * Every section is strict (config_schema.ts), so an unknown key or a bad value stops the
 * start with a message naming the key (e.g. `config: server.port: expected ...`).
 */
import { ConfigError } from "./errors.ts";
import { type Config, parseConfig } from "./config_schema.ts";

export { type Config, type ConfigInput, parseConfig } from "./config_schema.ts";

/** Flags that the server accepts on its command line. */
export interface ServerFlags {
  port?: number;
  host?: string;
  data?: string;
  config?: string;
  logLevel?: string;
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
      const { parse: parseToml } = await import("smol-toml"); // only when there is a file
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
