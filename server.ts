/**
 * Composition root: config → storage → kernel → services → HTTP. Used by main.ts to serve,
 * and by tests to build a complete server in-process (`app.request()` without a socket).
 */
import type { Config } from "./runtime/config.ts";
import { createLogger, type Logger } from "./runtime/log.ts";
import { type Clock, realClock } from "./runtime/clock.ts";
import { migrate, openSqlite } from "./runtime/storage/mod.ts";
import { authMigrations, TokenService } from "./runtime/auth.ts";
import { ExecutorBus } from "./runtime/bus.ts";
import { SystemEvents } from "./runtime/events.ts";
import { createMetrics } from "./runtime/metrics.ts";
import { createHttpKernel } from "./runtime/http/app.ts";
import type { ServiceDeps, ServiceFactory, ServiceModule } from "./runtime/service.ts";
import { VERSION } from "./runtime/version.ts";

/** Every service, loaded on demand so each stays an independent module. */
export const SERVICE_FACTORIES: Array<() => Promise<ServiceFactory>> = [
  () => import("./runtime/audit/mod.ts").then((m) => m.createAuditService),
  () => import("./services/credvault/mod.ts").then((m) => m.createCredVaultService),
  () => import("./services/paramstore/mod.ts").then((m) => m.createParamStoreService),
  () => import("./services/openact/mod.ts").then((m) => m.createOpenActService),
  () => import("./services/studio/mod.ts").then((m) => m.createStudioService),
  () => import("./services/igniter/mod.ts").then((m) => m.createIgniterService),
  () => import("./services/aionixfn/mod.ts").then((m) => m.createAionixFnService),
  () => import("./services/stepflow/mod.ts").then((m) => m.createStepFlowService),
];

export interface ServerOptions {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  clock?: Clock;
  /** Override the service list (tests). */
  services?: ServiceFactory[];
  /** Print the bootstrap admin token (only the first start creates one). */
  printToken?: (token: string, file: string) => void;
  processMetrics?: boolean;
}

export interface AionixServer {
  deps: ServiceDeps;
  fetch: (req: Request) => Response | Promise<Response>;
  modules: ServiceModule[];
  /** The bootstrap admin token, when this start created it. */
  createdAdminToken?: string;
  isReady(): boolean;
  setDraining(): void;
  close(): Promise<void>;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<AionixServer> {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  await Deno.mkdir(config.database.data_path, { recursive: true, mode: 0o700 });
  const dataDir = await Deno.realPath(config.database.data_path);
  const db = openSqlite(`${dataDir}/aionix.db`, {
    synchronous: config.database.synchronous,
    busyTimeoutMs: config.database.busy_timeout_ms,
  });
  let ready = false;
  let modules: ServiceModule[] = [];
  try {
    await migrate(db, "kernel", authMigrations);
    const clock = options.clock ?? realClock;
    const tokens = new TokenService(db, () => clock.now());
    const metrics = createMetrics({ processMetrics: options.processMetrics });
    const http = createHttpKernel({
      config,
      logger,
      metrics,
      tokens,
      isReady: () => ready,
      version: VERSION,
    });
    const deps: ServiceDeps = {
      config,
      db,
      logger,
      clock,
      bus: new ExecutorBus(),
      events: new SystemEvents(),
      metrics,
      http,
      tokens,
      dataDir,
      env: options.env ?? {},
    };
    http.routes({
      name: "kernel",
      prefixes: ["/api/v1/tokens", "/api/v1/whoami", "/api/v1/admin"],
      mount: async (app) =>
        (await import("./runtime/http/kernel_routes.ts")).mountKernelRoutes(app, { tokens, db }),
    });
    const factories = options.services ?? await Promise.all(SERVICE_FACTORIES.map((load) => load()));
    modules = [];
    for (const factory of factories) modules.push(await factory(deps));
    const timed = async (what: string, m: ServiceModule, fn: () => unknown) => {
      const t0 = performance.now();
      await fn();
      logger.debug(`service ${what}`, {
        service: m.name,
        ms: Math.round((performance.now() - t0) * 10) / 10,
      });
    };
    for (const m of modules) await timed("migrated", m, () => migrate(db, m.name, m.migrations));
    for (const m of modules) await timed("mounted", m, () => m.mount?.());

    let createdAdminToken: string | undefined;
    if (tokens.count() === 0) {
      const { token } = await tokens.create({ name: "bootstrap-admin", role: "admin", tenant: "*" });
      const file = `${dataDir}/admin.token`;
      await Deno.writeTextFile(file, token + "\n", { mode: 0o600 });
      await Deno.chmod(file, 0o600).catch(() => {});
      createdAdminToken = token;
      options.printToken?.(token, file);
    }
    for (const m of modules) await timed("started", m, () => m.start?.());
    ready = true;

    let closed = false;
    return {
      deps,
      modules,
      createdAdminToken,
      fetch: http.fetch,
      isReady: () => ready,
      setDraining: () => (ready = false),
      async close() {
        if (closed) return;
        closed = true;
        ready = false;
        for (const m of [...modules].reverse()) {
          try {
            await m.stop?.();
          } catch (err) {
            logger.error("service stop failed", { service: m.name, err });
          }
        }
        db.close();
      },
    };
  } catch (err) {
    for (const m of [...modules].reverse()) await Promise.resolve(m.stop?.()).catch(() => {});
    db.close();
    throw err;
  }
}
