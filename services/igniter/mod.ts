/**
 * Igniter: schedules, webhooks and event rules that start workflows and functions through
 * the executor bus, reliably (durable outbox, retries, dead-letter, history).
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { Igniter } from "./igniter.ts";
import { migrations } from "./store.ts";
import { mountTriggerRoutes } from "./routes.ts";
import { mountEventRoutes } from "./event_routes.ts";
import { mountHookRoutes } from "./hook_routes.ts";

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
      mountTriggerRoutes(deps.http.app, igniter);
      mountEventRoutes(deps.http.app, igniter);
      mountHookRoutes(igniter);
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
