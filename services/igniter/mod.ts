/**
 * Igniter: schedules, webhooks and event rules that start workflows and functions through
 * the executor bus, reliably (durable outbox, retries, dead-letter, history).
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { Igniter } from "./igniter.ts";
import { loadJsonata } from "../../runtime/jsonata.ts";
import { migrations } from "./store.ts";

export type { EventEnvelope, Firing, PutEventsResult, StoredEvent, Trigger, TriggerType } from "./types.ts";
export { matchesPattern } from "./pattern.ts";

export interface IgniterServiceOptions {
  /** Randomness for jitter and flexible windows (tests pass a fixed one). */
  random?: () => number;
}

/** Creates the service; `igniterOf(module)` gives tests the core. */
export function createIgniterService(deps: ServiceDeps, options: IgniterServiceOptions = {}): ServiceModule {
  const igniter = new Igniter(deps, options);
  const module: ServiceModule & { igniter: Igniter } = {
    name: "igniter",
    migrations,
    igniter,
    mount() {
      deps.http.routes({
        name: "igniter",
        prefixes: ["/api/v1/triggers", "/api/v1/events"],
        mount: async (app) => {
          // Trigger validation compiles input transforms (JSONata) synchronously.
          const [triggers, events] = await Promise.all([
            import("./routes.ts"),
            import("./event_routes.ts"),
            loadJsonata(),
          ]);
          triggers.mountTriggerRoutes(app, igniter);
          events.mountEventRoutes(app, igniter);
        },
      });
      deps.http.routes({
        name: "igniter-hooks",
        prefixes: ["/hooks"],
        mount: async (app) => (await import("./hook_routes.ts")).mountHookRoutes(app, igniter),
      });
    },
    start() {
      igniter.start();
    },
    stop() {
      igniter.stop();
    },
  };
  return module;
}

export function igniterOf(module: ServiceModule): Igniter {
  return (module as ServiceModule & { igniter: Igniter }).igniter;
}
