/** Structured JSON logs, one object per line on stderr. Values are never secrets: callers log ids. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr. Tests pass an array sink. */
  write?: (line: string) => void;
  base?: Record<string, unknown>;
  now?: () => number;
}

const encoder = new TextEncoder();

// stderr lines below warn (access logs, mostly) are collected for one timer tick and written
// with one syscall instead of one each (requests are separate tasks, so a microtask would not
// batch them); a warn/error line flushes everything before it at once, and so does exit.
let pending = "";
let flushQueued = false;
function flushStderr() {
  flushQueued = false;
  if (!pending) return;
  let data = encoder.encode(pending);
  pending = "";
  while (data.length) data = data.subarray(Deno.stderr.writeSync(data));
}
globalThis.addEventListener?.("unload", flushStderr);
function stderrLine(line: string, urgent: boolean) {
  pending += line + "\n";
  if (urgent) flushStderr();
  else if (!flushQueued) {
    flushQueued = true;
    setTimeout(flushStderr, 0);
  }
}

const errorReplacer = (_k: string, v: unknown) =>
  v instanceof Error ? { name: v.name, message: v.message } : v;

/** True when every value is a primitive, so no Error can hide inside (no replacer needed). */
function flat(record: Record<string, unknown>): boolean {
  for (const k in record) {
    const v = record[k];
    if (v !== null && typeof v === "object") return false;
  }
  return true;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const custom = options.write;
  const base = options.base ?? {};
  const now = options.now ?? Date.now;
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record = { time: new Date(now()).toISOString(), level: lvl, msg, ...base, ...fields };
    const line = flat(record) ? JSON.stringify(record) : JSON.stringify(record, errorReplacer);
    if (custom) custom(line);
    else stderrLine(line, ORDER[lvl] >= ORDER.warn);
  };
  return {
    level,
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ level, write: custom, now, base: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = createLogger({ level: "silent" });
