/** HTTP routes for invoking functions, async invocation status, logs (with SSE follow) and metrics. */
import { createRoute } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import { errorResponses as errors } from "../../runtime/http/schemas.ts";
import { requireRole } from "../../runtime/auth.ts";
import { BadRequestError, NotFoundError, PayloadTooLargeError } from "../../runtime/errors.ts";
import { parseFunctionRef } from "./names.ts";
import { AsyncInvocationSchema, InvokeResultSchema, LogEntrySchema } from "./schemas.ts";
import type { FnStore } from "./store.ts";
import type { Invoker } from "./invoker.ts";
import { functionTrn } from "./invoker.ts";
import { type AsyncQueue, toAsyncInvocation } from "./queue.ts";
import type { FunctionLogs } from "./logs.ts";
import type { FnMetrics } from "./metrics.ts";
import type { LogEntry } from "./types.ts";
import type { Clock } from "../../runtime/clock.ts";

const NameParam = z.object({
  name: z.string().min(1).max(2048).describe("Function name or TRN, optionally name:qualifier"),
});
const tags = ["functions"];

export interface InvokeRouteDeps {
  store: FnStore;
  invoker: Invoker;
  queue: AsyncQueue;
  logs: FunctionLogs;
  metrics: FnMetrics;
  payloadLimit: number;
  asyncPayloadLimit: number;
  clock: Clock;
}

const InvokeQuery = z.object({
  qualifier: z.string().regex(/^[A-Za-z0-9_$-]{1,64}$/, "a version number, alias or $LATEST").optional(),
  type: z.enum(["sync", "async", "dry-run", "RequestResponse", "Event", "DryRun"]).optional()
    .describe("Invocation type (default sync); also the X-Aionix-Invocation-Type header"),
  logs: z.enum(["true", "false"]).optional().describe("Include the invocation's log lines in the result"),
});

function invocationType(raw: string | undefined): "sync" | "async" | "dry-run" {
  switch (raw ?? "sync") {
    case "sync":
    case "RequestResponse":
      return "sync";
    case "async":
    case "Event":
      return "async";
    case "dry-run":
    case "DryRun":
      return "dry-run";
    default:
      throw new BadRequestError(`invocation type '${raw}' is not one of sync, async, dry-run`);
  }
}

export function mountInvokeRoutes(app: ApiApp, deps: InvokeRouteDeps) {
  const { store, invoker, queue, logs, metrics } = deps;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/functions/{name}/invoke",
      tags,
      summary: "Invoke a function; the JSON request body is the event",
      description:
        "sync (default) returns the result or the function's error {errorType, errorMessage, stack} " +
        "with status 'failed' (platform errors are problem+json); async queues durably and returns 202 with " +
        "the request id; dry-run validates the call without running it.",
      request: { params: NameParam, query: InvokeQuery },
      responses: {
        200: json(InvokeResultSchema, "Ran (or validated, for dry-run)"),
        202: json(z.object({ requestId: z.string(), status: z.string(), functionTrn: z.string() }), "Queued"),
        413: { description: "Payload too large" },
        429: { description: "Throttled by a concurrency limit (Retry-After)" },
        ...errors,
      },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const ref = parseFunctionRef(tenant, c.req.valid("param").name, true);
      const query = c.req.valid("query");
      if (ref.qualifier !== undefined && query.qualifier !== undefined && ref.qualifier !== query.qualifier) {
        throw new BadRequestError(
          `the name says qualifier '${ref.qualifier}' but ?qualifier= says '${query.qualifier}': give one`,
        );
      }
      const qualifier = query.qualifier ?? ref.qualifier;
      const type = invocationType(query.type ?? c.req.header("x-aionix-invocation-type"));
      const text = await c.req.text();
      const limit = type === "async" ? deps.asyncPayloadLimit : deps.payloadLimit;
      if (new TextEncoder().encode(text).length > limit) {
        throw new PayloadTooLargeError(limit, `the ${type} payload`);
      }
      let event: unknown = null;
      if (text.trim()) {
        try {
          event = JSON.parse(text);
        } catch (err) {
          throw new BadRequestError(
            `the request body (the event) is not valid JSON: ${(err as Error).message}`,
          );
        }
      }
      if (type === "dry-run") {
        const target = invoker.resolve(tenant, ref.name, qualifier);
        return c.json({
          dryRun: true,
          status: "validated",
          functionTrn: functionTrn(
            tenant,
            ref.name,
            target.version === "$LATEST" ? undefined : target.version,
          ),
          version: target.version,
          runtime: target.config.runtime,
          permissions: target.config.permissions,
        }, 200);
      }
      if (type === "async") {
        invoker.resolve(tenant, ref.name, qualifier);
        const { requestId } = queue.enqueue(tenant, ref.name, qualifier ?? "$LATEST", event, {
          idempotencyKey: c.req.header("idempotency-key") || undefined,
        });
        return c.json(
          { requestId, status: "queued", functionTrn: functionTrn(tenant, ref.name, qualifier) },
          202,
        );
      }
      const result = await invoker.invoke(tenant, ref.name, event, {
        qualifier,
        withLogs: query.logs === "true",
        signal: c.req.raw.signal,
      });
      const headers: Record<string, string> = { "x-aionix-executed-version": result.version };
      if (result.error) headers["x-aionix-function-error"] = result.error.errorType;
      return c.json(result, 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/invocations/{requestId}",
      tags,
      summary: "Status and result of an async invocation",
      request: { params: NameParam.extend({ requestId: z.string().min(1).max(128) }) },
      responses: { 200: json(AsyncInvocationSchema, "The invocation"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      const row = store.getAsync(tenant, c.req.valid("param").requestId);
      if (!row || row.name !== name) throw new NotFoundError("invocation", c.req.valid("param").requestId);
      return c.json(toAsyncInvocation(row), 200);
    },
  );

  const LogQuery = z.object({
    limit: z.coerce.number().int().min(1).max(5000).default(200),
    after: z.coerce.number().int().min(0).optional().describe("Only lines after this sequence number"),
    requestId: z.string().max(128).optional(),
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/logs",
      tags,
      summary: "Function log lines (START/END/REPORT and captured output); newest last",
      request: { params: NameParam, query: LogQuery },
      responses: { 200: json(z.object({ items: z.array(LogEntrySchema) }), "Log lines"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.getFunction(tenant, name);
      const q = c.req.valid("query");
      logs.flush();
      const items = store.listLogs(tenant, name, {
        after: q.after,
        limit: q.limit,
        requestId: q.requestId,
        tail: q.after === undefined,
      });
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/logs/stream",
      tags,
      summary: "Follow a function's logs as Server-Sent Events (event: log, id: seq; honours Last-Event-ID)",
      request: {
        params: NameParam,
        query: z.object({ tail: z.coerce.number().int().min(0).max(1000).default(20) }),
      },
      responses: { 200: { description: "text/event-stream of log lines" }, ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.getFunction(tenant, name);
      const lastId = Number(c.req.header("last-event-id") ?? NaN);
      const tail = c.req.valid("query").tail;
      return streamSSE(c, async (stream) => {
        const queued: LogEntry[] = [];
        let wake: (() => void) | undefined;
        const unfollow = logs.follow(tenant, name, (e) => {
          queued.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          unfollow();
          wake?.();
        });
        logs.flush();
        const backlog = Number.isFinite(lastId)
          ? store.listLogs(tenant, name, { after: lastId, limit: 5000 })
          : tail > 0
          ? store.listLogs(tenant, name, { limit: tail, tail: true })
          : [];
        let sent = backlog.length ? backlog[backlog.length - 1].seq : Number.isFinite(lastId) ? lastId : 0;
        for (const e of backlog) {
          await stream.writeSSE({ event: "log", id: String(e.seq), data: JSON.stringify(e) });
        }
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ function: name }) });
        let lastPing = deps.clock.now();
        while (!stream.aborted && !stream.closed) {
          while (queued.length) {
            const e = queued.shift()!;
            if (e.seq <= sent) continue;
            sent = e.seq;
            await stream.writeSSE({ event: "log", id: String(e.seq), data: JSON.stringify(e) });
          }
          let timer: unknown;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = deps.clock.setTimeout(resolve, 15_000);
          });
          deps.clock.clearTimeout(timer);
          wake = undefined;
          if (deps.clock.now() - lastPing >= 15_000) {
            lastPing = deps.clock.now();
            await stream.write(": ping\n\n");
          }
        }
        unfollow();
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/metrics",
      tags,
      summary: "Invocations, errors, throttles, cold starts and durations since the server started",
      request: { params: NameParam },
      responses: { 200: { description: "Metrics by function and version" }, ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.getFunction(tenant, name);
      return c.json({ function: name, ...metrics.summary(tenant, name) }, 200);
    },
  );
}

function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
