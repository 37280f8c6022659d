/**
 * ParamStore's core: versioned, typed parameters with labels, and read-time evaluation of
 * `{% %}` JSONata values with `$param('/a/b')` and `$now()`. Cycles are detected and reported.
 * A secret_ref yields its secret only with decryption rights (through CredVault's executor).
 */
import { jsonata, type JsonataExpression, loadJsonata } from "../../runtime/jsonata.ts";
import type { ServiceDeps } from "../../runtime/service.ts";
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from "../../runtime/errors.ts";
import { decodePageToken, encodePageToken } from "../../runtime/http/page_token.ts";
import { type AuditLog, auditLog } from "../../runtime/audit/mod.ts";
import { checkLabel, checkPath, paramTrn, parseSelector, type Selector } from "./paths.ts";
import { checkPattern, checkValue, coerce, expressionOf, matchPattern } from "./values.ts";
import type { ParamRepo, VersionRow } from "./store.ts";
import type { Param, ParamType, ParamVersion } from "./types.ts";

export interface Actor {
  actor: string;
  source: string;
}

export interface ReadOptions {
  raw?: boolean;
  withDecryption?: boolean;
  /** Who reads (token id), for CredVault's audit of secret_ref decryption. */
  actor?: string;
}

/** Per-read state: once a secret was decrypted, expression errors hide their details (they may quote values). */
interface EvalState {
  secretsRead: number;
}

export interface PutInput {
  value: unknown;
  type?: ParamType;
  description?: string;
  allowedPattern?: string | null;
  overwrite?: boolean;
}

/** Evaluation failed: bad expression result, a cycle, a missing reference or a secret without rights. */
export class ParamEvaluationError extends UnprocessableError {
  override readonly type: string = "param-evaluation";
  constructor(message: string, readonly chain: string[] = []) {
    super(message);
  }
  override extra() {
    return this.chain.length ? { chain: this.chain } : {};
  }
}

const MAX_EVAL_DEPTH = 16;
const MAX_LABELS_PER_VERSION = 10;

export class ParamService {
  readonly audit: AuditLog;
  #compiled = new Map<string, JsonataExpression>();

  constructor(readonly deps: ServiceDeps, readonly repo: ParamRepo) {
    this.audit = auditLog(deps);
  }

  iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  /** The version a selector names: latest, `:N` or `:label`. */
  select(tenant: string, sel: Selector): VersionRow {
    if (sel.version !== undefined) {
      const row = this.repo.version(tenant, sel.path, sel.version);
      if (row) return row;
      if (this.repo.latestVersion(tenant, sel.path) === undefined) {
        throw new NotFoundError("parameter", sel.path);
      }
      throw new NotFoundError("parameter version", `${sel.path}:${sel.version}`);
    }
    if (sel.label !== undefined) {
      const version = this.repo.labelVersion(tenant, sel.path, sel.label);
      if (version === undefined) {
        if (this.repo.latestVersion(tenant, sel.path) === undefined) {
          throw new NotFoundError("parameter", sel.path);
        }
        throw new NotFoundError("parameter label", `${sel.path}:${sel.label}`);
      }
      return this.repo.version(tenant, sel.path, version)!;
    }
    const row = this.repo.latest(tenant, sel.path);
    if (!row) throw new NotFoundError("parameter", sel.path);
    return row;
  }

  #compile(source: string): JsonataExpression {
    let expr = this.#compiled.get(source);
    if (!expr) {
      expr = jsonata()(source);
      if (this.#compiled.size > 2000) this.#compiled.clear();
      this.#compiled.set(source, expr);
    }
    return expr;
  }

  /** Evaluates a stored version to its typed value. `chain` holds the paths being evaluated. */
  async evaluate(
    row: VersionRow,
    options: ReadOptions,
    chain: string[] = [],
    state: EvalState = { secretsRead: 0 },
  ): Promise<{ value: unknown; decrypted?: boolean }> {
    if (chain.includes(row.path)) {
      const cycle = [...chain.slice(chain.indexOf(row.path)), row.path];
      throw new ParamEvaluationError(`parameter reference cycle: ${cycle.join(" -> ")}`, cycle);
    }
    if (chain.length >= MAX_EVAL_DEPTH) {
      throw new ParamEvaluationError(`parameter references nest deeper than ${MAX_EVAL_DEPTH}`, [
        ...chain,
        row.path,
      ]);
    }
    const stored = JSON.parse(row.value);
    if (row.type === "secret_ref") {
      if (!options.withDecryption) {
        if (chain.length) {
          throw new ParamEvaluationError(
            `${row.path} is a secret_ref: reading it from an expression needs withDecryption=true (operator role)`,
            [...chain, row.path],
          );
        }
        return { value: stored, decrypted: false };
      }
      const value = await this.deps.bus.execute(stored, row.tenant, {
        operation: "resolve",
        input: {},
        caller: { service: "paramstore", param: paramTrn(row.tenant, row.path), tokenId: options.actor },
      });
      state.secretsRead++;
      return { value, decrypted: true };
    }
    const source = expressionOf(stored);
    if (source === undefined) return { value: stored };
    const inner = [...chain, row.path];
    const bindings = {
      param: async (ref: unknown) => {
        if (typeof ref !== "string") {
          throw new ParamEvaluationError(`$param() in ${row.path} takes a path string`, inner);
        }
        const target = this.select(row.tenant, parseSelector(ref, row.tenant));
        return (await this.evaluate(target, options, inner, state)).value;
      },
      now: () => new Date(this.deps.clock.now()).toISOString(),
    };
    let result: unknown;
    try {
      await loadJsonata();
      result = await this.#compile(source).evaluate({}, bindings);
    } catch (err) {
      if (
        err instanceof ParamEvaluationError || err instanceof NotFoundError || err instanceof ValidationError
      ) {
        if (err instanceof ParamEvaluationError) throw err;
        throw new ParamEvaluationError(`${row.path}: ${(err as Error).message}`, inner);
      }
      const e = err as { message?: string; code?: string };
      if (state.secretsRead > 0) {
        throw new ParamEvaluationError(
          `${row.path}: the expression failed${
            e.code ? ` (${e.code})` : ""
          }; details are hidden because it read a secret`,
          inner,
        );
      }
      throw new ParamEvaluationError(
        `${row.path}: the expression failed: ${e.code ? e.code + " " : ""}${e.message}`,
        inner,
      );
    }
    if (result === undefined) {
      throw new ParamEvaluationError(`${row.path}: the expression produced no value`, inner);
    }
    let value: unknown;
    try {
      value = coerce(row.type, result, "/value", row.tenant);
      matchPattern(row.type, value, row.allowed_pattern);
    } catch (err) {
      throw new ParamEvaluationError(
        `${row.path}: the evaluated value is invalid: ${(err as Error).message}`,
        inner,
      );
    }
    return { value };
  }

  toParam(row: VersionRow, value: unknown, extra: { decrypted?: boolean; error?: string } = {}): Param {
    return {
      path: row.path,
      trn: paramTrn(row.tenant, row.path),
      type: row.type,
      version: Number(row.version),
      value,
      dynamic: expressionOf(JSON.parse(row.value)) !== undefined,
      ...(row.type === "secret_ref" ? { decrypted: extra.decrypted ?? false } : {}),
      labels: this.repo.labelsOf(row.tenant, row.path, Number(row.version)),
      description: row.description,
      ...(row.allowed_pattern ? { allowedPattern: row.allowed_pattern } : {}),
      lastModified: row.created_at,
      lastModifiedBy: row.created_by,
      ...(extra.error ? { error: extra.error } : {}),
    };
  }

  async read(tenant: string, input: string, options: ReadOptions = {}): Promise<Param> {
    const row = this.select(tenant, parseSelector(input, tenant));
    if (options.raw) return this.toParam(row, JSON.parse(row.value));
    const { value, decrypted } = await this.evaluate(row, options);
    return this.toParam(row, value, { decrypted });
  }

  async list(
    tenant: string,
    root: string,
    q: { recursive: boolean; limit: number; nextToken?: string; type?: string; label?: string } & ReadOptions,
  ): Promise<{ items: Param[]; nextToken?: string }> {
    checkPath(root, { prefix: true, where: "/query/path" });
    if (q.label) checkLabel(q.label, "/query/label");
    const after = decodePageToken<{ path: string }>(q.nextToken);
    if (q.nextToken && typeof after?.path !== "string") {
      throw new ValidationError([{ path: "/query/nextToken", message: "not a token from a previous page" }]);
    }
    const rows = this.repo.byPath(tenant, root, { ...q, after: after?.path, limit: q.limit + 1 });
    const items: Param[] = [];
    for (const row of rows.slice(0, q.limit)) {
      if (q.raw) {
        items.push(this.toParam(row, JSON.parse(row.value)));
        continue;
      }
      try {
        const { value, decrypted } = await this.evaluate(row, q);
        items.push(this.toParam(row, value, { decrypted }));
      } catch (err) {
        items.push(this.toParam(row, null, { error: (err as Error).message }));
      }
    }
    return rows.length > q.limit
      ? { items, nextToken: encodePageToken({ path: items[items.length - 1].path }) }
      : { items };
  }

  /** Validates a write without storing it; returns the normalised version to store. */
  prepare(tenant: string, path: string, input: PutInput, where = "") {
    checkPath(path, { where: where + "/path" });
    const latest = this.repo.latest(tenant, path);
    if (latest && input.overwrite === false) {
      throw new ConflictError(
        `parameter ${path} already exists: pass overwrite (--overwrite) to add a version`,
      );
    }
    const type = input.type ?? latest?.type ?? "string";
    if (input.allowedPattern) checkPattern(input.allowedPattern);
    const allowedPattern = input.allowedPattern === undefined
      ? latest?.allowed_pattern ?? null
      : input.allowedPattern;
    const value = checkValue(type, input.value, { allowedPattern, tenant, where: where + "/value" });
    return { type, value, allowedPattern, description: input.description ?? latest?.description ?? "" };
  }

  put(tenant: string, path: string, input: PutInput, who: Actor): Param {
    const trn = paramTrn(tenant, checkPath(path));
    return this.#audited("param.put", tenant, trn, who, () => {
      const v = this.prepare(tenant, path, input);
      const version = this.repo.put(tenant, path, { ...v, by: who.actor, now: this.iso() });
      return this.toParam(this.repo.version(tenant, path, version)!, v.value);
    }, (p) => ({ version: p.version, type: p.type }));
  }

  delete(tenant: string, input: string, who: Actor): { path: string; trn: string; deleted: true } {
    const { path } = parseSelector(input, tenant);
    const trn = paramTrn(tenant, path);
    return this.#audited("param.delete", tenant, trn, who, () => {
      if (!this.repo.remove(tenant, path)) throw new NotFoundError("parameter", path);
      return { path, trn, deleted: true as const };
    });
  }

  history(
    tenant: string,
    input: string,
    q: { limit: number; nextToken?: string },
  ): { items: ParamVersion[]; nextToken?: string } {
    const { path } = parseSelector(input, tenant);
    if (this.repo.latestVersion(tenant, path) === undefined) throw new NotFoundError("parameter", path);
    const before = decodePageToken<{ v: number }>(q.nextToken);
    if (q.nextToken && typeof before?.v !== "number") {
      throw new ValidationError([{ path: "/query/nextToken", message: "not a token from a previous page" }]);
    }
    const rows = this.repo.history(tenant, path, { before: before?.v, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit).map((r) => ({
      version: Number(r.version),
      type: r.type,
      value: JSON.parse(r.value),
      labels: this.repo.labelsOf(tenant, path, Number(r.version)),
      description: r.description,
      ...(r.allowed_pattern ? { allowedPattern: r.allowed_pattern } : {}),
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
    return rows.length > q.limit
      ? { items, nextToken: encodePageToken({ v: items[items.length - 1].version }) }
      : { items };
  }

  /** Attaches labels to a version; a label already on another version moves here. */
  label(tenant: string, input: string, version: number | undefined, labels: string[], who: Actor) {
    const { path } = parseSelector(input, tenant);
    const trn = paramTrn(tenant, path);
    return this.#audited("param.label", tenant, trn, who, () => {
      labels.forEach((l, i) => checkLabel(l, `/labels/${i}`));
      const row = this.select(tenant, { path, version });
      const v = Number(row.version);
      const merged = new Set([...this.repo.labelsOf(tenant, path, v), ...labels]);
      if (merged.size > MAX_LABELS_PER_VERSION) {
        throw new ValidationError([{
          path: "/labels",
          message: `a version has at most ${MAX_LABELS_PER_VERSION} labels`,
        }]);
      }
      this.repo.transaction(() => labels.forEach((l) => this.repo.setLabel(tenant, path, l, v)));
      return { path, version: v, labels: this.repo.labelsOf(tenant, path, v) };
    }, (r) => ({ version: r.version, labels }));
  }

  unlabel(tenant: string, input: string, label: string, who: Actor) {
    const { path } = parseSelector(input, tenant);
    const trn = paramTrn(tenant, path);
    return this.#audited("param.unlabel", tenant, trn, who, () => {
      checkLabel(label, "/label");
      if (!this.repo.removeLabel(tenant, path, label)) {
        throw new NotFoundError("parameter label", `${path}:${label}`);
      }
      return { path, label, removed: true as const };
    });
  }

  /** Creates a new version equal to an old one. */
  rollback(tenant: string, input: string, version: number, who: Actor): Param {
    const { path } = parseSelector(input, tenant);
    const trn = paramTrn(tenant, path);
    return this.#audited("param.rollback", tenant, trn, who, () => {
      const old = this.select(tenant, { path, version });
      const created = this.repo.put(tenant, path, {
        type: old.type,
        value: JSON.parse(old.value),
        description: old.description,
        allowedPattern: old.allowed_pattern,
        by: who.actor,
        now: this.iso(),
      });
      const row = this.repo.version(tenant, path, created)!;
      return this.toParam(row, JSON.parse(row.value));
    }, (p) => ({ version: p.version, from: version }));
  }

  #audited<T>(
    action: string,
    tenant: string,
    resource: string,
    who: Actor,
    fn: () => T,
    detail?: (r: T) => Record<string, unknown>,
  ): T {
    try {
      const result = fn();
      this.audit.record({ tenant, action, resource, outcome: "success", ...who, detail: detail?.(result) });
      return result;
    } catch (err) {
      this.audit.record({
        tenant,
        action,
        resource,
        outcome: "failure",
        ...who,
        detail: { status: (err as { status?: number }).status ?? 500, error: (err as Error).message },
      });
      throw err;
    }
  }
}
