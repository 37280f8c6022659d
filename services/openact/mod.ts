/**
 * OpenAct: connections and actions over lazily loaded connectors, reachable by REST, the CLI,
 * the executor bus (`act:KIND.NAME`), MCP, and AuthFlow for OAuth2 connections.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { NotFoundError, ServiceUnavailableError } from "../../runtime/errors.ts";
import { createConnectorRegistry } from "./connectors/registry.ts";
import { DEFAULT_SELECTION_FILE, readConnectorSelection } from "./connectors_toml.ts";
import { type CredentialReader, Engine } from "./engine.ts";
import { migrations } from "./migrations.ts";
import { OpenActStore } from "./store.ts";
import { OpenAct } from "./service.ts";
import { openactExecutor } from "./executor.ts";
import { AuthFlow } from "./authflow/authflow.ts";
import { RestTokenVault, type TokenVault } from "./authflow/token_vault.ts";
import { EventSources, EventSourceStore, SourceRunner } from "./sources/mod.ts";

export type { Action, Connection, EventSource, ExecuteResult } from "./types.ts";

export interface OpenActOptions {
  /** Replaces the CredVault bus lookup (tests). */
  readCredential?: CredentialReader;
  /** Replaces the CredVault REST writer for OAuth2 tokens (tests). */
  tokenVault?: TokenVault;
}

export async function createOpenActService(
  deps: ServiceDeps,
  options: OpenActOptions = {},
): Promise<ServiceModule> {
  const selection = await readConnectorSelection(deps.env.AIONIX_CONNECTORS_FILE ?? DEFAULT_SELECTION_FILE);
  const registry = createConnectorRegistry({ selection });
  const readCredential: CredentialReader = options.readCredential ?? (async (tenant, trn, signal) => {
    try {
      return await deps.bus.execute(trn, tenant, {
        operation: "resolve",
        input: {},
        signal,
        caller: { service: "openact" },
      });
    } catch (err) {
      if (err instanceof NotFoundError && err.kind === "executor") {
        throw new ServiceUnavailableError(
          `cannot read credential ${trn}: CredVault is not running in this server`,
        );
      }
      throw err;
    }
  });
  const store = new OpenActStore(deps.db, () => deps.clock.now());
  const engine = new Engine(
    registry,
    readCredential,
    deps.logger.child({ service: "openact" }),
    () => deps.clock.now(),
  );
  const openact = new OpenAct(store, engine);
  const now = () => deps.clock.now();
  const flow = new AuthFlow({
    store,
    engine,
    readCredential,
    now,
    vault: options.tokenVault ?? new RestTokenVault(deps.http.app, deps.tokens, now),
  });
  engine.refreshToken = (tenant, connection, signal) => flow.refresh(tenant, connection, signal);
  const sourceStore = new EventSourceStore(deps.db, now);
  const sources = new EventSources({
    store: sourceStore,
    connections: store,
    engine,
    clock: deps.clock,
    runner: new SourceRunner({
      engine,
      events: deps.events,
      logger: deps.logger.child({ service: "openact" }),
      clock: deps.clock,
      connection: (tenant, name) => store.findConnection(tenant, name),
    }),
  });
  openact.onConnectionChanged = (tenant, name) => sources.restartConnection(tenant, name);
  store.connectionUsers = (tenant, name) => sourceStore.onConnection(tenant, name).map((s) => s.name);
  let unsubscribe: (() => void) | undefined;

  return {
    name: "openact",
    migrations,
    mount() {
      deps.http.routes({
        name: "openact",
        prefixes: [
          "/api/v1/connectors",
          "/api/v1/connections",
          "/api/v1/actions",
          "/api/v1/openact",
          "/api/v1/authflow",
          "/api/v1/event-sources",
        ],
        mount: async (app) => {
          const [core, authflow, sourceRoutes] = await Promise.all([
            import("./routes.ts"),
            import("./authflow/routes.ts"),
            import("./sources/routes.ts"),
          ]);
          core.mountRoutes(app, openact, registry);
          authflow.mountAuthFlowRoutes(app, openact, flow, deps.http.publicPaths);
          sourceRoutes.mountEventSourceRoutes(app, sources);
        },
      });
      deps.http.routes({
        name: "openact-mcp",
        prefixes: ["/mcp"],
        mount: async (app) =>
          (await import("./mcp/route.ts")).mountMcp(app, { tokens: deps.tokens, bus: deps.bus, openact }),
      });
      deps.bus.register("openact", openactExecutor(openact));
    },
    start() {
      unsubscribe = deps.events.subscribe((event) => {
        if (event.source === "aionix.credvault" && typeof event.detail.trn === "string") {
          engine.forgetCredential(event.detail.trn);
          void sources.restartCredential(event.detail.trn);
        }
      });
      sources.startAll();
    },
    async stop() {
      unsubscribe?.();
      await sources.runner.stopAll();
      await engine.close();
    },
  };
}
