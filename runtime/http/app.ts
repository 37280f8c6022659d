/**
 * The HTTP kernel: a Hono app with the cross-cutting middleware every route shares —
 * Host check, request ids, metrics and access logs, body limits, bearer auth and tenant
 * selection, problem+json errors, 404/405 — plus health, readiness, metrics and OpenAPI.
 * Services register route groups (`routes()`) with full paths (`/api/v1/...`); a group's
 * routes are built on the first request under its prefixes (see route_groups.ts).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { type Context, type ExecutionContext, Hono, type MiddlewareHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { routePath } from "hono/route";
import { bodyLimit } from "hono/body-limit";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type Principal, tenantFor, type TokenService } from "../auth.ts";
import { ForbiddenError, MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from "../errors.ts";
import { newId } from "../ids.ts";
import { problemResponse, toProblem } from "./problem.ts";
import { type RouteGroup, RouteGroups } from "./route_groups.ts";

export type { RouteGroup } from "./route_groups.ts";

export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
    tenant: string;
    log: Logger;
  };
};
/** What a route group mounts its OpenAPI routes on. */
export type ApiApp = OpenAPIHono<AppEnv>;
/** The root app: kernel middleware and routes, plus every mounted group's routes. */
export type RootApp = Hono<AppEnv>;
export type ApiContext = Context<AppEnv>;

export interface HttpKernelOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  isReady: () => boolean;
  version: string;
}

export interface HttpKernel {
  app: RootApp;
  /** Registers a service's routes, mounted on the first request under one of its prefixes. */
  routes(group: RouteGroup): void;
  /** The request handler (also `app.fetch`/`app.request`): mounts the owning group first. */
  fetch(req: Request): Response | Promise<Response>;
  /** Paths under /api that skip bearer auth (e.g. OAuth callbacks). Exact match or prefix ending in '*'. */
  publicPaths: Set<string>;
  /** Larger or smaller body limits for path prefixes (bytes). */
  bodyLimits: Map<string, number>;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const LOOPBACK_BINDS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function hostName(header: string): string {
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1).toLowerCase();
  const colon = header.lastIndexOf(":");
  return (colon >= 0 ? header.slice(0, colon) : header).toLowerCase();
}

/** The request's logger: a child with the request id, built only when something is logged. */
class RequestLogger implements Logger {
  #child?: Logger;
  constructor(private parent: Logger, private requestId: string) {}
  get level() {
    return this.parent.level;
  }
  #get(): Logger {
    return this.#child ??= this.parent.child({ requestId: this.requestId });
  }
  debug(msg: string, fields?: Record<string, unknown>) {
    this.#get().debug(msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>) {
    this.#get().info(msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>) {
    this.#get().warn(msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>) {
    this.#get().error(msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return this.#get().child(fields);
  }
}

function matches(set: Iterable<string>, path: string): boolean {
  for (const p of set) {
    if (p.endsWith("*") ? path.startsWith(p.slice(0, -1)) : path === p) return true;
  }
  return false;
}

export function createHttpKernel(options: HttpKernelOptions): HttpKernel {
  const { config, logger, metrics, tokens } = options;
  const publicPaths = new Set<string>(["/api/openapi.json"]);
  const bodyLimits = new Map<string, number>();
  // TrieRouter: groups add routes after the first request has been routed.
  const app: RootApp = new Hono<AppEnv>({ router: new TrieRouter() });
  let routeTable: { method: string; re: RegExp }[] | undefined;
  const groups = new RouteGroups(app, (name, ms) => {
    routeTable = undefined;
    logger.debug("routes mounted", { group: name, ms: Math.round(ms * 10) / 10 });
  });

  const loopbackBind = LOOPBACK_BINDS.has(config.server.host);
  const allowedHosts = new Set(config.server.allowed_hosts.map((h) => h.toLowerCase()));
  const enforceHost = loopbackBind || allowedHosts.size > 0;

  // Hot path: one label object per (method, route, status), a lazily built request logger,
  // and the access-log fields only when the level lets the line through.
  const labelCache = new Map<string, { method: string; route: string; status: string }>();
  const labelsFor = (method: string, route: string, status: number) => {
    const key = method + " " + status + " " + route;
    let labels = labelCache.get(key);
    if (!labels) {
      labels = { method, route, status: String(status) };
      if (labelCache.size < 4096) labelCache.set(key, labels);
    }
    return labels;
  };
  const accessLog = logger.level === "debug" || logger.level === "info";

  app.use("*", async (c, next) => {
    const start = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : newId();
    c.set("requestId", requestId);
    c.set("log", new RequestLogger(logger, requestId));
    await next();
    c.res.headers.set("x-request-id", requestId);
    const status = c.res.status;
    const matched = routePath(c);
    const route = status === 404 && matched === "*" ? "unmatched" : matched;
    const seconds = (performance.now() - start) / 1000;
    const labels = labelsFor(c.req.method, route, status);
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    if (accessLog) {
      const path = c.req.path;
      if (path !== "/healthz" && path !== "/readyz") {
        logger.info("request", {
          requestId,
          method: c.req.method,
          path,
          status,
          ms: Math.round(seconds * 1e5) / 100,
          token: c.get("principal")?.tokenId,
        });
      }
    }
  });

  // DNS-rebinding defence: a loopback server only answers requests addressed to loopback names.
  // Then the body limit: the longest matching prefix in bodyLimits, else server.body_limit.
  const limiters = new Map<number, MiddlewareHandler>();
  const limiterFor = (limit: number) => {
    let m = limiters.get(limit);
    if (!m) {
      m = bodyLimit({
        maxSize: limit,
        onError: () => {
          throw new PayloadTooLargeError(limit);
        },
      });
      limiters.set(limit, m);
    }
    return m;
  };
  app.use("*", async (c, next) => {
    if (enforceHost) {
      const host = hostName(c.req.header("host") ?? new URL(c.req.url).host);
      if (!LOOPBACK_NAMES.has(host) && !allowedHosts.has(host)) {
        throw new ForbiddenError(
          `Host '${host}' is not allowed: add it to server.allowed_hosts in config.toml to serve it`,
        );
      }
    }
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return await next();
    let limit = config.server.body_limit;
    let best = -1;
    const path = c.req.path;
    for (const [prefix, bytes] of bodyLimits) {
      if (prefix.length > best && path.startsWith(prefix)) {
        best = prefix.length;
        limit = bytes;
      }
    }
    // A declared length is checked without touching the body stream; chunked bodies are counted.
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (parseInt(length, 10) > limit) throw new PayloadTooLargeError(limit);
      return await next();
    }
    return await limiterFor(limit)(c, next);
  });

  app.use("/api/*", async (c, next) => {
    if (matches(publicPaths, c.req.path)) return await next();
    const principal = await tokens.authenticate(c.req.header("authorization"));
    c.set("principal", principal);
    c.set("tenant", tenantFor(principal, c.req.header("x-aionix-tenant")));
    await next();
  });

  app.onError((err, c) => {
    const problem = toProblem(err);
    problem.instance = c.req.path;
    problem.requestId = c.get("requestId");
    if (problem.status >= 500) {
      c.get("log")?.error("unhandled error", {
        err: err instanceof Error ? err.stack ?? err.message : String(err),
      });
    }
    const headers: Record<string, string> = {};
    if (typeof problem.retryAfter === "number") headers["retry-after"] = String(problem.retryAfter);
    if (problem.status === 401) headers["www-authenticate"] = 'Bearer realm="aionix"';
    return problemResponse(problem, headers);
  });

  app.notFound((c) => {
    routeTable ??= app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({
        method: r.method,
        re: new RegExp(
          "^" +
            r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+").replace(/\*/g, ".*") +
            "$",
        ),
      }));
    const allowed = [...new Set(routeTable.filter((r) => r.re.test(c.req.path)).map((r) => r.method))];
    const err = allowed.length
      ? new MethodNotAllowedError(
        `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(", ")}`,
      )
      : new NotFoundError(
        "route",
        `${c.req.method} ${c.req.path}`,
        `no route for ${c.req.method} ${c.req.path}`,
      );
    const problem = { ...toProblem(err), instance: c.req.path, requestId: c.get("requestId") };
    return problemResponse(problem, allowed.length ? { allow: allowed.join(", ") } : {});
  });

  app.get("/healthz", (c) => c.json({ status: "ok", version: options.version }));
  app.get(
    "/readyz",
    (c) => options.isReady() ? c.json({ status: "ready" }) : c.json({ status: "not ready" }, 503),
  );
  app.get("/metrics", async (c) => {
    const { text, contentType } = await metrics.render();
    return c.body(text, 200, { "content-type": contentType });
  });
  app.get("/api", (c) => c.json({ openapi: "/api/openapi.json", version: options.version }));
  app.get("/api/openapi.json", async (c) =>
    c.json(
      await groups.document({
        title: "AionixOne API",
        version: options.version,
        description: "Workflows, functions, triggers, connectors, secrets and configuration in one runtime.",
      }),
    ));

  // Before Hono routes a request, the group owning its path is mounted (once).
  const dispatch = app.fetch;
  const fetch = (req: Request, env?: unknown, ctx?: ExecutionContext): Response | Promise<Response> => {
    if (groups.allMounted) return dispatch(req, env, ctx);
    const url = req.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const end = url.indexOf("?", start);
    let path = end < 0 ? url.slice(start) : url.slice(start, end);
    if (path.includes("%")) {
      try {
        path = decodeURI(path); // as Hono decodes it for routing (`/api/v1/%70arams`)
      } catch { /* malformed: Hono answers it */ }
    }
    const group = groups.pendingFor(path);
    if (!group) return dispatch(req, env, ctx);
    return groups.mount(group).then(
      () => dispatch(req, env, ctx),
      (err) => {
        logger.error("routes failed to mount", { group: group.name, err: String(err) });
        return problemResponse({ ...toProblem(err), instance: new URL(url).pathname });
      },
    );
  };
  app.fetch = fetch;

  return {
    app,
    publicPaths,
    bodyLimits,
    routes: (group) => groups.add(group),
    fetch,
  };
}

/** The caller's identity and tenant inside an /api handler. */
export function who(c: ApiContext): { principal: Principal; tenant: string } {
  return { principal: c.get("principal"), tenant: c.get("tenant") };
}
