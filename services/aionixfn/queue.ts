/**
 * Async (Event) invocations: queued durably in SQLite before the caller gets its request id,
 * run by a small pump, retried up to the function's maxRetries with backoff, and handed to the
 * on-success / on-failure destination. Work that was running at a stop or crash is re-queued
 * at start, so nothing accepted is lost (at-least-once, like Lambda).
 */
import { TooManyRequestsError } from "../../runtime/errors.ts";
import { newId } from "../../runtime/ids.ts";
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { ExecutorBus } from "../../runtime/bus.ts";
import type { SystemEvents } from "../../runtime/events.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Invoker } from "./invoker.ts";
import { functionTrn } from "./invoker.ts";
import type { AsyncRow, FnStore } from "./store.ts";
import type { AsyncInvocation, FunctionErrorBody, InvokeResult } from "./types.ts";

/** Seconds before retry n (1-based). */
export const RETRY_DELAYS_S = [1, 2];
const MAX_PARALLEL = 8;
const POLL_MS = 1000;

export function toAsyncInvocation(r: AsyncRow): AsyncInvocation {
  return {
    requestId: r.id,
    functionName: r.name,
    qualifier: r.qualifier,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    ...(r.version ? { version: r.version } : {}),
    ...(r.result !== null ? { result: JSON.parse(r.result) } : {}),
    ...(r.error ? { error: r.error } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export class AsyncQueue {
  #running = 0;
  #timer: TimerId | undefined;
  #stopped = true;
  #inflight = new Set<Promise<void>>();
  constructor(
    private deps: {
      store: FnStore;
      invoker: Invoker;
      clock: Clock;
      bus: ExecutorBus;
      events: SystemEvents;
      logger: Logger;
    },
  ) {}

  /** Durably queues an event and returns its request id. */
  enqueue(
    tenant: string,
    name: string,
    qualifier: string,
    payload: unknown,
    options: { idempotencyKey?: string } = {},
  ): { requestId: string; created: boolean } {
    const fn = this.deps.store.getFunction(tenant, name);
    const { id, created } = this.deps.store.enqueue({
      id: newId(this.deps.clock.now()),
      tenant,
      name,
      qualifier,
      payload: JSON.stringify(payload ?? null),
      maxAttempts: fn.settings.maxRetries + 1,
    }, options.idempotencyKey);
    if (created) this.kick();
    return { requestId: id, created };
  }

  start() {
    this.#stopped = false;
    const requeued = this.deps.store.requeueRunning();
    if (requeued) this.deps.logger.info("re-queued async invocations left running", { count: requeued });
    this.kick();
  }

  async stop() {
    this.#stopped = true;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inflight]);
  }

  /** Runs whatever is due now and schedules the next look. */
  kick() {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const free = MAX_PARALLEL - this.#running;
    const rows = free > 0 ? this.deps.store.claimDue(free) : [];
    for (const row of rows) {
      this.#running++;
      const p = this.#run(row).catch((err) => {
        this.deps.logger.error("async invocation failed in the platform", { requestId: row.id, err });
      }).finally(() => {
        this.#running--;
        this.#inflight.delete(p);
        this.kick();
      });
      this.#inflight.add(p);
    }
    const next = this.deps.store.nextDueAt();
    const wait = next === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(10, next - this.deps.clock.now()));
    this.#timer = this.deps.clock.setTimeout(() => this.kick(), wait);
  }

  async #run(row: AsyncRow): Promise<void> {
    const { store, invoker, clock } = this.deps;
    const attempt = row.attempts + 1;
    let result: InvokeResult;
    try {
      result = await invoker.invoke(row.tenant, row.name, JSON.parse(row.payload), {
        requestId: row.attempts === 0 ? row.id : `${row.id}-${attempt}`,
        qualifier: row.qualifier,
      });
    } catch (err) {
      if (err instanceof TooManyRequestsError) {
        store.deferAsync(row.id, clock.now() + err.retryAfterSeconds * 1000);
        return;
      }
      const error: FunctionErrorBody = {
        errorType: (err as Error).name === "NotFoundError" ? "ResourceNotFound" : "PlatformError",
        errorMessage: (err as Error).message,
        stack: [],
      };
      store.finishAsync(row.id, { status: "failed", attempts: attempt, error });
      await this.#deliver(row, attempt, undefined, error);
      return;
    }
    if (result.status === "succeeded") {
      store.finishAsync(row.id, {
        status: "succeeded",
        attempts: attempt,
        version: result.version,
        result: JSON.stringify(result.result ?? null),
      });
      await this.#deliver(row, attempt, result, undefined);
      return;
    }
    if (attempt < row.maxAttempts) {
      const delay = RETRY_DELAYS_S[Math.min(attempt - 1, RETRY_DELAYS_S.length - 1)] * 1000;
      store.finishAsync(row.id, {
        status: "queued",
        attempts: attempt,
        nextAt: clock.now() + delay,
        version: result.version,
        error: result.error,
      });
      return;
    }
    store.finishAsync(row.id, {
      status: "failed",
      attempts: attempt,
      version: result.version,
      error: result.error,
    });
    await this.#deliver(row, attempt, result, result.error);
  }

  /** Sends the outcome to the configured destination (a function, a workflow or an event). */
  async #deliver(row: AsyncRow, attempts: number, result?: InvokeResult, error?: FunctionErrorBody) {
    const fn = this.deps.store.findFunction(row.tenant, row.name);
    if (!fn) return;
    const success = !error;
    const destination = success ? fn.settings.destinations.onSuccess : fn.settings.destinations.onFailure;
    if (!destination) return;
    const record = {
      version: "1.0",
      timestamp: new Date(this.deps.clock.now()).toISOString(),
      requestContext: {
        requestId: row.id,
        functionTrn: functionTrn(
          row.tenant,
          row.name,
          result?.version && result.version !== "$LATEST" ? result.version : undefined,
        ),
        condition: success ? "Success" : "RetriesExhausted",
        approximateInvokeCount: attempts,
      },
      requestPayload: JSON.parse(row.payload),
      responseContext: {
        statusCode: 200,
        executedVersion: result?.version ?? null,
        functionError: error?.errorType,
      },
      responsePayload: success ? result?.result ?? null : error,
    };
    try {
      if (destination === "event") {
        this.deps.events.publish({
          tenant: row.tenant,
          source: "aionix.aionixfn",
          detailType: success ? "Function Invocation Succeeded" : "Function Invocation Failed",
          detail: record,
          resources: [record.requestContext.functionTrn],
        });
      } else {
        await this.deps.bus.execute(destination, row.tenant, {
          input: record,
          mode: "async",
          idempotencyKey: `${row.id}-${success ? "success" : "failure"}`,
          caller: { service: "aionixfn", function: row.name, requestId: row.id },
        });
      }
    } catch (err) {
      this.deps.logger.warn("async destination delivery failed", {
        requestId: row.id,
        destination,
        err: (err as Error).message,
      });
    }
  }
}
