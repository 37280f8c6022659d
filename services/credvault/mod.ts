/**
 * CredVault — `trn:credvault:{tenant}:credential/{name}`: encrypted credentials with versions,
 * stages, rotation and audit. Other services read values only through the executor bus
 * (`operation: "resolve"`), which audits each read.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import type { ExecutorBus } from "../../runtime/bus.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { formatTrn } from "../../runtime/trn.ts";
import { loadMasterKey, makeCheckValue } from "./master_key.ts";
import { CredVaultStore, migrations } from "./store.ts";
import { CredVault } from "./vault.ts";
import { Rotator } from "./rotation.ts";
import { type Stage, STAGES } from "./types.ts";

export type * from "./types.ts";
export { MasterKeyError } from "./master_key.ts";
export { RotationFailedError } from "./rotation.ts";
export { IntegrityError } from "./crypto.ts";

/** The TRN of a credential in a tenant. */
export function secretTrn(tenant: string, name: string): string {
  return formatTrn({ service: "credvault", tenant, type: "credential", path: name });
}

/**
 * Reads a secret value through the bus, as StepFlow's `$secret('name', 'pending')` does.
 * `caller` names who reads (for the audit log).
 */
export function resolveSecret(
  bus: ExecutorBus,
  tenant: string,
  name: string,
  options: { stage?: Stage; versionId?: string; caller?: Record<string, unknown> } = {},
): Promise<unknown> {
  const target = name.startsWith("trn:") ? name : secretTrn(tenant, name);
  return bus.execute(target, tenant, {
    operation: "resolve",
    input: {
      ...(options.stage ? { stage: options.stage } : {}),
      ...(options.versionId ? { versionId: options.versionId } : {}),
    },
    caller: options.caller,
  });
}

export async function createCredVaultService(deps: ServiceDeps): Promise<ServiceModule> {
  // Before any migration runs: a wrong master key must stop the start with nothing changed.
  const master = await loadMasterKey({
    env: deps.env,
    dataDir: deps.dataDir,
    db: deps.db,
    logger: deps.logger,
  });
  const store = new CredVaultStore(deps.db);
  const vault = new CredVault(deps, store, master);
  const rotator = new Rotator(vault);
  return {
    name: "credvault",
    migrations,
    mount() {
      deps.http.routes({
        name: "credvault",
        prefixes: ["/api/v1/secrets"],
        mount: async (app) => (await import("./routes.ts")).mountRoutes(app, vault, rotator),
      });
      deps.bus.register("credvault", {
        async execute(req) {
          const operation = req.operation ?? "resolve";
          if (operation !== "resolve") {
            throw new BadRequestError(`credvault supports the operation 'resolve', not '${operation}'`);
          }
          if (req.trn.tenant !== req.tenant) throw new NotFoundError("secret", req.trn.path);
          const input = (req.input ?? {}) as { stage?: unknown; versionId?: unknown };
          const stage = input.stage ?? req.trn.qualifier;
          if (stage !== undefined && !STAGES.includes(stage as Stage)) {
            throw new ValidationError([{
              path: "/stage",
              message: `stage must be one of ${STAGES.join(", ")}`,
            }]);
          }
          if (input.versionId !== undefined && typeof input.versionId !== "string") {
            throw new ValidationError([{ path: "/versionId", message: "versionId must be a string" }]);
          }
          const caller = req.caller ?? {};
          // Audited as the calling token when the caller passes one, else as the calling service.
          const service = typeof caller.service === "string" ? caller.service : "stepflow";
          const actor = {
            actor: typeof caller.tokenId === "string" ? caller.tokenId : service,
            source: String(caller.executionId ?? caller.execution ?? service),
          };
          const revealed = await vault.reveal(
            req.tenant,
            req.trn.path,
            { stage: stage as Stage | undefined, versionId: input.versionId as string | undefined },
            actor,
          );
          return revealed.value;
        },
        exists(trn) {
          const row = store.find(trn.tenant, trn.path);
          return !!row && !row.deleted_at;
        },
      });
    },
    async start() {
      if (!store.checkValue()) store.saveCheckValue(await makeCheckValue(vault.master.key), vault.iso());
      rotator.start();
    },
    async stop() {
      await rotator.stop();
    },
  };
}
