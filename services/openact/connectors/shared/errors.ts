/**
 * Errors connectors throw. They extend the kernel's AppError so the HTTP layer renders them as
 * problem+json; messages never carry credentials (see redactSecret).
 */
import {
  AppError,
  GatewayTimeoutError,
  ServiceUnavailableError,
  UnprocessableError,
} from "../../../../runtime/errors.ts";

/** The remote system answered with an error (SQL error, broker refusal, ...). */
export class ConnectorError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "connector";
  override readonly title: string = "Connector error";
  constructor(readonly kind: string, message: string, readonly code?: string) {
    super(message);
  }
  override extra() {
    return { connector: this.kind, ...(this.code ? { code: this.code } : {}) };
  }
}

/** The remote system could not be reached (refused, DNS, TLS, auth handshake). */
export class ConnectorUnavailableError extends ServiceUnavailableError {
  constructor(readonly kind: string, message: string, readonly code?: string) {
    super(message);
  }
  override extra() {
    return { connector: this.kind, ...(this.code ? { code: this.code } : {}) };
  }
}

/** The operation ran past ExecuteOptions.timeoutMs; driver work was aborted. */
export class ConnectorTimeoutError extends GatewayTimeoutError {
  constructor(readonly kind: string, readonly what: string, readonly timeoutMs: number) {
    super(`${kind}: ${what} timed out after ${timeoutMs} ms`);
  }
  override extra() {
    return { connector: this.kind, timeoutMs: this.timeoutMs };
  }
}

/** The caller aborted ExecuteOptions.signal; driver work was aborted. */
export class ConnectorCancelledError extends AppError {
  override readonly status: number = 499;
  override readonly type: string = "cancelled";
  override readonly title: string = "Cancelled";
  constructor(readonly kind: string, readonly what: string) {
    super(`${kind}: ${what} was cancelled`);
  }
  override extra() {
    return { connector: this.kind };
  }
}

/** The operation name is not one the connector offers. */
export class UnknownOperationError extends UnprocessableError {
  constructor(readonly kind: string, readonly operation: string, readonly known: string[]) {
    super(`${kind}: unknown operation '${operation}'; use one of: ${known.join(", ")}`);
  }
  override extra() {
    return { connector: this.kind, operation: this.operation, operations: this.known };
  }
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** Replaces every occurrence of the credential's string parts in a message. */
export function redactSecret(message: string, credential: unknown): string {
  const secrets: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === "string" && v.length >= 3) secrets.push(v);
    else if (v && typeof v === "object") Object.values(v as Record<string, unknown>).forEach(collect);
  };
  collect(credential);
  let out = message;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

/**
 * Maps a driver error to a connector error: network failures become 503, everything else 502.
 * Kernel errors (validation, timeout, cancellation) pass through unchanged.
 */
export function mapDriverError(kind: string, err: unknown, credential?: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { message?: string; code?: unknown; errno?: unknown; name?: string; errors?: unknown[] };
  // AggregateError (e.g. happy-eyeballs connect) hides the useful message in .errors
  const inner = !e?.message && Array.isArray(e?.errors) && e.errors.length
    ? e.errors[0] as { message?: string; code?: unknown }
    : undefined;
  const code = typeof e?.code === "string"
    ? e.code
    : typeof inner?.code === "string"
    ? inner.code
    : typeof e?.code === "number"
    ? String(e.code)
    : undefined;
  const raw = e?.message || inner?.message || String(err);
  const message = redactSecret(`${kind}: ${raw}`, credential);
  if (code && UNREACHABLE_CODES.has(code)) return new ConnectorUnavailableError(kind, message, code);
  return new ConnectorError(kind, message, code);
}
