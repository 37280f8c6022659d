/** AionixFn's operations (used by routes and the bus executor): functions, versions, aliases. */
import { ConflictError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import type { z } from "zod";
import { normalizeCode, resolveHandler } from "./code.ts";
import { checkSecretRefs } from "./secrets.ts";
import { checkWeights } from "./traffic.ts";
import { functionTrn, type Invoker } from "./invoker.ts";
import type { AliasRow, FnStore, FunctionRow, VersionRow } from "./store.ts";
import type { CreateAlias, CreateFunction, UpdateAlias, UpdateFunction } from "./schemas.ts";
import type { AliasInfo, FnRunConfig, FnSettings, FunctionInfo, StoredCode, VersionInfo } from "./types.ts";
import type { FnMetrics } from "./metrics.ts";

export function toFunctionInfo(tenant: string, r: FunctionRow, code?: StoredCode): FunctionInfo {
  return {
    name: r.name,
    trn: functionTrn(tenant, r.name),
    ...r.config,
    ...r.settings,
    codeKind: r.codeKind,
    codeHash: r.codeHash,
    codeSize: r.codeSize,
    latestVersion: r.latestVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(code ? { code } : {}),
  };
}

export function toVersionInfo(tenant: string, name: string, v: VersionRow): VersionInfo {
  return {
    version: v.version,
    trn: functionTrn(tenant, name, String(v.version)),
    ...v.config,
    codeHash: v.codeHash,
    codeSize: v.codeSize,
    createdAt: v.createdAt,
  };
}

export function toAliasInfo(tenant: string, name: string, a: AliasRow): AliasInfo {
  return {
    name: a.alias,
    trn: functionTrn(tenant, name, a.alias),
    functionName: name,
    version: a.version,
    weights: a.weights,
    description: a.description,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export class FnService {
  constructor(private store: FnStore, private invoker: Invoker, private metrics: FnMetrics) {}

  info(tenant: string, row: FunctionRow, withCode = false): FunctionInfo {
    return toFunctionInfo(tenant, row, withCode ? this.store.code(tenant, row.name, null) : undefined);
  }

  async create(tenant: string, body: z.infer<typeof CreateFunction>): Promise<FunctionInfo> {
    checkSecretRefs(tenant, body.env);
    const { code, codeHash, codeSize } = await normalizeCode(body);
    const { handler } = resolveHandler(body.runtime, body.handler, code);
    if (code.kind === "files") code.entry = handler;
    const config: FnRunConfig = {
      runtime: body.runtime,
      handler,
      timeout: body.timeout,
      memory: body.memory,
      env: body.env,
      permissions: body.permissions,
      description: body.description,
    };
    const settings: FnSettings = {
      reservedConcurrency: body.reservedConcurrency,
      destinations: body.destinations,
      maxRetries: body.maxRetries,
    };
    return this.info(
      tenant,
      this.store.createFunction(tenant, body.name, { config, settings, code, codeHash, codeSize }),
    );
  }

  async update(tenant: string, name: string, body: z.infer<typeof UpdateFunction>): Promise<FunctionInfo> {
    const fn = this.store.getFunction(tenant, name);
    checkSecretRefs(tenant, body.env);
    const hasCode = body.code !== undefined || body.files !== undefined || body.zip !== undefined;
    const next = hasCode ? await normalizeCode(body) : undefined;
    const code = next?.code ?? this.store.code(tenant, name, null);
    const runtime = body.runtime ?? fn.config.runtime;
    const handlerInput = body.handler ??
      (hasCode || runtime !== fn.config.runtime ? undefined : fn.config.handler);
    const { handler } = resolveHandler(runtime, handlerInput, code);
    if (next && code.kind === "files") code.entry = handler;
    const config: FnRunConfig = {
      runtime,
      handler,
      timeout: body.timeout ?? fn.config.timeout,
      memory: body.memory ?? fn.config.memory,
      env: body.env ?? fn.config.env,
      permissions: body.permissions ?? fn.config.permissions,
      description: body.description ?? fn.config.description,
    };
    const settings: FnSettings = {
      reservedConcurrency: body.reservedConcurrency !== undefined
        ? body.reservedConcurrency
        : fn.settings.reservedConcurrency,
      destinations: body.destinations ?? fn.settings.destinations,
      maxRetries: body.maxRetries ?? fn.settings.maxRetries,
    };
    const row = this.store.updateFunction(tenant, name, { config, settings, ...(next ?? {}) });
    await this.invoker.forget(tenant, name);
    return this.info(tenant, row);
  }

  async delete(tenant: string, name: string): Promise<void> {
    this.store.deleteFunction(tenant, name);
    this.metrics.forget(tenant, name);
    await this.invoker.forget(tenant, name);
  }

  publish(tenant: string, name: string, description?: string): { version: VersionInfo; created: boolean } {
    const { version, created } = this.store.publish(tenant, name, description);
    return { version: toVersionInfo(tenant, name, version), created };
  }

  #checkVersion(tenant: string, name: string, version: string, path: string) {
    if (version === "$LATEST") return;
    if (!this.store.findVersion(tenant, name, Number(version))) {
      throw new ValidationError([{
        path,
        message:
          `version ${version} of '${name}' does not exist: publish it with POST /api/v1/functions/${name}/versions`,
      }]);
    }
  }

  createAlias(tenant: string, name: string, body: z.infer<typeof CreateAlias>): AliasInfo {
    this.store.getFunction(tenant, name);
    this.#checkVersion(tenant, name, body.version, "/version");
    return toAliasInfo(
      tenant,
      name,
      this.store.createAlias(tenant, name, body.name, body.version, body.description),
    );
  }

  updateAlias(tenant: string, name: string, alias: string, body: z.infer<typeof UpdateAlias>): AliasInfo {
    const current = this.store.getAlias(tenant, name, alias);
    if (body.version !== undefined) this.#checkVersion(tenant, name, body.version, "/version");
    const version = body.version ?? current.version;
    return toAliasInfo(
      tenant,
      name,
      this.store.updateAlias(tenant, name, alias, {
        version,
        // Pointing the alias at a version ends any traffic split.
        weights: body.version !== undefined ? null : current.weights,
        description: body.description ?? current.description,
      }),
    );
  }

  setTraffic(tenant: string, name: string, alias: string, weights: Record<string, number>): AliasInfo {
    this.store.getFunction(tenant, name);
    const current = this.store.findAlias(tenant, name, alias);
    if (!current) {
      throw new NotFoundError(
        "alias",
        `${name}:${alias}`,
        `alias '${alias}' of '${name}' not found: create it first`,
      );
    }
    const checked = checkWeights(weights);
    for (const v of Object.keys(weights)) this.#checkVersion(tenant, name, v, `/${v.replaceAll("~", "~0")}`);
    if (checked.weights && Object.keys(checked.weights).includes("$LATEST")) {
      throw new ConflictError("a traffic split must be between published versions, not $LATEST");
    }
    return toAliasInfo(
      tenant,
      name,
      this.store.updateAlias(tenant, name, alias, {
        version: checked.primary,
        weights: checked.weights,
        description: current.description,
      }),
    );
  }
}
