/**
 * The built-in `http` task action: one HTTP request. Parameters
 * `{ url, method?, headers?, query?, body?, timeout? }`; result `{ status, headers, body }`
 * (JSON bodies parsed). The task's idempotency key travels as `Idempotency-Key`.
 * Non-2xx answers fail the task with `Http.ClientError` (4xx) or `Http.ServerError` (5xx);
 * network failures with `Http.NetworkError`.
 */
import { AppError, BadRequestError } from "../../runtime/errors.ts";
import type { Executor } from "../../runtime/bus.ts";

export class HttpActionError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "http-action";
  override readonly title: string = "HTTP action failed";
  constructor(readonly error: string, override readonly cause: string, readonly statusCode?: number) {
    super(cause);
  }
}

interface HttpParams {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  timeout?: number;
}

function parseParams(input: unknown): HttpParams {
  const p = input as HttpParams;
  if (!p || typeof p !== "object" || typeof p.url !== "string") {
    throw new BadRequestError("the http action needs parameters { url, method?, headers?, query?, body? }");
  }
  let url: URL;
  try {
    url = new URL(p.url);
  } catch {
    throw new BadRequestError(`http action: '${p.url}' is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BadRequestError(`http action: only http and https URLs are allowed (got ${url.protocol})`);
  }
  return p;
}

export const httpAction: Executor = {
  async execute(req) {
    const p = parseParams(req.input);
    const url = new URL(p.url);
    for (const [k, v] of Object.entries(p.query ?? {})) url.searchParams.set(k, String(v));
    const method = (p.method ?? (p.body !== undefined ? "POST" : "GET")).toUpperCase();
    const headers = new Headers(p.headers ?? {});
    if (req.idempotencyKey && !headers.has("idempotency-key")) {
      headers.set("idempotency-key", req.idempotencyKey);
    }
    let body: string | undefined;
    if (p.body !== undefined && method !== "GET" && method !== "HEAD") {
      if (typeof p.body === "string") body = p.body;
      else {
        body = JSON.stringify(p.body);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
    }
    const signal = p.timeout
      ? AbortSignal.any([req.signal, AbortSignal.timeout(p.timeout * 1000)])
      : req.signal;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal, redirect: "follow" });
    } catch (err) {
      if (req.signal.aborted) throw req.signal.reason ?? err;
      throw new HttpActionError(
        "Http.NetworkError",
        `${method} ${url.origin}${url.pathname} failed: ${(err as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json") && text) {
      try {
        parsed = JSON.parse(text);
      } catch { /* keep text */ }
    }
    if (!res.ok) {
      throw new HttpActionError(
        res.status >= 500 ? "Http.ServerError" : "Http.ClientError",
        `${method} ${url.origin}${url.pathname} returned ${res.status}: ${text.slice(0, 200)}`,
        res.status,
      );
    }
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parsed };
  },
};
