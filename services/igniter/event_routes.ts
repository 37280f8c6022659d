/** `/api/v1/events`: put events on a bus (durably matched before the answer) and test patterns. */
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../runtime/auth.ts";
import { BadRequestError } from "../../runtime/errors.ts";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import { errorResponses } from "../../runtime/http/schemas.ts";
import type { Igniter } from "./igniter.ts";
import { compilePattern } from "./pattern.ts";
import { parsePutEvents } from "./put_events.ts";
import { PutEventsSchema, TestPatternSchema } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const PutEventsResult = z.object({
  failedEntryCount: z.number(),
  entries: z.array(z.object({ eventId: z.string(), matchedRules: z.number() })),
}).meta({ id: "PutEventsResult" });

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
