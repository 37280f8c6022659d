/**
 * Error classes carry fields; the HTTP layer maps them to problem+json in one place
 * (runtime/http/problem.ts). Services throw these, never raw statuses.
 */

/** One field-level problem, addressed by a JSON pointer into the request. */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

export class AppError extends Error {
  readonly status: number = 500;
  readonly type: string = "internal";
  readonly title: string = "Internal error";
  /** Extra members copied into the problem document. */
  extra(): Record<string, unknown> {
    return {};
  }
}

export class BadRequestError extends AppError {
  override readonly status: number = 400;
  override readonly type: string = "bad-request";
  override readonly title: string = "Bad request";
}

export class ValidationError extends AppError {
  override readonly status: number = 400;
  override readonly type: string = "validation";
  override readonly title: string = "Validation failed";
  constructor(readonly errors: FieldIssue[], message?: string) {
    super(message ?? errors.map((e) => `${e.path || "/"}: ${e.message}`).join("; "));
  }
  override extra() {
    return { errors: this.errors };
  }
}

export class UnauthorizedError extends AppError {
  override readonly status: number = 401;
  override readonly type: string = "unauthorized";
  override readonly title: string = "Unauthorized";
}

export class ForbiddenError extends AppError {
  override readonly status: number = 403;
  override readonly type: string = "forbidden";
  override readonly title: string = "Forbidden";
}

export class NotFoundError extends AppError {
  override readonly status: number = 404;
  override readonly type: string = "not-found";
  override readonly title: string = "Not found";
  constructor(readonly kind: string, readonly resource: string, detail?: string) {
    super(detail ?? `${kind} '${resource}' not found`);
  }
  override extra() {
    return { kind: this.kind, name: this.resource };
  }
}

export class MethodNotAllowedError extends AppError {
  override readonly status: number = 405;
  override readonly type: string = "method-not-allowed";
  override readonly title: string = "Method not allowed";
}

export class ConflictError extends AppError {
  override readonly status: number = 409;
  override readonly type: string = "conflict";
  override readonly title: string = "Conflict";
}

export class PayloadTooLargeError extends AppError {
  override readonly status: number = 413;
  override readonly type: string = "payload-too-large";
  override readonly title: string = "Payload too large";
  constructor(readonly limit: number, what = "request body") {
    super(`${what} exceeds the limit of ${limit} bytes`);
  }
  override extra() {
    return { limit: this.limit };
  }
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly status: number = 415;
  override readonly type: string = "unsupported-media-type";
  override readonly title: string = "Unsupported media type";
}

export class UnprocessableError extends AppError {
  override readonly status: number = 422;
  override readonly type: string = "unprocessable";
  override readonly title: string = "Unprocessable";
}

export class TooManyRequestsError extends AppError {
  override readonly status: number = 429;
  override readonly type: string = "too-many-requests";
  override readonly title: string = "Too many requests";
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message);
  }
  override extra() {
    return { retryAfter: this.retryAfterSeconds };
  }
}

export class ServiceUnavailableError extends AppError {
  override readonly status: number = 503;
  override readonly type: string = "unavailable";
  override readonly title: string = "Service unavailable";
}

export class GatewayTimeoutError extends AppError {
  override readonly status: number = 504;
  override readonly type: string = "timeout";
  override readonly title: string = "Timed out";
}

/** Configuration problems are fatal at start; they name the key at fault. */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`config: ${key}: ${message}`);
  }
}
