/**
 * The invoke path: resolve name and qualifier (alias traffic included), take a concurrency
 * slot, run the code in the sandbox with START/END/REPORT log lines, record metrics and
 * publish `Function Failed` events. Secret references in `env` are resolved per invocation
 * (see secrets.ts); their values are masked in the function's log lines and error messages.
 */
import { BadRequestError, NotFoundError } from "../../runtime/errors.ts";
import { newId } from "../../runtime/ids.ts";
import { buildTrn } from "../../runtime/trn.ts";
import type { ExecutorBus } from "../../runtime/bus.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { SystemEvents } from "../../runtime/events.ts";
import type {
  FunctionSpec,
  InvokeContext,
  InvokeOptions,
  InvokeOutcome,
  Sandbox,
} from "../../runtime/sandbox/mod.ts";
import { buildSpec } from "./code.ts";
import type { ConcurrencyLimiter } from "./concurrency.ts";
import type { FunctionLogs } from "./logs.ts";
import type { FnMetrics } from "./metrics.ts";
import type { FnStore, FunctionRow } from "./store.ts";
import { fingerprint, hasSecretRefs, masker, resolveEnv, SecretResolutionError } from "./secrets.ts";
import { pickVersion } from "./traffic.ts";
import type { FnRunConfig, InvokeResult } from "./types.ts";

export interface Target {
  fn: FunctionRow;
  /** `$LATEST` or a version number as a string. */
  version: string;
  config: FnRunConfig;
  codeHash: string;
  /** The qualifier that was asked for (alias name, version, `$LATEST`). */
  qualifier: string;
}

export interface InvokeCall {
  requestId?: string;
  qualifier?: string;
  deadline?: number;
  signal?: AbortSignal;
  /** Collect the invocation's log lines into the result. */
  withLogs?: boolean;
}

const LATEST = "$LATEST";

export function functionTrn(tenant: string, name: string, qualifier?: string): string {
  return buildTrn({ service: "aionixfn", tenant, type: "function", path: name, qualifier });
}

export class Invoker {
  #specs = new Map<string, Promise<FunctionSpec>>();
  /** Configuration key → the pool key of its last resolved secret values. */
  #secretPools = new Map<string, string>();
  constructor(
    private deps: {
      store: FnStore;
      sandbox: Sandbox;
      limiter: ConcurrencyLimiter;
      logs: FunctionLogs;
      metrics: FnMetrics;
      events: SystemEvents;
      clock: Clock;
      /** Resolves secret references (CredVault's `resolve`); without it, referencing functions fail. */
      bus?: ExecutorBus;
      random?: () => number;
    },
  ) {}

  /** Resolves `qualifier` (empty/`$LATEST`, a version number, or an alias with its traffic weights). */
  resolve(tenant: string, name: string, qualifier?: string): Target {
    const { store } = this.deps;
    const fn = store.getFunction(tenant, name);
    const q = qualifier === undefined || qualifier === "" ? LATEST : qualifier;
    let version = q;
    if (!/^\d+$/.test(q) && q !== LATEST) {
      const alias = store.findAlias(tenant, name, q);
      if (!alias) throw new NotFoundError("alias", `${name}:${q}`);
      version = pickVersion(alias.version, alias.weights, (this.deps.random ?? Math.random)());
    }
    if (version === LATEST) return { fn, version, config: fn.config, codeHash: fn.codeHash, qualifier: q };
    const v = store.findVersion(tenant, name, Number(version));
    if (!v) throw new NotFoundError("version", `${name}:${version}`);
    return { fn, version: String(v.version), config: v.config, codeHash: v.codeHash, qualifier: q };
  }

  async #spec(tenant: string, target: Target): Promise<FunctionSpec> {
    const cacheKey = `${tenant}/${target.fn.name}/${target.version}/${target.codeHash}/${
      JSON.stringify(target.config)
    }`;
    let spec = this.#specs.get(cacheKey);
    if (!spec) {
      const code = this.deps.store.code(
        tenant,
        target.fn.name,
        target.version === LATEST ? null : Number(target.version),
      );
      spec = buildSpec(target.config, code, target.codeHash);
      this.#specs.set(cacheKey, spec);
      spec.catch(() => this.#specs.delete(cacheKey));
      if (this.#specs.size > 2000) this.#specs.delete(this.#specs.keys().next().value!);
    }
    return await spec;
  }

  /** Drops cached specs and warm workers of a function (after an update or delete). */
  async forget(tenant: string, name: string, keepKeys: Set<string> = new Set()) {
    const prefix = `${tenant}/${name}/`;
    for (const [cacheKey, spec] of [...this.#specs]) {
      if (!cacheKey.startsWith(prefix)) continue;
      this.#specs.delete(cacheKey);
      const s = await spec.catch(() => undefined);
      if (s && !keepKeys.has(s.key)) {
        this.deps.sandbox.evict(s.key);
        const pool = this.#secretPools.get(s.key);
        this.#secretPools.delete(s.key);
        if (pool) this.deps.sandbox.evict(pool);
      }
    }
  }

  /**
   * The spec with its secret references resolved for this invocation: the plain env plus the
   * values, in a pool of its own (warm workers keep their env). A change of values (a rotation)
   * evicts the configuration's previous pool.
   */
  async #withSecrets(
    spec: FunctionSpec,
    target: Target,
    tenant: string,
    call: { requestId: string; signal?: AbortSignal; deadline: number },
  ): Promise<{ spec: FunctionSpec; secrets: string[] }> {
    if (!hasSecretRefs(target.config.env)) return { spec, secrets: [] };
    if (!this.deps.bus) {
      throw new SecretResolutionError({
        errorType: "Runtime.SecretResolutionFailed",
        errorMessage: "secret references cannot be resolved: CredVault is not available",
        stack: [],
      });
    }
    const { env, secrets } = await resolveEnv(this.deps.bus, tenant, target.config.env, {
      functionName: target.fn.name,
      requestId: call.requestId,
      signal: call.signal,
      deadline: call.deadline,
    });
    const key = `${spec.key}-s${await fingerprint(env)}`;
    const previous = this.#secretPools.get(spec.key);
    if (previous !== key) {
      this.#secretPools.set(spec.key, key);
      if (previous) this.deps.sandbox.evict(previous);
    }
    return { spec: { ...spec, key, env }, secrets };
  }

  /** Resolves the function's secrets (a failure is the invocation's error) and runs it in the sandbox. */
  async #run(
    spec: FunctionSpec,
    target: Target,
    event: unknown,
    ctx: InvokeContext,
    options: InvokeOptions & { onSecrets: (values: string[]) => void },
  ): Promise<InvokeOutcome> {
    const started = performance.now();
    let run: { spec: FunctionSpec; secrets: string[] };
    try {
      run = await this.#withSecrets(spec, target, ctx.tenant, {
        requestId: ctx.requestId,
        signal: options.signal,
        deadline: ctx.deadline,
      });
    } catch (err) {
      if (!(err instanceof SecretResolutionError)) throw err;
      return {
        ok: false,
        error: err.info,
        durationMs: performance.now() - started,
        maxMemoryMb: 0,
        coldStart: false,
      };
    }
    options.onSecrets(run.secrets);
    return await this.deps.sandbox.invoke(run.spec, event, ctx, options);
  }

  /** Runs a function synchronously; function errors are in the result, platform errors throw. */
  async invoke(tenant: string, name: string, event: unknown, call: InvokeCall = {}): Promise<InvokeResult> {
    const { logs, metrics, limiter, clock } = this.deps;
    const target = this.resolve(tenant, name, call.qualifier);
    let release: () => void;
    try {
      release = limiter.acquire(`${tenant}/${name}`, target.fn.settings.reservedConcurrency);
    } catch (err) {
      metrics.throttled(tenant, name);
      throw err;
    }
    const requestId = call.requestId ?? newId(clock.now());
    const trn = functionTrn(tenant, name, target.version === LATEST ? undefined : target.version);
    const version = target.version;
    const collected: string[] = [];
    let mask = (text: string) => text;
    const log = (level: string, message: string) => {
      message = mask(message);
      logs.write(tenant, { functionName: name, version, requestId, level, message });
      if (call.withLogs) collected.push(message);
    };
    try {
      const spec = await this.#spec(tenant, target);
      const timeoutDeadline = clock.now() + spec.timeoutMs;
      const deadline = call.deadline !== undefined
        ? Math.min(call.deadline, timeoutDeadline)
        : timeoutDeadline;
      if (deadline <= clock.now()) {
        throw new BadRequestError(`the caller's deadline has already passed; nothing was run`);
      }
      log("START", `START RequestId: ${requestId} Version: ${version}`);
      const outcome = await this.#run(spec, target, event, {
        requestId,
        functionTrn: trn,
        functionName: name,
        version,
        tenant,
        deadline,
      }, {
        signal: call.signal,
        onLog: (line) => log(line.level, line.text),
        onSecrets: (values) => (mask = masker(values)),
      });
      if (outcome.error) {
        outcome.error = {
          ...outcome.error,
          errorMessage: mask(outcome.error.errorMessage),
          stack: outcome.error.stack?.map(mask),
        };
      }
      const durationMs = Math.round(outcome.durationMs * 1000) / 1000;
      const billed = Math.max(1, Math.ceil(outcome.durationMs));
      if (!outcome.ok && outcome.error) {
        log("error", `${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      }
      log("END", `END RequestId: ${requestId}`);
      log(
        "REPORT",
        `REPORT RequestId: ${requestId} Duration: ${
          durationMs.toFixed(2)
        } ms Billed Duration: ${billed} ms ` +
          `Memory Size: ${spec.memoryMb} MB Max Memory Used: ${outcome.maxMemoryMb} MB` +
          (outcome.coldStart ? " Cold Start: true" : ""),
      );
      metrics.record(tenant, name, version, {
        ok: outcome.ok,
        errorType: outcome.error?.errorType,
        durationMs: outcome.durationMs,
        coldStart: outcome.coldStart,
      });
      const result: InvokeResult = {
        requestId,
        functionTrn: trn,
        version,
        status: outcome.ok ? "succeeded" : "failed",
        durationMs,
        billedDurationMs: billed,
        maxMemoryMb: outcome.maxMemoryMb,
        memoryMb: spec.memoryMb,
        coldStart: outcome.coldStart,
      };
      if (outcome.ok) result.result = JSON.parse(outcome.json ?? "null");
      else {
        result.error = {
          errorType: outcome.error?.errorType ?? "Unknown",
          errorMessage: outcome.error?.errorMessage ?? "",
          stack: outcome.error?.stack ?? [],
        };
        this.deps.events.publish({
          tenant,
          source: "aionix.aionixfn",
          detailType: "Function Failed",
          detail: {
            function: name,
            version,
            requestId,
            errorType: result.error.errorType,
            errorMessage: result.error.errorMessage,
          },
          resources: [trn],
        });
      }
      if (call.withLogs) result.logs = collected;
      return result;
    } finally {
      release();
    }
  }
}
