/**
 * Runs connector operations: resolves the connection (settings + CredVault credential, cached
 * until the connection or the secret changes), validates input, enforces the timeout, refreshes
 * OAuth2 tokens before expiry and once on a 401, and turns driver failures into ConnectorError
 * with any credential text redacted.
 */
import type { ZodError } from "zod";
import { AppError, GatewayTimeoutError, ValidationError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { validationFromZod } from "../../runtime/http/problem.ts";
import type { ConnectorRegistry } from "./connectors/registry.ts";
import type { Connector, ResolvedConnection } from "./connectors/types.ts";
import { AuthExpiredError, ConnectorError } from "./errors.ts";
import type { Connection } from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 15 * 60_000;
const CREDENTIAL_TTL_MS = 60_000;
/** Refresh an OAuth2 access token when it expires within this window. */
export const REFRESH_SKEW_MS = 60_000;

/** Reads a CredVault credential's value (the bus `resolve` operation in production). */
export type CredentialReader = (
  tenant: string,
  credentialTrn: string,
  signal?: AbortSignal,
) => Promise<unknown>;

/** AuthFlow's hook: refresh the connection's OAuth2 token and return the new credential value. */
export type TokenRefresher = (
  tenant: string,
  connection: Connection,
  signal?: AbortSignal,
) => Promise<unknown>;

export interface RunRequest {
  tenant: string;
  connection: Connection;
  operation: string;
  input: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  deadline?: number;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function secretStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (value.length >= 4) out.push(value);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) secretStrings(v, out);
  }
  return out;
}

/** Removes credential text from a message (drivers sometimes echo connection strings). */
export function redact(message: string, credential: unknown): string {
  let out = message;
  for (const s of secretStrings(credential)) out = out.split(s).join("***");
  return out;
}

/** Expiry (epoch ms) of an oauth_token credential, if it carries one. */
export function tokenExpiry(credential: unknown): number | undefined {
  if (!credential || typeof credential !== "object") return undefined;
  const c = credential as Record<string, unknown>;
  const v = c.expiresAt ?? c.expires_at ?? c.expiry;
  if (typeof v === "number") return v < 1e12 ? v * 1000 : v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export class Engine {
  #credentials = new Map<string, { credentialTrn: string; value: unknown; hash: string; at: number }>();
  #connectorByKind = new Map<string, Connector>();

  constructor(
    private registry: ConnectorRegistry,
    private readCredential: CredentialReader,
    private logger: Logger,
    private now: () => number,
    public refreshToken?: TokenRefresher,
  ) {}

  async connector(kind: string): Promise<Connector> {
    return this.#connectorByKind.get(kind) ?? await this.registry.get(kind).then((c) => {
      this.#connectorByKind.set(kind, c);
      return c;
    });
  }

  /** Validates settings with the connector's schema; zod failures become 400s under /settings. */
  async validateSettings(kind: string, settings: unknown): Promise<Record<string, unknown>> {
    const connector = await this.connector(kind);
    const parsed = connector.settingsSchema.safeParse(settings ?? {});
    if (!parsed.success) throw validationFromZod(parsed.error, "/settings");
    return parsed.data as Record<string, unknown>;
  }

  /** Drops cached credentials for a secret (rotation) or a connection (update/delete). */
  forgetCredential(credentialTrn: string) {
    for (const [key, entry] of this.#credentials) {
      if (entry.credentialTrn === credentialTrn) this.#credentials.delete(key);
    }
  }

  async forgetConnection(tenant: string, connection: Connection) {
    this.#credentials.delete(`${tenant}\u0000${connection.name}`);
    const loaded = this.#connectorByKind.get(connection.kind);
    await loaded?.close(connection.trn).catch(() => {});
  }

  async resolve(
    tenant: string,
    connection: Connection,
    signal?: AbortSignal,
    fresh = false,
  ): Promise<ResolvedConnection> {
    let credential: unknown;
    let hash = "none";
    if (connection.credential) {
      const key = `${tenant}\u0000${connection.name}`;
      const hit = this.#credentials.get(key);
      if (
        !fresh && hit && hit.credentialTrn === connection.credential &&
        this.now() - hit.at < CREDENTIAL_TTL_MS
      ) {
        credential = hit.value;
        hash = hit.hash;
      } else {
        credential = await this.readCredential(tenant, connection.credential, signal);
        hash = fnv(JSON.stringify(credential ?? null));
        this.#credentials.set(key, {
          credentialTrn: connection.credential,
          value: credential,
          hash,
          at: this.now(),
        });
      }
    }
    return {
      trn: connection.trn,
      tenant,
      kind: connection.kind,
      name: connection.name,
      settings: connection.settings,
      credential,
      revision: `${connection.version}.${hash}`,
    };
  }

  /** Stores a fresh credential value (after an OAuth2 refresh) so the next call uses it. */
  remember(tenant: string, connection: Connection, value: unknown) {
    if (!connection.credential) return;
    this.#credentials.set(`${tenant}\u0000${connection.name}`, {
      credentialTrn: connection.credential,
      value,
      hash: fnv(JSON.stringify(value ?? null)),
      at: this.now(),
    });
  }

  parseInput(connector: Connector, operation: string, input: unknown): unknown {
    const spec = connector.operations[operation];
    if (!spec) {
      throw new ValidationError([{
        path: "/operation",
        message: `unknown ${connector.kind} operation '${operation}' (one of ${
          Object.keys(connector.operations).join(", ")
        })`,
      }]);
    }
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) throw validationFromZod(parsed.error, "/input");
    return parsed.data;
  }

  #timeout(request: RunRequest): number {
    let ms = Math.min(request.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    if (request.deadline !== undefined) ms = Math.min(ms, request.deadline - Date.now());
    if (ms <= 0) throw new GatewayTimeoutError("the deadline passed before the action started");
    return ms;
  }

  /** Runs an operation with its input validated; returns the connector's result. */
  async run(request: RunRequest): Promise<unknown> {
    const { connection, tenant } = request;
    const connector = await this.connector(connection.kind);
    const input = this.parseInput(connector, request.operation, request.input);
    const timeoutMs = this.#timeout(request);
    const signal = request.signal ?? new AbortController().signal;
    let resolved = await this.resolve(tenant, connection, signal);
    const oauth = (connection.settings.auth as { type?: string } | undefined)?.type === "oauth2";
    if (oauth && this.refreshToken) {
      const expiry = tokenExpiry(resolved.credential);
      if (expiry !== undefined && expiry - this.now() < REFRESH_SKEW_MS) {
        resolved = await this.#refreshed(tenant, connection, resolved, signal);
      }
    }
    const started = performance.now();
    try {
      return await this.#call(connector, resolved, request.operation, input, { signal, timeoutMs });
    } catch (err) {
      if (!(err instanceof AuthExpiredError) || !oauth || !this.refreshToken || !connection.credential) {
        throw err;
      }
      // One refresh and one retry on a 401; a second 401 is the caller's problem.
      resolved = await this.#refreshed(tenant, connection, resolved, signal);
      const left = timeoutMs - (performance.now() - started);
      if (left <= 0) {
        throw new GatewayTimeoutError(`${connection.kind}: no time left to retry after refreshing the token`);
      }
      return await this.#call(connector, resolved, request.operation, input, { signal, timeoutMs: left });
    } finally {
      this.logger.debug("openact call", {
        connection: connection.trn,
        operation: request.operation,
        ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  }

  async #refreshed(
    tenant: string,
    connection: Connection,
    resolved: ResolvedConnection,
    signal: AbortSignal,
  ) {
    const value = await this.refreshToken!(tenant, connection, signal);
    this.remember(tenant, connection, value);
    return {
      ...resolved,
      credential: value,
      revision: `${connection.version}.${fnv(JSON.stringify(value))}`,
    };
  }

  async #call(
    connector: Connector,
    resolved: ResolvedConnection,
    operation: string,
    input: unknown,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<unknown> {
    // Connectors must honour the signal; this timer guarantees the caller is answered anyway.
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal.reason);
    options.signal.addEventListener("abort", onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new GatewayTimeoutError(`${connector.kind}: no answer within ${options.timeoutMs} ms`);
        controller.abort(err);
        reject(err);
      }, options.timeoutMs + 250);
    });
    try {
      return await Promise.race([
        connector.execute(resolved, operation, input, {
          signal: controller.signal,
          timeoutMs: options.timeoutMs,
        }),
        timeout,
      ]);
    } catch (err) {
      throw this.#wrap(connector.kind, err, resolved.credential);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    }
  }

  #wrap(kind: string, err: unknown, credential: unknown): Error {
    if (err instanceof AppError) {
      if (credential !== undefined && err.message) {
        const clean = redact(err.message, credential);
        if (clean !== err.message) Object.defineProperty(err, "message", { value: clean });
      }
      return err;
    }
    // Connector input schemas throw ZodError; matched by name so zod stays off the start path.
    if ((err as Error)?.name === "ZodError" && Array.isArray((err as ZodError).issues)) {
      return validationFromZod(err as ZodError, "/input");
    }
    const e = err as Error & { code?: unknown };
    if (e?.name === "AbortError" || e?.name === "TimeoutError") {
      return new GatewayTimeoutError(`${kind}: cancelled or timed out`);
    }
    const message = redact(e?.message ?? String(err), credential);
    return new ConnectorError(kind, message, typeof e?.code === "string" ? e.code : e?.name);
  }

  async close() {
    for (const c of this.registry.loaded()) await c.close().catch(() => {});
  }
}
