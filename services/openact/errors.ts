/** OpenAct error classes: they map to problem+json like every AppError (runtime/http/problem.ts). */
import { AppError } from "../../runtime/errors.ts";

/** The remote system failed (driver error, refused connection, bad upstream response). */
export class ConnectorError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "connector-error";
  override readonly title: string = "Connector error";
  override readonly name = "OpenAct.ConnectorError";
  constructor(readonly kind: string, message: string, readonly code?: string) {
    super(`${kind}: ${message}`);
  }
  override extra() {
    return { connector: this.kind, ...(this.code ? { code: this.code } : {}) };
  }
}

/** A connector (or its build) is unavailable: unknown kind, not selected in connectors.toml, not installed. */
export class ConnectorUnavailableError extends AppError {
  override readonly status: number = 400;
  override readonly type: string = "connector-unavailable";
  override readonly title: string = "Connector unavailable";
  constructor(readonly kind: string, message: string) {
    super(message);
  }
  override extra() {
    return { connector: this.kind };
  }
}

/** A request was refused by the SSRF guard (private address without allowPrivateNetwork). */
export class BlockedDestinationError extends AppError {
  override readonly status: number = 403;
  override readonly type: string = "blocked-destination";
  override readonly title: string = "Destination blocked";
  override readonly name = "OpenAct.BlockedDestination";
}

/**
 * Thrown by HTTP-style connectors when an OAuth2-authenticated call answers 401: the service
 * refreshes the token once and retries.
 */
export class AuthExpiredError extends AppError {
  override readonly status: number = 401;
  override readonly type: string = "upstream-unauthorized";
  override readonly title: string = "Upstream rejected the credential";
  override readonly name = "OpenAct.Unauthorized";
}
