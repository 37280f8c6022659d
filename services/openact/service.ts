/**
 * OpenAct's operations, shared by the REST routes, the bus executor and the MCP server:
 * connection and action CRUD with validation, live tests, and execution (named or ad hoc).
 */
import type { z } from "zod";
import { BadRequestError, ValidationError } from "../../runtime/errors.ts";
import { resolveName } from "../../runtime/trn.ts";
import { validationFromZod } from "../../runtime/http/problem.ts";
import type { Engine } from "./engine.ts";
import type { OpenActStore } from "./store.ts";
import type { Action, Connection, ExecuteResult } from "./types.ts";
import { NotFoundError } from "../../runtime/errors.ts";

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SECRET_KEY_RE =
  /^(password|passwd|pass|secret|client_?secret|api_?key|apikey|access_?token|refresh_?token|token|private_?key|auth_?token|authorization|x-api-key|credentials?)$/i;

/** Settings hold no secrets: a string under a secret-looking key is refused, naming the field. */
export function rejectInlineSecrets(value: unknown, path = "/settings"): void {
  if (!value || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    const here = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (typeof v === "string" && v !== "" && SECRET_KEY_RE.test(key)) {
      throw new ValidationError([{
        path: here,
        message:
          "secrets do not go in settings: store the value in CredVault (aio sec create NAME --value-file -) and set the connection's credential to NAME",
      }]);
    }
    rejectInlineSecrets(v, here);
  }
}

/** Deep-merges b over a: objects merge key by key; arrays and scalars replace. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return b;
}

/** `kind.name` or a full action TRN → {kind, name}; foreign tenants read as not found. */
export function parseActionRef(ref: string, tenant: string): { kind: string; name: string } {
  if (ref.startsWith("trn:")) {
    const trn = resolveName(ref, { service: "openact", type: "action", tenant, qualifiers: false });
    const [kind, ...rest] = trn.path.split("/");
    if (trn.foreignTenant || rest.length !== 1) throw new NotFoundError("action", ref);
    return { kind, name: rest[0] };
  }
  const dot = ref.indexOf(".");
  if (dot <= 0 || dot === ref.length - 1) {
    throw new BadRequestError(`action '${ref}' must be KIND.NAME (e.g. http.get-users) or an action TRN`);
  }
  return { kind: ref.slice(0, dot), name: ref.slice(dot + 1) };
}

/** A connection name or connection TRN → the name. */
export function parseConnectionRef(ref: string, tenant: string): string {
  if (!ref.startsWith("trn:")) return ref;
  const trn = resolveName(ref, { service: "openact", type: "connection", tenant, qualifiers: false });
  const parts = trn.path.split("/");
  if (trn.foreignTenant || parts.length !== 2) throw new NotFoundError("connection", ref);
  return parts[1];
}

/** A credential name or TRN in the caller's tenant → the credential TRN. */
export function credentialTrn(ref: string, tenant: string, field = "/credential"): string {
  let trn;
  try {
    trn = resolveName(ref, { service: "credvault", type: "credential", tenant, qualifiers: false });
  } catch (err) {
    throw new ValidationError([{ path: field, message: (err as Error).message }]);
  }
  if (trn.foreignTenant) {
    throw new ValidationError([{ path: field, message: `the credential must be in tenant '${tenant}'` }]);
  }
  return `trn:credvault:${tenant}:credential/${trn.path}`;
}

export interface CreateConnection {
  name: string;
  kind: string;
  description?: string;
  settings?: Record<string, unknown>;
  credential?: string | null;
}

export interface CreateAction {
  name: string;
  connection: string;
  operation: string;
  parameters?: Record<string, unknown>;
  inputSchema?: Record<string, unknown> | null;
  description?: string;
  timeoutMs?: number | null;
}

export class OpenAct {
  #schemas = new Map<string, z.ZodType>();
  /** Called after a connection's settings or credential changed (event sources re-subscribe). */
  onConnectionChanged?: (tenant: string, name: string) => Promise<void>;

  constructor(readonly store: OpenActStore, readonly engine: Engine) {}

  async createConnection(tenant: string, body: CreateConnection): Promise<Connection> {
    this.#checkName(body.name, "/name");
    rejectInlineSecrets(body.settings ?? {});
    const settings = await this.engine.validateSettings(body.kind, body.settings ?? {});
    const credential = body.credential ? credentialTrn(body.credential, tenant) : null;
    return this.store.createConnection(tenant, { ...body, settings, credential });
  }

  async updateConnection(
    tenant: string,
    ref: string,
    body: { settings?: Record<string, unknown>; credential?: string | null; description?: string },
  ): Promise<Connection> {
    const current = this.getConnection(tenant, ref);
    let settings: Record<string, unknown> | undefined;
    if (body.settings !== undefined) {
      rejectInlineSecrets(body.settings);
      settings = await this.engine.validateSettings(current.kind, body.settings);
    }
    const credential = body.credential === undefined
      ? undefined
      : body.credential === null
      ? null
      : credentialTrn(body.credential, tenant);
    const next = this.store.updateConnection(tenant, current.name, {
      settings,
      credential,
      description: body.description,
    });
    await this.engine.forgetConnection(tenant, current);
    await this.onConnectionChanged?.(tenant, current.name);
    return next;
  }

  getConnection(tenant: string, ref: string): Connection {
    return this.store.getConnection(tenant, parseConnectionRef(ref, tenant));
  }

  async deleteConnection(tenant: string, ref: string): Promise<Connection> {
    const gone = this.store.deleteConnection(tenant, parseConnectionRef(ref, tenant));
    await this.engine.forgetConnection(tenant, gone);
    return gone;
  }

  async testConnection(tenant: string, ref: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const connection = this.getConnection(tenant, ref);
    const connector = await this.engine.connector(connection.kind);
    const resolved = await this.engine.resolve(tenant, connection, undefined, true);
    const started = performance.now();
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const details = await connector.test(resolved, { signal, timeoutMs });
      return {
        connection: connection.trn,
        ok: true,
        durationMs: Math.round(performance.now() - started),
        details,
      };
    } catch (err) {
      const { redact } = await import("./engine.ts");
      return {
        connection: connection.trn,
        ok: false,
        durationMs: Math.round(performance.now() - started),
        error: redact((err as Error).message ?? String(err), resolved.credential),
      };
    }
  }

  async createAction(tenant: string, body: CreateAction): Promise<Action> {
    return this.store.createAction(tenant, await this.#actionFields(tenant, body, "create"));
  }

  async updateAction(tenant: string, ref: string, body: Omit<CreateAction, "name">): Promise<Action> {
    const { kind, name } = parseActionRef(ref, tenant);
    this.store.getAction(tenant, kind, name);
    const fields = await this.#actionFields(tenant, { ...body, name }, "update");
    if (fields.kind !== kind) {
      throw new ValidationError([{
        path: "/connection",
        message: `action ${kind}.${name} needs a ${kind} connection; '${body.connection}' is ${fields.kind}`,
      }]);
    }
    return this.store.updateAction(tenant, kind, name, fields);
  }

  async #actionFields(tenant: string, body: CreateAction, _mode: string) {
    this.#checkName(body.name, "/name");
    const connection = this.store.findConnection(tenant, parseConnectionRef(body.connection, tenant));
    if (!connection) {
      throw new ValidationError([{
        path: "/connection",
        message: `connection '${body.connection}' does not exist: create it first (aio act conn create)`,
      }]);
    }
    const connector = await this.engine.connector(connection.kind);
    if (!connector.operations[body.operation]) {
      throw new ValidationError([{
        path: "/operation",
        message: `unknown ${connection.kind} operation '${body.operation}' (one of ${
          Object.keys(connector.operations).join(", ")
        })`,
      }]);
    }
    if (body.inputSchema) await this.#compileSchema(body.inputSchema);
    rejectInlineSecrets(body.parameters ?? {}, "/parameters");
    return {
      name: body.name,
      kind: connection.kind,
      connection: connection.name,
      operation: body.operation,
      parameters: body.parameters ?? {},
      inputSchema: body.inputSchema ?? null,
      description: body.description,
      timeoutMs: body.timeoutMs ?? null,
    };
  }

  getAction(tenant: string, ref: string): Action {
    const { kind, name } = parseActionRef(ref, tenant);
    return this.store.getAction(tenant, kind, name);
  }

  deleteAction(tenant: string, ref: string): Action {
    const { kind, name } = parseActionRef(ref, tenant);
    return this.store.deleteAction(tenant, kind, name);
  }

  /** JSON Schema → zod (cached per action version); a schema zod cannot read is a 400. */
  async #compileSchema(schema: Record<string, unknown>, cacheKey?: string): Promise<z.ZodType> {
    const hit = cacheKey ? this.#schemas.get(cacheKey) : undefined;
    if (hit) return hit;
    const { z } = await import("zod"); // zod loads with the first action that has a schema
    let compiled: z.ZodType;
    try {
      compiled = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (err) {
      throw new ValidationError([{
        path: "/inputSchema",
        message: `not a usable JSON Schema: ${(err as Error).message}`,
      }]);
    }
    if (cacheKey) this.#schemas.set(cacheKey, compiled);
    return compiled;
  }

  /** Runs a named action: the caller's input is checked against its schema, then merged over its parameters. */
  async executeAction(
    tenant: string,
    action: Action,
    input: unknown,
    options: { signal?: AbortSignal; timeoutMs?: number; deadline?: number } = {},
  ): Promise<ExecuteResult> {
    const started = performance.now();
    let data: unknown = input ?? {};
    if (action.inputSchema) {
      const schema = await this.#compileSchema(action.inputSchema, `${action.trn}#${action.version}`);
      const parsed = schema.safeParse(data);
      if (!parsed.success) throw validationFromZod(parsed.error, "/input");
      data = parsed.data;
    }
    const connection = this.store.getConnection(tenant, action.connection);
    const output = await this.engine.run({
      tenant,
      connection,
      operation: action.operation,
      input: deepMerge(action.parameters, data),
      signal: options.signal,
      timeoutMs: Math.min(options.timeoutMs ?? Infinity, action.timeoutMs ?? Infinity) === Infinity
        ? undefined
        : Math.min(options.timeoutMs ?? Infinity, action.timeoutMs ?? Infinity),
      deadline: options.deadline,
    });
    return {
      trn: action.trn,
      operation: action.operation,
      output,
      durationMs: round(performance.now() - started),
    };
  }

  /** Runs an operation on a connection without a stored action. */
  async executeAdHoc(
    tenant: string,
    body: { connection: string; operation: string; input?: unknown; timeoutMs?: number },
    options: { signal?: AbortSignal; deadline?: number } = {},
  ): Promise<ExecuteResult> {
    const started = performance.now();
    const connection = this.getConnection(tenant, body.connection);
    const output = await this.engine.run({
      tenant,
      connection,
      operation: body.operation,
      input: body.input ?? {},
      signal: options.signal,
      timeoutMs: body.timeoutMs,
      deadline: options.deadline,
    });
    return {
      trn: connection.trn,
      operation: body.operation,
      output,
      durationMs: round(performance.now() - started),
    };
  }

  #checkName(name: string, path: string) {
    if (!NAME_RE.test(name)) {
      throw new ValidationError([{
        path,
        message: `'${name}' must match ${NAME_RE.source} (letters, digits, _ . -)`,
      }]);
    }
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
