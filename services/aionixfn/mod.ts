/**
 * AionixFn: Deno and Python functions with versions, aliases, weighted traffic, concurrency
 * limits, async invocations with retries and destinations, logs and metrics. User code runs in
 * the sandbox (runtime/sandbox), never in the server process.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { Sandbox } from "../../runtime/sandbox/mod.ts";
import { ConcurrencyLimiter } from "./concurrency.ts";
import { createExecutor } from "./executor.ts";
import { Invoker } from "./invoker.ts";
import { FunctionLogs } from "./logs.ts";
import { FnMetrics } from "./metrics.ts";
import { AsyncQueue } from "./queue.ts";
import { FnService } from "./service.ts";
import { FnStore, migrations } from "./store.ts";

export { FunctionError } from "./errors.ts";
export type * from "./types.ts";

/** Request bodies on /api/v1/functions may carry code bundles. */
const CODE_BODY_LIMIT = 32 * 1024 * 1024;

export function createAionixFnService(deps: ServiceDeps): ServiceModule {
  const cfg = deps.config.functions;
  let sandbox: Sandbox | undefined;
  let queue: AsyncQueue | undefined;
  let logs: FunctionLogs | undefined;
  return {
    name: "aionixfn",
    migrations,
    mount() {
      const store = new FnStore(deps.db, () => deps.clock.now());
      sandbox = new Sandbox({
        maxPoolSize: cfg.max_pool_size,
        idleTtlMs: cfg.idle_ttl_seconds * 1000,
        outputLimit: cfg.output_limit,
        logLimit: cfg.log_limit,
        env: deps.env,
        python: cfg.python,
      });
      logs = new FunctionLogs(store, deps.clock);
      const metrics = new FnMetrics(deps.metrics);
      const invoker = new Invoker({
        store,
        sandbox,
        limiter: new ConcurrencyLimiter(cfg.global_concurrency),
        logs,
        metrics,
        events: deps.events,
        clock: deps.clock,
        bus: deps.bus,
      });
      queue = new AsyncQueue({
        store,
        invoker,
        clock: deps.clock,
        bus: deps.bus,
        events: deps.events,
        logger: deps.logger.child({ service: "aionixfn" }),
      });
      const service = new FnService(store, invoker, metrics);
      deps.http.bodyLimits.set("/api/v1/functions", CODE_BODY_LIMIT);
      const invoke = {
        store,
        invoker,
        queue,
        logs,
        metrics,
        payloadLimit: cfg.payload_limit,
        asyncPayloadLimit: cfg.async_payload_limit,
        clock: deps.clock,
      };
      deps.http.routes({
        name: "aionixfn",
        prefixes: ["/api/v1/functions"],
        mount: async (app) => {
          const [crud, calls] = await Promise.all([import("./routes.ts"), import("./routes_invoke.ts")]);
          crud.mountFunctionRoutes(app, { service, store });
          calls.mountInvokeRoutes(app, invoke);
        },
      });
      deps.bus.register("aionixfn", createExecutor({ store, invoker, queue }));
    },
    start() {
      queue?.start();
    },
    async stop() {
      await queue?.stop();
      logs?.flush();
      await sandbox?.close();
    },
  };
}

export default createAionixFnService;
