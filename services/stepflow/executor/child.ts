/**
 * The `stepflow` executor on the bus: `wf:NAME[:version]` / `trn:stepflow:…:template/NAME`
 * starts a child execution. The caller's idempotency key becomes the child's name, so a
 * re-sent task (after a crash) finds the same child instead of starting another.
 * `caller.kind` picks the execution kind: `"durable"` (default) or `"express"`.
 */
import { AppError, BadRequestError } from "../../../runtime/errors.ts";
import type { Executor } from "../../../runtime/bus.ts";
import type { StepFlow } from "../service.ts";

/** A child execution did not succeed; `error`/`cause` become the parent task's error. */
export class ChildExecutionError extends AppError {
  override readonly status: number = 424;
  override readonly type: string = "child-execution-failed";
  override readonly title: string = "Child execution failed";
  constructor(readonly error: string, override readonly cause: string, readonly executionId: string) {
    super(`child execution ${executionId} failed with ${error}: ${cause}`);
  }
  override extra() {
    return { error: this.error, cause: this.cause, executionId: this.executionId };
  }
}

export function childExecutor(sf: StepFlow): Executor {
  return {
    exists(trn) {
      return trn.type === "template" && sf.store.template(trn.tenant, trn.path) !== undefined;
    },
    async execute(req) {
      if (req.trn.type !== "template") throw new BadRequestError("stepflow executes templates: use wf:NAME");
      const op = req.operation ?? "start";
      if (op !== "start" && op !== "invoke") {
        throw new BadRequestError(`stepflow has no operation '${op}'; use start`);
      }
      const caller = req.caller ?? {};
      const kind = caller.kind ?? "durable";
      if (kind !== "durable" && kind !== "express") {
        throw new BadRequestError(
          `caller.kind '${String(kind)}' is not an execution kind: use "durable" (default) or "express"`,
        );
      }
      const parentId = typeof caller.executionId === "string" ? caller.executionId : undefined;
      const depth = (typeof caller.depth === "number" ? caller.depth : 0) + (parentId ? 1 : 0);
      const name = req.trn.path + (req.trn.qualifier ? `:${req.trn.qualifier}` : "");
      const { execution } = await sf.start(req.tenant, name, {
        input: req.input,
        name: req.idempotencyKey,
        parentId,
        depth,
        kind,
        mode: "async",
      });
      if (req.mode === "async") return { executionId: execution.id, trn: execution.trn };
      let final = execution;
      const live = sf.driver.get(req.tenant, execution.id);
      if (live && !live.done) {
        const onAbort = () => {
          if (!live.done) {
            sf.driver.enqueue(live, { type: "cancel", cause: "the parent task was aborted" }).catch(() => {});
          }
        };
        req.signal.addEventListener("abort", onAbort, { once: true });
        try {
          final = await sf.waitFinished(live, req.signal);
        } finally {
          req.signal.removeEventListener("abort", onAbort);
        }
      }
      if (final.status === "succeeded") return final.output;
      throw new ChildExecutionError(
        final.error ?? (final.status === "cancelled" ? "States.Cancelled" : "States.TaskFailed"),
        final.cause ?? `child execution ${final.status}`,
        final.id,
      );
    },
  };
}
