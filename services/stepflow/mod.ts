/**
 * StepFlow — `trn:stepflow:{tenant}:template/{name}`: durable workflows in the DSL of
 * DESIGN.md §6. Registers the REST API, the `stepflow` executor (child workflows, `wf:`)
 * and the built-in `http` action; resumes running executions at start.
 *
 * The `stepflow` executor: `bus.execute("wf:NAME[:version]", tenant, { input, operation:
 * "start" (default), mode, idempotencyKey, caller })`. mode `sync` resolves with the output
 * (a failed child rejects with `ChildExecutionError` carrying `error`/`cause`); mode `async`
 * resolves `{ executionId, trn }`. `idempotencyKey` becomes the execution's name (idempotent
 * start). `caller.kind` picks the kind: `"durable"` (default) or `"express"` (in memory, no
 * history, nothing to resume); any other value is a 400. Tasks of an express execution start
 * their `wf:` children as express too.
 *
 * Express executions keep no history and no database row: `GET /api/v1/executions/{id}`
 * answers for the most recent ones (a bounded in-memory ring, lost on restart) and
 * `GET /api/v1/executions?kind=express` lists them, newest first.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { StepFlow } from "./service.ts";
import { migrations } from "./store.ts";
import { loadJsonata } from "../../runtime/jsonata.ts";
import { httpAction } from "./builtin_http.ts";
import { childExecutor } from "./executor/child.ts";

export type * from "./types.ts";
export { ChildExecutionError } from "./executor/child.ts";
export { HttpActionError } from "./builtin_http.ts";

export function createStepFlowService(deps: ServiceDeps): ServiceModule {
  const sf = new StepFlow(deps);
  return {
    name: "stepflow",
    migrations,
    mount() {
      deps.http.routes({
        name: "stepflow",
        prefixes: ["/api/v1/stepflow", "/api/v1/templates", "/api/v1/executions", "/api/v1/tasks"],
        mount: async (app) => {
          const [templates, executions] = await Promise.all([
            import("./routes/templates.ts"),
            import("./routes/executions.ts"),
            loadJsonata(),
          ]);
          templates.mountTemplateRoutes(app, sf);
          executions.mountExecutionRoutes(app, sf);
        },
      });
      deps.bus.register("stepflow", childExecutor(sf));
      deps.bus.registerBuiltin("http", httpAction);
    },
    start() {
      const n = sf.recover();
      if (n) deps.logger.info("stepflow resumed executions", { count: n });
    },
    stop() {
      sf.driver.stop();
    },
  };
}
