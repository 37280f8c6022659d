/** REST: /api/v1/event-sources — subscriptions whose messages become events for Igniter. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireRole } from "../../../runtime/auth.ts";
import { type ApiApp, who } from "../../../runtime/http/app.ts";
import { decodePageToken, encodePageToken, errorResponses as errors } from "../../../runtime/http/schemas.ts";
import { CreateEventSourceBody, EventSourceSchema, ListEventSourcesQuery } from "./schemas.ts";
import type { EventSources } from "./sources.ts";

const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const Ref = z.object({ ref: z.string().min(1).describe("Name or event-source TRN") });
const tags = ["openact"];

export function mountEventSourceRoutes(app: ApiApp, sources: EventSources): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/event-sources",
      tags,
      summary: "Create an event source: subscribe on a redis/rabbitmq/mqtt/nats connection and feed Igniter",
      request: {
        body: { required: true, content: { "application/json": { schema: CreateEventSourceBody } } },
      },
      responses: { 201: json(EventSourceSchema, "Created"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sources.create(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/event-sources",
      tags,
      summary: "List event sources with their live status",
      request: { query: ListEventSourcesQuery },
      responses: {
        200: json(z.object({ items: z.array(EventSourceSchema), nextToken: z.string().optional() })),
        ...errors,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const after = decodePageToken<{ after: string }>(q.nextToken)?.after;
      const rows = sources.list(tenant, {
        kind: q.kind,
        connection: q.connection,
        after,
        limit: q.limit + 1,
      });
      const items = rows.slice(0, q.limit);
      return c.json({
        items,
        ...(rows.length > q.limit ? { nextToken: encodePageToken({ after: items.at(-1)!.name }) } : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/event-sources/{ref}",
      tags,
      summary: "Get an event source: status, lastError, messageCount",
      request: { params: Ref },
      responses: { 200: json(EventSourceSchema), ...errors },
    }),
    (c) => c.json(sources.get(who(c).tenant, c.req.valid("param").ref), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/event-sources/{ref}",
      tags,
      summary: "Delete an event source (its subscription stops first)",
      request: { params: Ref },
      responses: { 200: json(EventSourceSchema, "Deleted"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sources.delete(tenant, c.req.valid("param").ref), 200);
    },
  );

  for (const [verb, enabled] of [["enable", true], ["disable", false]] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/api/v1/event-sources/{ref}/${verb}`,
        tags,
        summary: enabled ? "Enable an event source (subscribe now)" : "Disable an event source (unsubscribe)",
        request: { params: Ref },
        responses: { 200: json(EventSourceSchema), ...errors },
      }),
      async (c) => {
        const { principal, tenant } = who(c);
        requireRole(principal, "operator");
        return c.json(await sources.setEnabled(tenant, c.req.valid("param").ref, enabled), 200);
      },
    );
  }
}
