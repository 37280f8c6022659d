/**
 * Test support: controllable executors for `stepflow`, `aionixfn` and `credvault` on the real
 * executor bus, so Igniter is tested end to end without the other services. Every call is
 * recorded; failures, delays and sync results are programmable; runs can be finished, which
 * publishes StepFlow's system event like the real service does.
 */
import type { ExecuteRequest } from "../../../runtime/bus.ts";
import { AppError, NotFoundError } from "../../../runtime/errors.ts";
import type { ServiceDeps, ServiceFactory } from "../../../runtime/service.ts";
import { formatTrn } from "../../../runtime/trn.ts";

export interface RecordedCall {
  service: string;
  path: string;
  qualifier?: string;
  tenant: string;
  operation?: string;
  mode?: string;
  input: unknown;
  idempotencyKey?: string;
  executionId?: string;
  caller?: Record<string, unknown>;
}

export class TargetError extends AppError {
  override readonly status: number = 500;
  override readonly type: string = "target-error";
  constructor(message: string, readonly errorType = "Boom") {
    super(message);
  }
}

export class FakeTargets {
  calls: RecordedCall[] = [];
  /** name → remaining number of failing calls. */
  failures = new Map<string, number>();
  /** name → milliseconds each call takes (real time). */
  delays = new Map<string, number>();
  secrets = new Map<string, { current: string; previous?: string; pending?: string }>();
  secretReads = 0;
  deps?: ServiceDeps;
  #seq = 0;
  #byKey = new Map<string, string>();

  targetCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.service !== "credvault");
  }

  factory(): ServiceFactory {
    return (deps) => {
      this.deps = deps;
      return {
        name: "fake-targets",
        migrations: [],
        mount: () => {
          deps.bus.register("stepflow", {
            execute: (r) => this.#run("stepflow", r),
            exists: (trn) => !trn.path.startsWith("missing"),
          });
          deps.bus.register("aionixfn", {
            execute: (r) => this.#run("aionixfn", r),
            exists: (trn) => !trn.path.startsWith("missing"),
          });
          deps.bus.register("credvault", { execute: (r) => Promise.resolve().then(() => this.#secret(r)) });
        },
      };
    };
  }

  /** Publishes the StepFlow system event for a finished execution. */
  finish(executionId: string, tenant = "default", detailType = "Execution Succeeded"): void {
    this.deps!.events.publish({
      tenant,
      source: "aionix.stepflow",
      detailType,
      detail: { executionId, trn: `trn:stepflow:${tenant}:execution/${executionId}`, status: "succeeded" },
    });
  }

  async #run(service: string, r: ExecuteRequest): Promise<unknown> {
    const name = r.trn.path;
    const delay = this.delays.get(name);
    if (delay) {
      await new Promise<void>((resolve, reject) => {
        const id = setTimeout(resolve, delay);
        r.signal.addEventListener("abort", () => {
          clearTimeout(id);
          reject(r.signal.reason);
        }, { once: true });
      });
    }
    const left = this.failures.get(name) ?? 0;
    if (left > 0) {
      this.failures.set(name, left - 1);
      this.calls.push({
        service,
        path: name,
        tenant: r.tenant,
        input: r.input,
        mode: r.mode,
        operation: r.operation,
        caller: r.caller,
      });
      throw new TargetError(`${name} is failing on purpose`);
    }
    // Idempotent start, as StepFlow does with the execution name.
    const known = r.idempotencyKey ? this.#byKey.get(r.idempotencyKey) : undefined;
    const executionId = known ?? `exec-${++this.#seq}`;
    if (r.idempotencyKey && !known) this.#byKey.set(r.idempotencyKey, executionId);
    this.calls.push({
      service,
      path: name,
      qualifier: r.trn.qualifier,
      tenant: r.tenant,
      operation: r.operation,
      mode: r.mode,
      input: r.input,
      idempotencyKey: r.idempotencyKey,
      executionId,
      caller: r.caller,
    });
    if (r.mode === "sync") return { echoed: r.input, by: name };
    return service === "stepflow"
      ? {
        executionId,
        trn: formatTrn({ service: "stepflow", tenant: r.tenant, type: "execution", path: executionId }),
      }
      : { requestId: executionId };
  }

  #secret(r: ExecuteRequest): unknown {
    this.secretReads++;
    const s = this.secrets.get(r.trn.path);
    const stage = (r.input as { stage?: string } | undefined)?.stage ?? "current";
    const value = s?.[stage as "current"];
    if (!value) throw new NotFoundError("credential", r.trn.path);
    return value;
  }
}
