/**
 * StepFlow's application layer: templates (immutable versions), starting and controlling
 * executions, callbacks, history. Routes, the CLI-facing API and the `wf:` executor all
 * go through here.
 */
import type { ServiceDeps } from "../../runtime/service.ts";
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from "../../runtime/errors.ts";
import { buildTrn, formatTrn, resolveName } from "../../runtime/trn.ts";
import { newId } from "../../runtime/ids.ts";
import { decodePageToken, encodePageToken } from "../../runtime/http/page_token.ts";
import type { Diagnostic, ValidationResult } from "./dsl/validate.ts";
import type { Dsl } from "./dsl/schema.ts";
import { newExecState } from "./engine/mod.ts";
import { Driver } from "./executor/driver.ts";
import { Live } from "./executor/live.ts";
import { stepflowMetrics } from "./executor/metrics.ts";
import { type ExecutionRow, executionView, StepFlowStore, type TemplateRow } from "./store.ts";
import type { Execution, ExecutionKind, HistoryEventView, Template, TemplateVersion } from "./types.ts";

export const NAME_RE = /^[A-Za-z0-9_.@-]{1,128}$/;
export const EXECUTION_NAME_RE = /^[A-Za-z0-9_.:@#\[\]\/-]{1,256}$/;

/** 400 with the validator's diagnostics (and the usual `errors[]` with pointers into the body). */
export class InvalidDslError extends ValidationError {
  constructor(readonly diagnostics: Diagnostic[], prefix = "/dsl") {
    super(
      diagnostics.filter((d) => d.severity === "error").map((d) => ({
        path: prefix + d.path,
        message: d.message,
        code: d.code,
      })),
      `the workflow definition is invalid: ${
        diagnostics.filter((d) => d.severity === "error").length
      } error(s)`,
    );
  }
  override extra() {
    return { errors: this.errors, diagnostics: this.diagnostics };
  }
}

export interface StartOptions {
  input?: unknown;
  mode?: "async" | "sync";
  kind?: ExecutionKind;
  name?: string;
  version?: number;
  timeoutSeconds?: number;
  parentId?: string;
  depth?: number;
  /** Ends a sync wait early; a function is called only if the wait happens (HTTP: the request's signal). */
  signal?: AbortSignal | (() => AbortSignal);
}

export class StepFlow {
  readonly store: StepFlowStore;
  readonly driver: Driver;
  readonly limits: ServiceDeps["config"]["stepflow"];

  constructor(readonly deps: ServiceDeps) {
    this.store = new StepFlowStore(deps.db);
    this.limits = deps.config.stepflow;
    this.driver = new Driver({
      db: deps.db,
      store: this.store,
      bus: deps.bus,
      clock: deps.clock,
      logger: deps.logger.child({ service: "stepflow" }),
      events: deps.events,
      metrics: stepflowMetrics(deps.metrics),
      limits: {
        payloadBytes: this.limits.payload_limit,
        historyEvents: this.limits.max_history_events,
        mapItems: this.limits.max_map_items,
      },
    });
  }

  #now = () => new Date(this.deps.clock.now()).toISOString();
  templateTrn = (tenant: string, name: string) =>
    buildTrn({ service: "stepflow", tenant, type: "template", path: name });
  // Every part is already valid (tenant from auth, template resolved as a TRN path, generated
  // id), so the execution TRN is formatted without parsing it again.
  executionTrn = (tenant: string, template: string, id: string) =>
    formatTrn({ service: "stepflow", tenant, type: "execution", path: `${template}/${id}` });

  // ---- templates -------------------------------------------------------------------------------
  async validate(tenant: string, dsl: unknown): Promise<ValidationResult> {
    // The DSL schema (zod) loads with the first validation, not at start.
    const { validateDsl } = await import("./dsl/validate.ts");
    return await validateDsl(dsl, {
      maxDepth: this.limits.max_depth,
      actionExists: (action) => this.deps.bus.exists(action, tenant),
    });
  }

  async #checked(tenant: string, dsl: unknown, prefix = "/dsl"): Promise<Dsl> {
    const r = await this.validate(tenant, dsl);
    if (!r.valid) throw new InvalidDslError(r.diagnostics, prefix);
    const size = JSON.stringify(dsl).length;
    if (size > 1024 * 1024) throw new PayloadTooLargeError(1024 * 1024, "a workflow definition");
    return r.dsl!;
  }

  /** Resolved template references by tenant and input (every start resolves one). */
  readonly #names = new Map<string, { name: string; version?: number }>();

  templateName(tenant: string, input: string): { name: string; version?: number } {
    const key = `${tenant}\n${input}`;
    const cached = this.#names.get(key);
    if (cached) return cached;
    const resolved = this.#resolveTemplateName(tenant, input);
    if (this.#names.size >= 1024) this.#names.delete(this.#names.keys().next().value!);
    this.#names.set(key, resolved);
    return resolved;
  }

  #resolveTemplateName(tenant: string, input: string): { name: string; version?: number } {
    const r = resolveName(input, { service: "stepflow", type: "template", tenant });
    if (r.foreignTenant) throw new NotFoundError("template", input);
    let version: number | undefined;
    if (r.qualifier !== undefined) {
      version = Number(r.qualifier);
      if (!Number.isInteger(version) || version < 1) {
        throw new BadRequestError(`'${r.qualifier}' is not a template version: use NAME:N with N ≥ 1`);
      }
    }
    return { name: r.path, version };
  }

  #template(tenant: string, name: string): TemplateRow {
    const t = this.store.template(tenant, name);
    if (!t) throw new NotFoundError("template", name);
    return t;
  }

  #templateView(t: TemplateRow, withDsl?: { version: number }): Template {
    const view: Template = {
      name: t.name,
      trn: this.templateTrn(t.tenant, t.name),
      version: withDsl?.version ?? t.latest,
      description: t.description,
      createdAt: t.created_at,
      updatedAt: t.updated_at,
    };
    if (withDsl) {
      const v = this.store.versionView(t.id, withDsl.version);
      if (!v) throw new NotFoundError("template version", `${t.name}:${withDsl.version}`);
      view.dsl = JSON.parse(v.dsl);
      view.description = v.description;
      if (v.layout !== null) view.layout = JSON.parse(v.layout);
    }
    return view;
  }

  async createTemplate(
    tenant: string,
    body: { name: string; dsl: unknown; description?: string; layout?: Template["layout"] | null },
  ): Promise<Template> {
    if (!NAME_RE.test(body.name)) {
      throw new ValidationError([{
        path: "/name",
        message: "use 1-128 letters, digits, '_', '.', '@' or '-'",
      }]);
    }
    const dsl = await this.#checked(tenant, body.dsl);
    if (this.store.template(tenant, body.name)) {
      throw new ConflictError(
        `template '${body.name}' exists: update it with PUT /api/v1/templates/${body.name}`,
      );
    }
    const now = this.#now();
    const row: TemplateRow = {
      id: newId(this.deps.clock.now()),
      tenant,
      name: body.name,
      latest: 1,
      description: body.description ?? "",
      created_at: now,
      updated_at: now,
    };
    this.store.createTemplate(row, {
      dsl: JSON.stringify(dsl),
      layout: body.layout ? JSON.stringify(body.layout) : null,
    });
    return this.#templateView(row, { version: 1 });
  }

  async updateTemplate(
    tenant: string,
    name: string,
    body: { dsl: unknown; description?: string; layout?: Template["layout"] | null },
  ): Promise<Template> {
    const t = this.#template(tenant, this.templateName(tenant, name).name);
    const dsl = await this.#checked(tenant, body.dsl);
    // A version without a layout has none (Studio lays it out): positions belong to the DSL they were drawn for.
    const version = this.store.addVersion(t, {
      dsl: JSON.stringify(dsl),
      description: body.description ?? t.description,
      layout: body.layout ? JSON.stringify(body.layout) : null,
      now: this.#now(),
    });
    return this.#templateView(this.#template(tenant, t.name), { version });
  }

  getTemplate(tenant: string, name: string, version?: number): Template {
    const n = this.templateName(tenant, name);
    const t = this.#template(tenant, n.name);
    return this.#templateView(t, { version: version ?? n.version ?? t.latest });
  }

  listTemplates(
    tenant: string,
    limit: number,
    nextToken?: string,
  ): { items: Template[]; nextToken?: string } {
    const after = decodePageToken<{ n: string }>(nextToken)?.n;
    const rows = this.store.listTemplates(tenant, limit + 1, after);
    const items = rows.slice(0, limit).map((r) => this.#templateView(r));
    return rows.length > limit ? { items, nextToken: encodePageToken({ n: items.at(-1)!.name }) } : { items };
  }

  deleteTemplate(tenant: string, name: string): Template {
    const t = this.#template(tenant, this.templateName(tenant, name).name);
    const view = this.#templateView(t);
    this.store.deleteTemplate(t);
    return view;
  }

  versions(tenant: string, name: string): { items: TemplateVersion[] } {
    return { items: this.store.versions(this.#template(tenant, this.templateName(tenant, name).name).id) };
  }

  // ---- executions ------------------------------------------------------------------------------
  #view(row: ExecutionRow): Execution {
    return executionView(row, this.executionTrn(row.tenant, row.template, row.id));
  }

  /** Starts (or, for a known `name`, finds) an execution; resolves once it is durably started. */
  async start(
    tenant: string,
    template: string,
    o: StartOptions,
  ): Promise<{ execution: Execution; created: boolean }> {
    const n = this.templateName(tenant, template);
    const t = this.#template(tenant, n.name);
    const version = o.version ?? n.version ?? t.latest;
    if (!this.driver.hasFlow(t.id, version) && !this.store.versionDsl(t.id, version)) {
      throw new NotFoundError("template version", `${t.name}:${version}`);
    }
    const kind = o.kind ?? "durable";
    const input = o.input === undefined ? {} : o.input;
    const bytes = new TextEncoder().encode(JSON.stringify(input)).length;
    if (bytes > this.limits.payload_limit) {
      throw new PayloadTooLargeError(
        this.limits.payload_limit,
        "the execution input (stepflow.payload_limit)",
      );
    }
    if (o.name !== undefined && !EXECUTION_NAME_RE.test(o.name)) {
      throw new ValidationError([{
        path: "/name",
        message: "an execution name is 1-256 characters of letters, digits and _ . : @ # [ ] / -",
      }]);
    }
    if ((o.depth ?? 0) > this.limits.max_depth) {
      throw new BadRequestError(
        `child workflows are nested deeper than ${this.limits.max_depth} (stepflow.max_depth)`,
      );
    }
    if (o.name !== undefined) {
      const existing = this.driver.byName(t.id, o.name);
      if (existing) {
        await existing.started.promise;
        return { execution: await this.#wait(existing, o), created: false };
      }
      const row = this.store.executionByName(t.id, o.name);
      if (row) return { execution: this.#view(row), created: false };
    }
    const now = this.deps.clock.now();
    const id = newId(now);
    const live = new Live(
      {
        id,
        trn: this.executionTrn(tenant, t.name, id),
        tenant,
        template: t.name,
        templateId: t.id,
        version,
        name: o.name ?? id,
        kind,
        parentId: o.parentId,
        depth: o.depth ?? 0,
      },
      newExecState({ id, name: o.name ?? id, template: t.name, version, input, startedAt: now }),
      this.driver.flow(t.id, version),
    );
    this.driver.begin(live);
    await live.started.promise;
    return { execution: await this.#wait(live, o), created: true };
  }

  async #wait(live: Live, o: StartOptions): Promise<Execution> {
    if (o.mode !== "sync" || live.done) return live.view();
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    const signal = typeof o.signal === "function" ? o.signal() : o.signal;
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.race([
        live.finished.promise,
        this.deps.clock.sleep((o.timeoutSeconds ?? 30) * 1000, ctl.signal).catch(() => {}),
      ]);
    } finally {
      ctl.abort();
      signal?.removeEventListener("abort", onAbort);
    }
    return live.view();
  }

  /** Waits (without limit) until a live execution ends. */
  async waitFinished(live: Live, signal?: AbortSignal): Promise<Execution> {
    if (!live.done) {
      await new Promise<void>((resolve, reject) => {
        live.finished.promise.then(() => resolve());
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    return live.view();
  }

  getExecution(tenant: string, id: string): Execution {
    const live = this.driver.get(tenant, id);
    if (live) return live.view();
    const row = this.store.execution(tenant, id);
    if (!row) throw new NotFoundError("execution", id);
    return this.#view(row);
  }

  listExecutions(
    tenant: string,
    q: {
      status?: string;
      template?: string;
      since?: string;
      until?: string;
      kind?: ExecutionKind;
      limit: number;
      nextToken?: string;
    },
  ): { items: Execution[]; nextToken?: string } {
    const before = decodePageToken<{ s: string; i: string }>(q.nextToken);
    if (q.kind === "express") return this.#listExpress(tenant, q, before);
    const rows = this.store.listExecutions(tenant, { ...q, limit: q.limit + 1, before });
    const items = rows.slice(0, q.limit).map((r) => this.#view(r));
    if (rows.length <= q.limit) return { items };
    const last = rows[q.limit - 1];
    return { items, nextToken: encodePageToken({ s: last.started_at, i: last.id }) };
  }

  /**
   * Express executions live only in memory: the running ones plus a ring of the last
   * EXPRESS_RING finished ones, newest first, same filters and paging as the durable list.
   */
  #listExpress(
    tenant: string,
    q: { status?: string; template?: string; since?: string; until?: string; limit: number },
    before?: { s: string; i: string },
  ): { items: Execution[]; nextToken?: string } {
    const views = this.driver.express()
      .filter((l) => l.meta.tenant === tenant && (!q.template || l.meta.template === q.template))
      .map((l) => l.view())
      .filter((e) =>
        (!q.status || e.status === q.status) && (!q.since || e.startedAt >= q.since) &&
        (!q.until || e.startedAt < q.until) &&
        (!before || e.startedAt < before.s || (e.startedAt === before.s && e.id < before.i))
      )
      .sort((a, b) =>
        a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1
      );
    const items = views.slice(0, q.limit);
    if (views.length <= q.limit) return { items };
    const last = items[items.length - 1];
    return { items, nextToken: encodePageToken({ s: last.startedAt, i: last.id }) };
  }

  history(
    tenant: string,
    id: string,
    limit: number,
    nextToken?: string,
  ): { items: HistoryEventView[]; nextToken?: string } {
    this.#executionRow(tenant, id);
    const after = decodePageToken<{ q: number }>(nextToken)?.q ?? -1;
    const items = this.store.history(id, after, limit + 1);
    if (items.length <= limit) return { items };
    return { items: items.slice(0, limit), nextToken: encodePageToken({ q: items[limit - 1].seq }) };
  }

  #executionRow(tenant: string, id: string): ExecutionRow {
    const row = this.store.execution(tenant, id);
    if (!row) {
      if (this.driver.get(tenant, id)?.meta.kind === "express") {
        throw new BadRequestError(
          `execution '${id}' is an express execution: express executions keep no history`,
        );
      }
      throw new NotFoundError("execution", id);
    }
    return row;
  }

  async cancel(tenant: string, id: string, cause?: string): Promise<Execution> {
    const live = this.driver.get(tenant, id);
    if (!live || live.done) {
      const current = live ? live.view() : this.getExecution(tenant, id);
      throw new ConflictError(`execution '${id}' is not running (status ${current.status})`);
    }
    await this.driver.enqueue(live, { type: "cancel", cause });
    return live.view();
  }

  async redrive(tenant: string, id: string): Promise<Execution> {
    if (this.driver.get(tenant, id)?.meta.kind === "express") {
      throw new BadRequestError(
        "express executions keep no state and cannot be redriven; start a new execution",
      );
    }
    const row = this.#executionRow(tenant, id);
    if (row.status === "running") throw new ConflictError(`execution '${id}' is still running`);
    if (row.status === "succeeded" || !row.snapshot) {
      throw new ConflictError(
        `execution '${id}' ${row.status}: only failed, timed-out or cancelled executions can be redriven`,
      );
    }
    if (this.driver.live.has(id)) throw new ConflictError(`execution '${id}' is being redriven already`);
    const live = this.driver.adopt(row, this.executionTrn(row.tenant, row.template, row.id));
    this.driver.readmit(live);
    await this.driver.enqueue(live, { type: "redrive" });
    return live.view();
  }

  // ---- callbacks -----------------------------------------------------------------------------
  async taskCallback(
    tenant: string,
    token: string,
    what: { type: "success"; output: unknown } | { type: "failure"; error?: string; cause?: string } | {
      type: "heartbeat";
    },
  ): Promise<{ executionId: string; statePath: string }> {
    const live = this.driver.get(tenant, token.split(".")[0]);
    const entry = live && Object.entries(live.state.tasks).find(([, t]) => t.token === token);
    if (!live || !entry || live.state.status !== "running") {
      throw new NotFoundError(
        "task token",
        "(redacted)",
        "no task is waiting for this token: it timed out, was cancelled, already completed or never existed",
      );
    }
    const [taskId, task] = entry;
    if (what.type === "success") {
      const bytes = new TextEncoder().encode(JSON.stringify(what.output ?? null)).length;
      if (bytes > this.limits.payload_limit) {
        throw new PayloadTooLargeError(this.limits.payload_limit, "the task output");
      }
      await this.driver.enqueue(live, { type: "taskSucceeded", taskId, output: what.output ?? null });
    } else if (what.type === "failure") {
      await this.driver.enqueue(live, {
        type: "taskFailed",
        taskId,
        error: what.error ?? "States.TaskFailed",
        cause: what.cause ?? "",
      });
    } else {
      if (task.heartbeatSeconds === undefined) {
        throw new BadRequestError(`task '${task.statePath}' has no heartbeat configured; nothing to extend`);
      }
      await this.driver.enqueue(live, { type: "heartbeat", taskId });
    }
    return { executionId: live.meta.id, statePath: task.statePath };
  }

  // ---- lifecycle -----------------------------------------------------------------------------
  recover(): number {
    return this.driver.recover(
      this.store.runningDurable(),
      (r) => this.executionTrn(r.tenant, r.template, r.id),
    );
  }
}
