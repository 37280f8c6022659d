/**
 * What a service receives from the platform and what it gives back. The composition root
 * (server.ts) runs each module's migrations, then mount(), then start(); stop() in reverse.
 */
import type { Config } from "./config.ts";
import type { Db, Migration } from "./storage/mod.ts";
import type { Logger } from "./log.ts";
import type { Clock } from "./clock.ts";
import type { ExecutorBus } from "./bus.ts";
import type { SystemEvents } from "./events.ts";
import type { Metrics } from "./metrics.ts";
import type { HttpKernel } from "./http/app.ts";
import type { TokenService } from "./auth.ts";

export interface ServiceDeps {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  bus: ExecutorBus;
  events: SystemEvents;
  metrics: Metrics;
  http: HttpKernel;
  tokens: TokenService;
  /** Absolute path of the data directory (holds aionix.db, admin.token, key files). */
  dataDir: string;
  /** The process environment, passed in so services never read Deno.env themselves. */
  env: Record<string, string | undefined>;
}

export interface ServiceModule {
  name: string;
  migrations: Migration[];
  /**
   * Registers executors on deps.bus and route groups with deps.http.routes() — a group's
   * routes module is imported and mounted on the first request under its prefixes, so keep
   * schemas and handlers in that module, out of the start path.
   */
  mount?(): void;
  /** Starts background work (timers, recovery of in-flight work). Called once the DB is migrated. */
  start?(): Promise<void> | void;
  /** Stops background work; in-flight work must be left resumable. */
  stop?(): Promise<void> | void;
}

export type ServiceFactory = (deps: ServiceDeps) => ServiceModule | Promise<ServiceModule>;
