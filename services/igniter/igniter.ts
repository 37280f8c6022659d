/**
 * Igniter's core: the trigger cache and CRUD rules, wired to the schedule engine, the event
 * bus and the dispatcher. Routes (routes.ts, event_routes.ts, hook_routes.ts) are thin.
 */
import type { ServiceDeps } from "../../runtime/service.ts";
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { resolveName } from "../../runtime/trn.ts";
import { formatTrn } from "../../runtime/trn.ts";
import { createIgniterMetrics, type IgniterMetrics } from "./metrics.ts";
import { compilePattern } from "./pattern.ts";
import { compileSchedule, previewSchedule } from "./schedule.ts";

/** The validation schemas (zod) load with the first trigger write or preview, not at start. */
const loadSchemas = () => import("./schemas.ts");
import { type FiringRow, firingView, IgniterStore, type TriggerRow } from "./store.ts";
import { parseTarget } from "./targets.ts";
import { validateTransform } from "./transform.ts";
import type {
  DeadLetter,
  EventConfig,
  Firing,
  RetryPolicy,
  ScheduleConfig,
  TargetOptions,
  Trigger,
  TriggerType,
} from "./types.ts";
import { DEAD_LETTER_DETAIL_TYPE, DEAD_LETTER_SOURCE, DEFAULT_RETRY, Dispatcher } from "./dispatcher.ts";
import { EventBus } from "./event_bus.ts";
import { EventLog, type EventQuery } from "./event_log.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { ScheduleEngine } from "./scheduler.ts";

export interface CreateInput {
  name: string;
  type: TriggerType;
  target?: string;
  targetOptions?: TargetOptions | null;
  config: Record<string, unknown>;
  inputTransform?: unknown;
  description?: string;
  enabled?: boolean;
  retryPolicy?: Partial<RetryPolicy>;
  deadLetter?: DeadLetter | null;
}

export type UpdateInput = Partial<Omit<CreateInput, "name" | "type">>;

const EXECUTION_STATUS: Record<string, string> = {
  "Execution Succeeded": "succeeded",
  "Execution Failed": "failed",
  "Execution Timed Out": "timed_out",
  "Execution Cancelled": "cancelled",
};

/** `{}` and null both mean "no options". */
const targetOptions = (
  o: TargetOptions | null | undefined,
): TargetOptions | null => (o?.kind ? { kind: o.kind } : null);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class Igniter {
  readonly store: IgniterStore;
  readonly metrics: IgniterMetrics;
  readonly events: EventBus;
  readonly dispatcher: Dispatcher;
  readonly engine: ScheduleEngine;
  readonly eventLog: EventLog;
  #cache = new Map<string, TriggerRow>();
  #unsubscribe?: () => void;
  #pruneTimer: TimerId | undefined;

  constructor(readonly deps: ServiceDeps, options: { random?: () => number } = {}) {
    const random = options.random ?? Math.random;
    this.store = new IgniterStore(deps.db);
    this.metrics = createIgniterMetrics(deps.metrics);
    this.eventLog = new EventLog(deps.db, {
      count: deps.config.igniter.event_retention_count,
      days: deps.config.igniter.event_retention_days,
    });
    this.events = new EventBus({
      db: deps.db,
      store: this.store,
      log: this.eventLog,
      clock: deps.clock,
      logger: deps.logger,
      metrics: this.metrics,
    });
    this.dispatcher = new Dispatcher({
      db: deps.db,
      store: this.store,
      bus: deps.bus,
      clock: deps.clock,
      logger: deps.logger,
      metrics: this.metrics,
      random,
      lookup: (tenant, name) => this.#cache.get(`${tenant}/${name}`),
      publishDeadLetter: (tenant, bus, detail) =>
        this.events.ingestInTransaction(tenant, [{
          source: DEAD_LETTER_SOURCE,
          "detail-type": DEAD_LETTER_DETAIL_TYPE,
          detail,
          eventBus: bus,
          resources: [
            formatTrn({ service: "igniter", tenant, type: "trigger", path: String(detail.trigger) }),
          ],
        }]),
    });
    this.engine = new ScheduleEngine({
      db: deps.db,
      store: this.store,
      clock: deps.clock,
      logger: deps.logger,
      metrics: this.metrics,
      random,
      triggers: () => this.#cache.values(),
      submit: (rows) => this.dispatcher.submit(rows),
    });
  }

  start(): void {
    for (const t of this.store.allTriggers()) this.#remember(t);
    this.store.pruneDeliveries(this.deps.clock.now() - 30 * 86400_000);
    this.#pruneEvents();
    this.#unsubscribe = this.deps.events.subscribe((e) => {
      const executionId = e.detail?.executionId;
      if (
        e.source === "aionix.stepflow" && typeof executionId === "string" && EXECUTION_STATUS[e.detailType]
      ) {
        try {
          this.dispatcher.runFinished(executionId, EXECUTION_STATUS[e.detailType]);
        } catch (err) {
          this.deps.logger.warn("igniter: recording a run's end failed", { err });
        }
      }
      // Ingested after the publisher's own transaction, never inside it. The promise tells
      // publishAndWait() callers (OpenAct's event sources) that the matched firings are stored.
      return new Promise<void>((resolve, reject) =>
        queueMicrotask(() => {
          try {
            const { rows } = this.events.put(e.tenant, [{
              source: e.source,
              "detail-type": e.detailType,
              detail: e.detail,
              resources: e.resources,
              time: e.time,
            }]);
            resolve();
            this.dispatcher.submit(rows);
          } catch (err) {
            this.deps.logger.warn("igniter: ingesting a system event failed", { source: e.source, err });
            reject(err);
          }
        })
      );
    }, { durable: true });
    this.dispatcher.start();
    this.engine.start();
  }

  stop(): void {
    if (this.#pruneTimer !== undefined) this.deps.clock.clearTimeout(this.#pruneTimer);
    this.#pruneTimer = undefined;
    this.#unsubscribe?.();
    this.engine.stop();
    this.dispatcher.stop();
  }

  /** Event log retention: at start, every hour, and every 1,000 events (EventBus.put). */
  #pruneEvents(): void {
    const deleted = this.events.prune(true);
    if (deleted) this.deps.logger.debug("igniter: pruned the event log", { deleted });
    this.#pruneTimer = this.deps.clock.setTimeout(() => this.#pruneEvents(), 3600_000);
  }

  /** Events that arrived, newest first (matched or not). */
  listEvents(tenant: string, query: EventQuery) {
    return this.eventLog.list(tenant, query);
  }

  #remember(t: TriggerRow): void {
    this.#cache.set(`${t.tenant}/${t.name}`, t);
    try {
      this.events.setRule(t);
    } catch (err) {
      this.deps.logger.error("igniter: a stored event pattern no longer compiles", { trigger: t.name, err });
    }
  }

  /** Resolves a short name or TRN in the tenant; unknown (or another tenant's) → 404. */
  row(tenant: string, nameOrTrn: string): TriggerRow {
    const trn = resolveName(nameOrTrn, { service: "igniter", type: "trigger", tenant, qualifiers: false });
    const t = trn.foreignTenant ? undefined : this.#cache.get(`${tenant}/${trn.path}`);
    if (!t) throw new NotFoundError("trigger", nameOrTrn);
    return t;
  }

  view(t: TriggerRow): Trigger {
    const out: Trigger = {
      name: t.name,
      trn: formatTrn({ service: "igniter", tenant: t.tenant, type: "trigger", path: t.name }),
      type: t.type,
      target: t.target,
      config: t.config,
      description: t.description,
      enabled: t.enabled,
      retryPolicy: t.retryPolicy,
      deadLetter: t.deadLetter,
      lastFireAt: iso(t.lastFireAt),
      createdAt: new Date(t.createdAt).toISOString(),
      updatedAt: new Date(t.updatedAt).toISOString(),
    };
    if (t.inputTransform !== undefined) out.inputTransform = t.inputTransform;
    if (t.targetOptions) out.targetOptions = t.targetOptions;
    if (t.type === "webhook") out.webhookPath = `/hooks/${t.tenant}/${t.name}`;
    if (t.type === "schedule") out.nextFireAt = iso(this.engine.nextFire(t));
    return out;
  }

  /** Checks everything about a trigger; errors carry JSON pointers into the request. */
  async #validate(t: TriggerRow): Promise<void> {
    const { parseConfig } = await loadSchemas();
    t.config = parseConfig(t.type, t.config);
    if (t.type === "schedule") compileSchedule(t.config as ScheduleConfig, t.anchorAt);
    if (t.type === "event") compilePattern((t.config as EventConfig).pattern, "/config/pattern");
    if (t.type === "webhook") {
      const c = t.config as { signature?: unknown; bearer?: unknown; allowUnauthenticated?: boolean };
      if (!c.signature && !c.bearer && !c.allowUnauthenticated) {
        throw new ValidationError([{
          path: "/config",
          message:
            'a webhook needs "signature" ({style, secrets}) or "bearer" ({secret}); to accept anyone set ' +
            '"allowUnauthenticated": true',
        }]);
      }
    }
    if (t.inputTransform !== undefined) validateTransform(t.inputTransform);
    if (t.target) await this.#checkTarget(t.tenant, t.target, "/target");
    if (
      t.targetOptions?.kind === "express" && t.target &&
      parseTarget(t.target, t.tenant).service !== "stepflow"
    ) {
      throw new ValidationError([{
        path: "/targetOptions/kind",
        message: `express applies to workflow targets (wf:NAME) only; ${t.target} is a function: remove kind`,
      }]);
    }
    if (t.deadLetter && "target" in t.deadLetter) {
      const dl = parseTarget(t.deadLetter.target, t.tenant, "/deadLetter/target");
      if (dl.service !== "stepflow") {
        throw new ValidationError([{
          path: "/deadLetter/target",
          message: "a dead-letter target must be a workflow (wf:NAME)",
        }]);
      }
    }
  }

  async #checkTarget(tenant: string, target: string, path: string): Promise<void> {
    const parsed = parseTarget(target, tenant, path);
    let known = false;
    try {
      this.deps.bus.resolve(parsed.action, tenant);
      known = true;
    } catch {
      // The target's service is not running here (yet): accepted; dispatch retries then dead-letters.
    }
    if (known && !(await this.deps.bus.exists(parsed.action, tenant))) {
      throw new ValidationError([{
        path,
        message: `${target} does not exist in tenant '${tenant}'`,
        code: "not_found",
      }]);
    }
  }

  async create(tenant: string, input: CreateInput): Promise<Trigger> {
    if (this.#cache.has(`${tenant}/${input.name}`)) {
      throw new ConflictError(`trigger '${input.name}' already exists: update it or choose another name`);
    }
    const { RetryPolicySchema } = await loadSchemas();
    const now = this.deps.clock.now();
    const t: TriggerRow = {
      tenant,
      name: input.name,
      type: input.type,
      target: input.target ?? null,
      targetOptions: targetOptions(input.targetOptions),
      config: input.config,
      inputTransform: input.inputTransform,
      description: input.description ?? "",
      enabled: input.enabled ?? false,
      retryPolicy: RetryPolicySchema.parse({ ...DEFAULT_RETRY, ...input.retryPolicy }),
      deadLetter: input.deadLetter ?? null,
      anchorAt: now,
      cursorAt: now,
      lastFireAt: null,
      createdAt: now,
      updatedAt: now,
    };
    if (t.enabled && !t.target) {
      throw new ValidationError([{
        path: "/target",
        message: "an enabled trigger needs a target (wf:NAME or fn:NAME)",
      }]);
    }
    await this.#validate(t);
    this.store.insertTrigger(t);
    this.#remember(t);
    this.engine.tick();
    return this.view(t);
  }

  async update(tenant: string, name: string, patch: UpdateInput): Promise<Trigger> {
    const old = this.row(tenant, name);
    const { RetryPolicySchema } = await loadSchemas();
    const now = Math.max(this.deps.clock.now(), old.updatedAt + 1);
    const t: TriggerRow = {
      ...old,
      target: patch.target ?? old.target,
      targetOptions: patch.targetOptions !== undefined
        ? targetOptions(patch.targetOptions)
        : old.targetOptions,
      config: patch.config ?? old.config,
      inputTransform: "inputTransform" in patch ? patch.inputTransform ?? undefined : old.inputTransform,
      description: patch.description ?? old.description,
      enabled: patch.enabled ?? old.enabled,
      retryPolicy: patch.retryPolicy
        ? RetryPolicySchema.parse({ ...old.retryPolicy, ...patch.retryPolicy })
        : old.retryPolicy,
      deadLetter: patch.deadLetter !== undefined ? patch.deadLetter : old.deadLetter,
      updatedAt: now,
    };
    return await this.#save(old, t, patch.config !== undefined || (patch.enabled === true && !old.enabled));
  }

  async setEnabled(tenant: string, name: string, enabled: boolean): Promise<Trigger> {
    const old = this.row(tenant, name);
    if (enabled && !old.target) {
      throw new ConflictError(
        `trigger '${old.name}' has no target: set one first, e.g. aio tr update ${old.name} --target wf:NAME`,
      );
    }
    if (old.enabled === enabled) return this.view(old);
    const now = Math.max(this.deps.clock.now(), old.updatedAt + 1);
    return await this.#save(old, { ...old, enabled, updatedAt: now }, enabled);
  }

  /** Re-arming (enable, new schedule) starts counting from now: nothing missed while off is fired. */
  async #save(old: TriggerRow, t: TriggerRow, rearm: boolean): Promise<Trigger> {
    if (t.enabled && !t.target) {
      throw new ValidationError([{
        path: "/target",
        message: "an enabled trigger needs a target (wf:NAME or fn:NAME)",
      }]);
    }
    if (rearm) {
      const now = this.deps.clock.now();
      t.anchorAt = now;
      t.cursorAt = Math.max(old.cursorAt, now);
    }
    await this.#validate(t);
    this.store.updateTrigger(t);
    this.#remember(t);
    this.engine.tick();
    return this.view(t);
  }

  delete(tenant: string, name: string): Trigger {
    const t = this.row(tenant, name);
    this.store.deleteTrigger(tenant, t.name);
    this.#cache.delete(`${tenant}/${t.name}`);
    this.events.removeRule(tenant, t.name);
    return this.view({ ...t, enabled: false });
  }

  list(tenant: string, options: { type?: string; after?: string; limit: number }): Trigger[] {
    return this.store.listTriggers(tenant, options).map((r) =>
      this.view(this.#cache.get(`${tenant}/${r.name}`) ?? r)
    );
  }

  history(
    tenant: string,
    name: string,
    options: { before?: string; limit: number; status?: string },
  ): Firing[] {
    const t = this.row(tenant, name);
    const status = options.status === "retrying" ? "pending" : options.status;
    return this.store.history(tenant, t.name, { ...options, status }).map(firingView);
  }

  /** The next fire times of a stored trigger, or of a config that is not stored yet. */
  async preview(
    tenant: string,
    source: { name: string } | { config: Record<string, unknown> },
    count: number,
  ): Promise<{ fireTimes: string[]; timezone: string }> {
    const { parseConfig } = await loadSchemas();
    const now = this.deps.clock.now();
    let config: ScheduleConfig;
    let schedule;
    let after = now;
    if ("name" in source) {
      const t = this.row(tenant, source.name);
      if (t.type !== "schedule") {
        throw new BadRequestError(`trigger '${t.name}' is a ${t.type} trigger, not a schedule`);
      }
      config = t.config as ScheduleConfig;
      schedule = this.engine.compiled(t);
      after = Math.max(now, t.cursorAt);
    } else {
      config = parseConfig("schedule", source.config) as ScheduleConfig;
      schedule = compileSchedule(config, now);
    }
    return {
      fireTimes: previewSchedule(schedule, after, count).map((ms) => new Date(ms).toISOString()),
      timezone: config.timezone ?? "UTC",
    };
  }

  firing(id: string): FiringRow | undefined {
    return this.store.getFiring(id);
  }
}
