/**
 * http: any method, headers, query, JSON/form/raw body, auth (bearer, basic, API key, OAuth2),
 * retries with backoff, redirects (≤ 5, each checked by the SSRF guard), timeouts, cancellation.
 * A pooled Deno HTTP client per connection; non-2xx answers fail with HttpStatusError unless the
 * input sets `throwOnError: false`.
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { guardedFetch } from "../net/ssrf.ts";
import {
  abortError,
  applyAuth,
  AuthSettings,
  deadlineSignal,
  headersObject,
  HttpStatusError,
  readBody,
} from "../net/common.ts";
import { AuthExpiredError } from "../errors.ts";

const KIND = "http";

export const HttpSettings = z.strictObject({
  baseUrl: z.url().optional().describe("Prefix for relative paths, e.g. https://api.github.com"),
  headers: z.record(z.string(), z.string()).default({}).describe(
    "Headers sent with every request (no secrets)",
  ),
  query: z.record(z.string(), z.string()).default({}),
  auth: AuthSettings.default({ type: "none" }),
  allowPrivateNetwork: z.boolean().default(false).describe(
    "Allow loopback/private/link-local destinations (SSRF guard off for this connection)",
  ),
  maxRedirects: z.number().int().min(0).max(5).default(5),
  retries: z.strictObject({
    attempts: z.number().int().min(0).max(5).default(0).describe("Extra attempts after the first"),
    backoffMs: z.number().int().min(0).max(60_000).default(200),
    statuses: z.array(z.number().int().min(400).max(599)).default([429, 502, 503, 504]),
    nonIdempotent: z.boolean().default(false).describe("Also retry POST/PATCH"),
  }).prefault({}),
});
type HttpSettings = z.infer<typeof HttpSettings>;

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const QueryValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

const requestFields = {
  path: z.string().optional().describe("Path appended to the connection's baseUrl, e.g. /users"),
  url: z.string().optional().describe("Absolute URL (instead of path)"),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), QueryValue).default({}),
  json: z.unknown().optional().describe("JSON body"),
  form: z.record(z.string(), z.string()).optional().describe("application/x-www-form-urlencoded body"),
  body: z.string().optional().describe("Raw body (set contentType)"),
  bodyBase64: z.string().optional().describe("Raw binary body, base64"),
  contentType: z.string().optional(),
  responseType: z.enum(["auto", "json", "text", "base64"]).default("auto"),
  throwOnError: z.boolean().default(true).describe("Fail on non-2xx (default) or return the response"),
  retries: z.number().int().min(0).max(5).optional().describe("Overrides the connection's retry attempts"),
};

function withBodyCheck<T extends z.ZodObject>(schema: T) {
  return schema.superRefine((v, ctx) => {
    const r = v as Record<string, unknown>;
    const bodies = ["json", "form", "body", "bodyBase64"].filter((k) => r[k] !== undefined);
    if (bodies.length > 1) {
      ctx.addIssue({ code: "custom", path: [bodies[1]], message: `give only one of ${bodies.join(", ")}` });
    }
    if (r.path === undefined && r.url === undefined) {
      ctx.addIssue({ code: "custom", path: ["path"], message: "give a path (relative to baseUrl) or a url" });
    }
  });
}

export const RequestInput = withBodyCheck(
  z.strictObject({ method: z.enum(METHODS).default("GET"), ...requestFields }),
);
type RequestInput = z.infer<typeof RequestInput>;
const MethodInput = withBodyCheck(z.strictObject(requestFields));

function buildUrl(settings: HttpSettings, input: RequestInput): URL {
  let url: URL;
  try {
    if (input.url !== undefined) url = new URL(input.url);
    else if (settings.baseUrl && input.path === "") url = new URL(settings.baseUrl);
    else if (settings.baseUrl) {
      const base = settings.baseUrl.endsWith("/") ? settings.baseUrl : settings.baseUrl + "/";
      url = new URL(input.path!.replace(/^\//, ""), base);
    } else url = new URL(input.path!);
  } catch {
    throw new ConnectorError(
      KIND,
      `cannot build a URL from ${
        input.url ?? input.path
      }: give an absolute url or set baseUrl on the connection`,
      "BadUrl",
    );
  }
  for (const [k, v] of Object.entries(settings.query)) url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(input.query)) {
    if (Array.isArray(v)) {
      url.searchParams.delete(k);
      for (const item of v) url.searchParams.append(k, String(item));
    } else url.searchParams.set(k, String(v));
  }
  return url;
}

function buildBody(input: RequestInput, headers: Headers): BodyInit | undefined {
  const set = (ct: string) => {
    if (!headers.has("content-type")) headers.set("content-type", input.contentType ?? ct);
  };
  if (input.json !== undefined) {
    set("application/json");
    return JSON.stringify(input.json);
  }
  if (input.form !== undefined) {
    set("application/x-www-form-urlencoded");
    return new URLSearchParams(input.form).toString();
  }
  if (input.body !== undefined) {
    set("text/plain;charset=UTF-8");
    return input.body;
  }
  if (input.bodyBase64 !== undefined) {
    set("application/octet-stream");
    return Uint8Array.from(atob(input.bodyBase64), (c) => c.charCodeAt(0));
  }
  return undefined;
}

const clients = new Map<string, { revision: string; client: Deno.HttpClient }>();

function clientFor(connection: ResolvedConnection): Deno.HttpClient {
  const hit = clients.get(connection.trn);
  if (hit && hit.revision === connection.revision) return hit.client;
  hit?.client.close();
  const client = Deno.createHttpClient({ poolIdleTimeout: 30_000 });
  clients.set(connection.trn, { revision: connection.revision, client });
  return client;
}

function retryDelay(res: Response | undefined, backoffMs: number, attempt: number): number {
  const after = res?.headers.get("retry-after");
  if (after) {
    const secs = Number(after);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(after) - Date.now();
    if (ms >= 0) return Math.min(ms, 30_000);
  }
  return Math.min(backoffMs * 2 ** attempt, 30_000) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Performs one request for a connection (used by the http, graphql and webhook connectors). */
export async function httpRequest(
  connection: ResolvedConnection,
  input: RequestInput,
  options: ExecuteOptions & { kind?: string },
): Promise<{ status: number; ok: boolean; headers: Record<string, string>; body: unknown; url: string }> {
  const kind = options.kind ?? KIND;
  const settings = connection.settings as HttpSettings;
  const url = buildUrl(settings, input);
  const headers = new Headers(settings.headers);
  for (const [k, v] of Object.entries(input.headers)) headers.set(k, v);
  applyAuth(kind, settings.auth, connection.credential, headers, url);
  const body = buildBody(input, headers);
  const idempotent = !["POST", "PATCH"].includes(input.method) || settings.retries.nonIdempotent;
  const attempts = idempotent ? input.retries ?? settings.retries.attempts : 0;
  const { signal, timedOut } = deadlineSignal(options.signal, options.timeoutMs);
  const client = clientFor(connection);
  for (let attempt = 0;; attempt++) {
    let res: Response | undefined;
    try {
      res = await guardedFetch(url, { method: input.method, headers, body, signal }, {
        allowPrivateNetwork: settings.allowPrivateNetwork,
        maxRedirects: settings.maxRedirects,
        client,
      });
    } catch (err) {
      if (signal.aborted) throw abortError(kind, timedOut(), options.timeoutMs, options.signal, err);
      if (!(err instanceof TypeError) || attempt >= attempts) {
        if (err instanceof TypeError) {
          throw new ConnectorError(
            kind,
            `${input.method} ${url.origin}${url.pathname} failed: ${err.message}`,
            "NetworkError",
          );
        }
        throw err;
      }
    }
    if (res && (!settings.retries.statuses.includes(res.status) || attempt >= attempts)) {
      let payload: unknown;
      try {
        payload = input.method === "HEAD" ? null : await readBody(res, input.responseType);
      } catch (err) {
        if (signal.aborted) throw abortError(kind, timedOut(), options.timeoutMs, options.signal, err);
        throw err;
      }
      if (res.status === 401 && settings.auth.type === "oauth2") {
        throw new AuthExpiredError(`${kind}: ${url.origin} answered 401 to the OAuth2 access token`);
      }
      if (!res.ok && input.throwOnError && !(res.status >= 300 && res.status < 400)) {
        throw new HttpStatusError(
          kind,
          res.status,
          `${input.method} ${url.origin}${url.pathname} answered ${res.status} ${res.statusText}`.trimEnd(),
          payload,
        );
      }
      return {
        status: res.status,
        ok: res.ok,
        headers: headersObject(res.headers),
        body: payload,
        url: res.url || url.href,
      };
    }
    await res?.body?.cancel();
    try {
      await sleep(retryDelay(res, settings.retries.backoffMs, attempt), signal);
    } catch (err) {
      throw abortError(kind, timedOut(), options.timeoutMs, options.signal, err);
    }
  }
}

const methodOp = (method: (typeof METHODS)[number]) => ({
  description: `${method} request (same input as 'request' without method)`,
  input: MethodInput,
  method,
});

const shortcuts = {
  get: methodOp("GET"),
  post: methodOp("POST"),
  put: methodOp("PUT"),
  patch: methodOp("PATCH"),
  delete: methodOp("DELETE"),
};

const connector: Connector = {
  kind: KIND,
  description: "HTTP/REST APIs: any method, JSON/form/raw bodies, auth, retries, redirects, SSRF guard",
  settingsSchema: HttpSettings,
  operations: {
    request: { description: "Send an HTTP request and return {status, headers, body}", input: RequestInput },
    ...Object.fromEntries(
      Object.entries(shortcuts).map(([k, v]) => [k, { description: v.description, input: v.input }]),
    ),
  },
  async test(connection, options) {
    const settings = connection.settings as HttpSettings;
    if (!settings.baseUrl) return { ok: true, note: "no baseUrl to probe; settings are valid" };
    const started = performance.now();
    const res = await httpRequest(
      connection,
      RequestInput.parse({ method: "GET", path: "", throwOnError: false }),
      options,
    );
    return {
      ok: res.status < 500,
      status: res.status,
      url: res.url,
      ms: Math.round(performance.now() - started),
    };
  },
  async execute(connection, operation, input, options) {
    const shortcut = shortcuts[operation as keyof typeof shortcuts];
    const request = (shortcut ? { ...(input as object), method: shortcut.method } : input) as RequestInput;
    const res = await httpRequest(connection, request, options);
    return { status: res.status, ok: res.ok, headers: res.headers, body: res.body };
  },
  close(trn) {
    for (const [key, { client }] of clients) {
      if (trn === undefined || key === trn) {
        client.close();
        clients.delete(key);
      }
    }
    return Promise.resolve();
  },
};

export default connector;
