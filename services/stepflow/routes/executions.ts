/** Executions: start, get, list, history, live events (SSE), cancel, redrive; task callbacks; test-state. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { streamSSE } from "hono/streaming";
import { requireRole } from "../../../runtime/auth.ts";
import { type ApiApp, who } from "../../../runtime/http/app.ts";
import { errorResponses as errors, PageQuery } from "../../../runtime/http/schemas.ts";
import type { StepFlow } from "../service.ts";
import { InvalidDslError } from "../service.ts";
import { runTestState, testStateDsl } from "../test_state.ts";
import { validateDsl } from "../dsl/validate.ts";
import type { HistoryEventView } from "../types.ts";
import * as S from "./schemas.ts";
import { body, json } from "./templates.ts";

const TAG = ["stepflow"];
const IdParam = z.object({ id: z.string().min(1) });
const TokenParam = z.object({ token: z.string().min(1).max(512) });

export function mountExecutionRoutes(app: ApiApp, sf: StepFlow) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{name}/executions",
      tags: TAG,
      summary: "Start an execution (async → 201; sync → 200 when finished or after timeoutSeconds)",
      request: { params: z.object({ name: z.string().min(1) }), ...body(S.StartBody) },
      responses: {
        200: json(S.ExecutionSchema, "Sync: the execution (finished, or still running after the timeout)"),
        201: json(S.ExecutionSchema, "Async: the started execution"),
        ...errors,
      },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const b = c.req.valid("json");
      const { execution } = await sf.start(tenant, c.req.valid("param").name, {
        ...b,
        // Deno builds a request's AbortSignal on first access: only a sync start that waits needs it.
        signal: () => c.req.raw.signal,
      });
      return b.mode === "sync" ? c.json(execution, 200) : c.json(execution, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/executions",
      tags: TAG,
      summary: "List executions, newest first (filters: status, template, since, until, kind). " +
        "kind=express lists the recent express executions kept in memory (no history, lost on restart)",
      request: { query: S.ExecutionQuery },
      responses: {
        200: json(
          z.object({ items: z.array(S.ExecutionSchema), nextToken: z.string().optional() }),
          "Executions",
        ),
        ...errors,
      },
    }),
    (c) => c.json(sf.listExecutions(who(c).tenant, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/executions/{id}",
      tags: TAG,
      summary: "Get an execution",
      request: { params: IdParam },
      responses: { 200: json(S.ExecutionSchema, "Execution"), ...errors },
    }),
    (c) => c.json(sf.getExecution(who(c).tenant, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/executions/{id}/history",
      tags: TAG,
      summary: "An execution's history events, oldest first",
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: json(z.object({ items: z.array(S.EventSchema), nextToken: z.string().optional() }), "History"),
        ...errors,
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json(sf.history(who(c).tenant, c.req.valid("param").id, q.limit, q.nextToken), 200);
    },
  );

  app.get("/api/v1/executions/:id/events", (c) => {
    const { tenant } = who(c);
    const id = c.req.param("id");
    const first = sf.getExecution(tenant, id);
    const lastEventId = Number(c.req.header("last-event-id") ?? "-1");
    return streamSSE(c, async (stream) => {
      let sent = Number.isFinite(lastEventId) ? lastEventId : -1;
      const live = sf.driver.get(tenant, id);
      const buffered: HistoryEventView[] = [];
      let finished = false;
      let wake: (() => void) | undefined;
      const listener = (events: HistoryEventView[], done: boolean) => {
        buffered.push(...events);
        if (done) finished = true;
        wake?.();
      };
      if (live && !live.done) live.listeners.add(listener);
      else finished = true;
      const send = async (e: HistoryEventView) => {
        if (e.seq <= sent) return;
        sent = e.seq;
        await stream.writeSSE({ event: "history", id: String(e.seq), data: JSON.stringify(e) });
      };
      try {
        if (first.kind === "durable") {
          for (;;) {
            const page = sf.store.history(id, sent, 500);
            for (const e of page) await send(e);
            if (page.length < 500) break;
          }
        }
        while (!stream.aborted) {
          while (buffered.length) await send(buffered.shift()!);
          if (finished) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
        if (!stream.aborted) {
          await stream.writeSSE({ event: "status", data: JSON.stringify(sf.getExecution(tenant, id)) });
        }
      } finally {
        live?.listeners.delete(listener);
      }
    });
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/executions/{id}/cancel",
      tags: TAG,
      summary: "Cancel a running execution (running tasks are aborted)",
      request: { params: IdParam },
      responses: { 200: json(S.ExecutionSchema, "Cancelled"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sf.cancel(tenant, c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/executions/{id}/redrive",
      tags: TAG,
      summary: "Redrive a failed, timed-out or cancelled execution from the failed state(s)",
      request: { params: IdParam },
      responses: { 200: json(S.ExecutionSchema, "Running again"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sf.redrive(tenant, c.req.valid("param").id), 200);
    },
  );

  for (const kind of ["success", "failure", "heartbeat"] as const) {
    const schema = kind === "success"
      ? S.TaskSuccess
      : kind === "failure"
      ? S.TaskFailure
      : z.strictObject({});
    app.openapi(
      createRoute({
        method: "post",
        path: `/api/v1/tasks/{token}/${kind}`,
        tags: TAG,
        summary: `Report a callback task's ${kind}`,
        request: {
          params: TokenParam,
          body: { required: kind !== "heartbeat", content: { "application/json": { schema } } },
        },
        responses: { 200: json(S.TaskAck, "Accepted and recorded"), ...errors },
      }),
      async (c) => {
        const { principal, tenant } = who(c);
        requireRole(principal, "operator");
        const token = c.req.valid("param").token;
        const b = (kind === "heartbeat" ? {} : c.req.valid("json")) as Record<string, unknown>;
        const r = kind === "success"
          ? await sf.taskCallback(tenant, token, { type: "success", output: b.output })
          : kind === "failure"
          ? await sf.taskCallback(tenant, token, {
            type: "failure",
            error: b.error as string | undefined,
            cause: b.cause as string | undefined,
          })
          : await sf.taskCallback(tenant, token, { type: "heartbeat" });
        return c.json(r, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/stepflow/test-state",
      tags: TAG,
      summary:
        "Run one state with an input, variables and an optional mocked result; returns each step's data",
      request: body(S.TestStateBody),
      responses: { 200: json(S.TestStateResult, "Result"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const b = c.req.valid("json");
      const dsl = testStateDsl(b.definition);
      const check = await validateDsl(dsl, {
        maxDepth: sf.limits.max_depth,
        actionExists: b.mock ? undefined : (a) => sf.deps.bus.exists(a, tenant),
      });
      const problems = check.diagnostics.filter((d) => d.severity === "error" && d.code !== "UNREACHABLE");
      if (problems.length) {
        throw new InvalidDslError(
          problems.map((d) => ({ ...d, path: d.path.replace(/^\/states\/__tested/, "") })),
          "/definition",
        );
      }
      const bus = sf.deps.bus;
      const result = await runTestState(b as Parameters<typeof runTestState>[0], {
        now: sf.deps.clock.now(),
        execute: (action, input, key) =>
          bus.execute(action, tenant, {
            input,
            idempotencyKey: key,
            caller: { service: "stepflow", testState: true },
          }),
        bindings: {
          secret: (name, stage) =>
            bus.execute(
              name.startsWith("trn:") ? name : `trn:credvault:${tenant}:credential/${name}`,
              tenant,
              {
                operation: "resolve",
                input: stage ? { stage } : {},
                caller: { service: "stepflow", testState: true },
              },
            ),
          param: (path) =>
            bus.execute(`trn:paramstore:${tenant}:param/${String(path).replace(/^\/+/, "")}`, tenant, {
              operation: "resolve",
              input: {},
            }),
        },
      });
      return c.json(result, 200);
    },
  );
}
