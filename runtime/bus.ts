/**
 * The executor bus: services register an executor for their TRN service name (or a built-in
 * action name such as `http`); callers run anything by TRN or action shorthand without
 * importing the service that implements it.
 */
import { BadRequestError, GatewayTimeoutError, NotFoundError } from "./errors.ts";
import { formatTrn, isTrn, parseTrn, type Trn, type TrnService } from "./trn.ts";

export interface ExecuteRequest {
  /** The TRN being executed (already resolved from a shorthand). */
  trn: Trn;
  input: unknown;
  tenant: string;
  /** What to do with the target; executors define their operations (default "invoke"). */
  operation?: string;
  /** `sync` waits for the result; `async` returns once the work is durably accepted. */
  mode?: "sync" | "async";
  signal: AbortSignal;
  /** Absolute epoch ms by which the call must finish. */
  deadline?: number;
  /** Same key → the executor may return the earlier result instead of doing the work again. */
  idempotencyKey?: string;
  /** Free-form caller description, e.g. the execution and state that issued the call. */
  caller?: Record<string, unknown>;
}

export interface Executor {
  execute(request: ExecuteRequest): Promise<unknown>;
  /** Checks, without running anything, that the target exists (used by workflow validation). */
  exists?(trn: Trn): boolean | Promise<boolean>;
}

export interface BusCallOptions {
  input?: unknown;
  operation?: string;
  mode?: "sync" | "async";
  signal?: AbortSignal;
  deadline?: number;
  timeoutMs?: number;
  idempotencyKey?: string;
  caller?: Record<string, unknown>;
}

const SHORTHANDS: Record<string, { service: TrnService; type: string }> = {
  fn: { service: "aionixfn", type: "function" },
  wf: { service: "stepflow", type: "template" },
  act: { service: "openact", type: "action" },
  sec: { service: "credvault", type: "credential" },
  param: { service: "paramstore", type: "param" },
};

/** A built-in action has no TRN of its own; it is represented under a reserved path. */
const BUILTIN_TENANT = "builtin";

export class ExecutorBus {
  #services = new Map<string, Executor>();
  #builtins = new Map<string, Executor>();

  register(service: TrnService, executor: Executor): void {
    this.#services.set(service, executor);
  }

  /** Registers a built-in action name (`http`) that needs no TRN. */
  registerBuiltin(name: string, executor: Executor): void {
    this.#builtins.set(name, executor);
  }

  /**
   * Resolves `fn:charge`, `fn:charge:live`, `wf:child`, `act:http.get-users`, `http` or a full TRN.
   * Unknown forms throw BadRequestError naming the accepted forms.
   */
  resolve(action: string, tenant: string): { trn: Trn; executor: Executor; builtin?: string } {
    const builtin = this.#builtins.get(action);
    if (builtin) {
      return {
        trn: { service: "openact", tenant: BUILTIN_TENANT, type: "action", path: action },
        executor: builtin,
        builtin: action,
      };
    }
    let trn: Trn;
    if (isTrn(action)) {
      trn = parseTrn(action);
    } else {
      const colon = action.indexOf(":");
      const prefix = colon > 0 ? action.slice(0, colon) : "";
      const target = SHORTHANDS[prefix];
      if (!target) {
        throw new BadRequestError(
          `unknown action '${action}': use fn:NAME, wf:NAME, act:KIND.NAME, a built-in (${
            [...this.#builtins.keys()].join(", ") || "none registered"
          }) or a full TRN`,
        );
      }
      let rest = action.slice(colon + 1);
      let qualifier: string | undefined;
      const q = rest.lastIndexOf(":");
      if (q >= 0) {
        qualifier = rest.slice(q + 1);
        rest = rest.slice(0, q);
      }
      if (prefix === "act") {
        const dot = rest.indexOf(".");
        if (dot <= 0) {
          throw new BadRequestError(`action '${action}' must be act:KIND.NAME, e.g. act:http.get-users`);
        }
        rest = `${rest.slice(0, dot)}/${rest.slice(dot + 1)}`;
      }
      if (prefix === "param") rest = rest.replace(/^\//, "");
      trn = parseTrn(formatTrn({ ...target, tenant, path: rest, qualifier }));
    }
    const executor = this.#services.get(trn.service);
    if (!executor) {
      throw new NotFoundError("executor", trn.service, `no executor is registered for ${trn.service}`);
    }
    return { trn, executor };
  }

  /** True when the action resolves and its executor confirms the target exists. */
  async exists(action: string, tenant: string): Promise<boolean> {
    try {
      const { trn, executor, builtin } = this.resolve(action, tenant);
      if (builtin) return true;
      return executor.exists ? await executor.exists(trn) : true;
    } catch {
      return false;
    }
  }

  /** Runs an action. A timeout or deadline aborts the signal passed to the executor. */
  async execute(action: string, tenant: string, options: BusCallOptions = {}): Promise<unknown> {
    const { trn, executor } = this.resolve(action, tenant);
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal!.reason);
    if (options.signal?.aborted) controller.abort(options.signal.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let deadline = options.deadline;
    if (options.timeoutMs !== undefined) {
      const byTimeout = Date.now() + options.timeoutMs;
      deadline = deadline === undefined ? byTimeout : Math.min(deadline, byTimeout);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: Promise<never> | undefined;
    if (deadline !== undefined) {
      timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new GatewayTimeoutError(`${action} did not finish before its deadline`);
          controller.abort(err);
          reject(err);
        }, Math.max(0, deadline! - Date.now()));
      });
    }
    try {
      const run = executor.execute({
        trn,
        input: options.input,
        tenant,
        operation: options.operation,
        mode: options.mode ?? "sync",
        signal: controller.signal,
        deadline,
        idempotencyKey: options.idempotencyKey,
        caller: options.caller,
      });
      return await (timedOut ? Promise.race([run, timedOut]) : run);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}
