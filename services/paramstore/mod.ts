/**
 * ParamStore — `trn:paramstore:{tenant}:param/{path}`: hierarchical, typed, versioned
 * configuration with labels and read-time evaluation. Other services read values through the
 * executor bus (`operation: "resolve"`, input `{version?, label?}`).
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import type { ExecutorBus } from "../../runtime/bus.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { migrations, ParamRepo } from "./store.ts";
import { ParamService } from "./params.ts";
import { loadJsonata } from "../../runtime/jsonata.ts";
import { checkLabel, paramTrn } from "./paths.ts";

export type * from "./types.ts";
export { ParamEvaluationError } from "./params.ts";
export { paramTrn } from "./paths.ts";

/** Reads an evaluated parameter through the bus, as StepFlow's `$param('/app/db/host')` does. */
export function resolveParam(
  bus: ExecutorBus,
  tenant: string,
  path: string,
  options: { version?: number; label?: string; caller?: Record<string, unknown> } = {},
): Promise<unknown> {
  const target = path.startsWith("trn:") ? path : paramTrn(tenant, path.startsWith("/") ? path : "/" + path);
  const { caller, ...input } = options;
  return bus.execute(target, tenant, { operation: "resolve", input, caller });
}

export function createParamStoreService(deps: ServiceDeps): ServiceModule {
  const params = new ParamService(deps, new ParamRepo(deps.db));
  return {
    name: "paramstore",
    migrations,
    mount() {
      deps.http.routes({
        name: "paramstore",
        prefixes: ["/api/v1/params"],
        mount: async (app) => {
          // Writes check `{% %}` expressions (JSONata) synchronously.
          const [routes] = await Promise.all([import("./routes.ts"), loadJsonata()]);
          routes.mountRoutes(app, params);
        },
      });
      deps.bus.register("paramstore", {
        async execute(req) {
          const operation = req.operation ?? "resolve";
          if (operation !== "resolve") {
            throw new BadRequestError(`paramstore supports the operation 'resolve', not '${operation}'`);
          }
          const path = "/" + req.trn.path;
          if (req.trn.tenant !== req.tenant) throw new NotFoundError("parameter", path);
          const input = (req.input ?? {}) as { version?: unknown; label?: unknown };
          let version: number | undefined;
          let label: string | undefined;
          if (input.version !== undefined) {
            if (!Number.isInteger(input.version) || (input.version as number) < 1) {
              throw new ValidationError([{
                path: "/version",
                message: "version must be a positive integer",
              }]);
            }
            version = input.version as number;
          } else if (input.label !== undefined) {
            if (typeof input.label !== "string") {
              throw new ValidationError([{ path: "/label", message: "label must be a string" }]);
            }
            label = checkLabel(input.label, "/label");
          } else if (req.trn.qualifier !== undefined) {
            if (/^\d+$/.test(req.trn.qualifier)) version = Number(req.trn.qualifier);
            else label = checkLabel(req.trn.qualifier, "/label");
          }
          const row = params.select(req.tenant, { path, version, label });
          // Workflows of a tenant may decrypt that tenant's secret_refs; CredVault audits each read.
          const caller = req.caller ?? {};
          const { value } = await params.evaluate(row, {
            withDecryption: true,
            actor: typeof caller.tokenId === "string" ? caller.tokenId : undefined,
          });
          return value;
        },
        exists(trn) {
          return params.repo.latestVersion(trn.tenant, "/" + trn.path) !== undefined;
        },
      });
    },
  };
}
