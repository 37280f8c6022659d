/** `/api/v1/events`: put events on a bus (durably matched before the answer) and test patterns. */
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../runtime/auth.ts";
import { BadRequestError, ValidationError } from "../../runtime/errors.ts";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import { decodePageToken, encodePageToken, errorResponses, PageQuery } from "../../runtime/http/schemas.ts";
import type { Igniter } from "./igniter.ts";
import { compilePattern } from "./pattern.ts";
import { parsePutEvents } from "./put_events.ts";
import { PutEventsSchema, TestPatternSchema } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const PutEventsResult = z.object({
  failedEntryCount: z.number(),
  entries: z.array(z.object({ eventId: z.string(), matchedRules: z.number() })),
}).meta({ id: "PutEventsResult" });

const StoredEventSchema = z.object({
  id: z.string(),
  eventBus: z.string(),
  source: z.string(),
  detailType: z.string(),
  time: z.string(),
  receivedAt: z.string(),
  matchedRules: z.number(),
  resources: z.array(z.string()),
  detail: z.unknown(),
}).meta({ id: "StoredEvent" });

export function mountEventRoutes(app: ApiApp, igniter: Igniter): void {
  // Documented with the zod schema, validated by the precompiled check in put_events.ts.
  app.openAPIRegistry.registerPath(createRoute({
    method: "post",
    path: "/api/v1/events",
    tags: ["events"],
    summary: "Put a batch of EventBridge-shaped events; they are matched and stored before the answer",
    request: { body: { required: true, ...json(PutEventsSchema) } },
    responses: { 200: { description: "Accepted", ...json(PutEventsResult) }, ...errorResponses },
  }));
  app.post("/api/v1/events", async (c) => {
    const { principal, tenant } = who(c);
    requireRole(principal, "operator");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BadRequestError("the request body is not valid JSON: check quoting and commas");
    }
    const { result, rows } = igniter.events.put(tenant, parsePutEvents(body));
    igniter.dispatcher.submit(rows);
    return c.json(result, 200);
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/events",
      tags: ["events"],
      summary: "Events that arrived, newest first, matched or not (kept per [igniter] event_retention_*)",
      request: {
        query: PageQuery.extend({
          source: z.string().min(1).max(256).optional().describe("only events with this exact source"),
          detailType: z.string().min(1).max(256).optional().describe(
            "only events with this exact detail-type",
          ),
          eventBus: z.string().min(1).max(128).optional().describe("only events put on this bus"),
        }),
      },
      responses: {
        200: {
          description: "Events",
          ...json(z.object({ items: z.array(StoredEventSchema), nextToken: z.string().optional() })),
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const before = decodePageToken<{ before: string }>(q.nextToken)?.before;
      if (q.nextToken !== undefined && typeof before !== "string") {
        throw new ValidationError([{
          path: "/query/nextToken",
          message: "nextToken is not one this API returned: pass the nextToken of the previous page as is",
        }]);
      }
      const items = igniter.listEvents(tenant, {
        before,
        limit: q.limit + 1,
        source: q.source,
        detailType: q.detailType,
        eventBus: q.eventBus,
      });
      const more = items.length > q.limit;
      const page = items.slice(0, q.limit);
      return c.json({
        items: page.map(({ seq: _seq, ...e }) => e),
        ...(more ? { nextToken: encodePageToken({ before: page[page.length - 1].seq }) } : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/events/test-pattern",
      tags: ["events"],
      summary: "Check whether an event pattern matches an event",
      request: { body: { required: true, ...json(TestPatternSchema) } },
      responses: {
        200: { description: "Result", ...json(z.object({ result: z.boolean() })) },
        ...errorResponses,
      },
    }),
    (c) => {
      const { pattern, event } = c.req.valid("json");
      return c.json({ result: compilePattern(pattern, "/pattern")(event) }, 200);
    },
  );
}
