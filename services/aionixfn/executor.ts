/**
 * The `aionixfn` executor on the bus: `fn:NAME[:qualifier]` or `trn:aionixfn:…:function/NAME[:q]`.
 * sync → the function's return value (a function error rejects with FunctionError);
 * async → durably queued, resolves `{ requestId }`.
 */
import type { ExecuteRequest, Executor } from "../../runtime/bus.ts";
import { BadRequestError } from "../../runtime/errors.ts";
import type { Trn } from "../../runtime/trn.ts";
import { FunctionError } from "./errors.ts";
import type { Invoker } from "./invoker.ts";
import type { AsyncQueue } from "./queue.ts";
import type { FnStore } from "./store.ts";

export function createExecutor(deps: { store: FnStore; invoker: Invoker; queue: AsyncQueue }): Executor {
  return {
    async execute(req: ExecuteRequest): Promise<unknown> {
      const operation = req.operation ?? "invoke";
      if (operation !== "invoke") {
        throw new BadRequestError(`aionixfn supports the operation 'invoke' only (got '${operation}')`);
      }
      if (req.trn.type !== "function") throw new BadRequestError(`aionixfn cannot run a '${req.trn.type}'`);
      const tenant = req.trn.tenant;
      const name = req.trn.path;
      if (req.mode === "async") {
        deps.invoker.resolve(tenant, name, req.trn.qualifier);
        const { requestId } = deps.queue.enqueue(
          tenant,
          name,
          req.trn.qualifier ?? "$LATEST",
          req.input ?? null,
          {
            idempotencyKey: req.idempotencyKey,
          },
        );
        return { requestId };
      }
      const result = await deps.invoker.invoke(tenant, name, req.input ?? null, {
        qualifier: req.trn.qualifier,
        deadline: req.deadline,
        signal: req.signal,
      });
      if (result.status === "failed" && result.error) {
        throw new FunctionError(
          result.error.errorType,
          result.error.errorMessage,
          result.error.stack,
          result.requestId,
        );
      }
      return result.result;
    },
    exists(trn: Trn): boolean {
      const fn = deps.store.findFunction(trn.tenant, trn.path);
      if (!fn) return false;
      const q = trn.qualifier;
      if (q === undefined || q === "$LATEST") return true;
      if (/^\d+$/.test(q)) return deps.store.findVersion(trn.tenant, trn.path, Number(q)) !== undefined;
      return deps.store.findAlias(trn.tenant, trn.path, q) !== undefined;
    },
  };
}
