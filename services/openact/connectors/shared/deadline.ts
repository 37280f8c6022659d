/**
 * Timeouts and cancellation for connector work. `withDeadline` gives the work its own signal that
 * fires on ExecuteOptions.signal or after timeoutMs, calls `onAbort` so the driver can cancel the
 * query / close the channel, and rejects promptly even when the driver cannot be interrupted.
 */
import type { ExecuteOptions } from "../types.ts";
import { ConnectorCancelledError, ConnectorTimeoutError, mapDriverError } from "./errors.ts";

export interface DeadlineOptions {
  kind: string;
  /** What is running, for the error message ("query", "publish", ...). */
  what: string;
  /** Called once when the deadline or the caller's signal fires; should abort driver work. */
  onAbort?: () => unknown;
  /** Used to redact driver error messages. */
  credential?: unknown;
  /** Driver-specific error mapping; defaults to mapDriverError. */
  mapError?: (err: unknown) => Error;
}

export async function withDeadline<T>(
  options: ExecuteOptions,
  run: (signal: AbortSignal) => Promise<T>,
  deadline: DeadlineOptions,
): Promise<T> {
  const { kind, what } = deadline;
  if (options.signal.aborted) throw new ConnectorCancelledError(kind, what);
  const controller = new AbortController();
  let failure: Error | undefined;
  let rejectAbort!: (e: Error) => void;
  const aborted = new Promise<never>((_, reject) => (rejectAbort = reject));
  aborted.catch(() => {});
  const abort = (error: Error) => {
    if (failure) return;
    failure = error;
    controller.abort(error);
    try {
      const r = deadline.onAbort?.();
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      // best effort: the caller already gets the timeout/cancel error
    }
    rejectAbort(error);
  };
  const onCallerAbort = () => abort(new ConnectorCancelledError(kind, what));
  options.signal.addEventListener("abort", onCallerAbort, { once: true });
  const timer = setTimeout(
    () => abort(new ConnectorTimeoutError(kind, what, options.timeoutMs)),
    Math.max(0, options.timeoutMs),
  );
  try {
    const work = run(controller.signal);
    work.catch(() => {}); // a late failure after abort must not become an unhandled rejection
    return await Promise.race([work, aborted]);
  } catch (err) {
    if (failure) throw failure;
    throw deadline.mapError ? deadline.mapError(err) : mapDriverError(kind, err, deadline.credential);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onCallerAbort);
  }
}

/** Milliseconds left for sub-steps, never below 1. */
export function remaining(startedAt: number, timeoutMs: number): number {
  return Math.max(1, timeoutMs - (Date.now() - startedAt));
}
