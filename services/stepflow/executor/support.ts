/** Small helpers of the driver: task error mapping, secret redaction, deferreds. */
import { AppError, GatewayTimeoutError } from "../../../runtime/errors.ts";
import type { ErrorInfo } from "../engine/types.ts";

/**
 * Maps what an executor threw to a task error name and cause: FunctionError (`errorType`),
 * child workflow / connector errors (`error`, `cause`), deadlines → States.Timeout.
 */
export function taskError(err: unknown): ErrorInfo {
  const e = err as Record<string, unknown> | undefined;
  if (e && typeof e.errorType === "string") {
    return { error: e.errorType, cause: String(e.errorMessage ?? (e as { message?: string }).message ?? "") };
  }
  if (e && typeof e.error === "string" && e.error) {
    return {
      error: e.error,
      cause: typeof e.cause === "string" ? e.cause : String((e as { message?: string }).message ?? ""),
    };
  }
  if (err instanceof GatewayTimeoutError) return { error: "States.Timeout", cause: err.message };
  if (err instanceof AppError) return { error: "States.TaskFailed", cause: err.message };
  if (err instanceof Error) return { error: "States.TaskFailed", cause: err.message };
  return { error: "States.TaskFailed", cause: String(err) };
}

const REDACTED = "***";

/** Collects the string leaves of a resolved secret (objects hold several). */
export function secretStrings(value: unknown, into: Set<string>) {
  if (typeof value === "string") {
    if (value.length >= 4) into.add(value);
  } else if (Array.isArray(value)) value.forEach((v) => secretStrings(v, into));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => secretStrings(v, into));
}

/** Replaces every occurrence of a known secret value inside a JSON value. */
export function redact<T>(value: T, secrets: Set<string>): T {
  if (!secrets.size) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      let s = v;
      for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(REDACTED);
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

export function containsSecret(value: unknown, secrets: Set<string>): boolean {
  if (!secrets.size || value === undefined) return false;
  const text = JSON.stringify(value);
  for (const s of secrets) if (text.includes(JSON.stringify(s).slice(1, -1))) return true;
  return false;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}
