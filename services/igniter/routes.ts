/** `/api/v1/triggers…`: CRUD, enable/disable, history and schedule preview. */
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../runtime/auth.ts";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import { decodePageToken, encodePageToken, errorResponses, PageQuery } from "../../runtime/http/schemas.ts";
import type { Igniter } from "./igniter.ts";
import { CreateTriggerSchema, FiringSchema, TriggerSchema, UpdateTriggerSchema } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const NameParam = z.object({ name: z.string().min(1).describe("trigger name or TRN") });
const Preview = z.object({ fireTimes: z.array(z.string()), timezone: z.string() }).meta({
  id: "SchedulePreview",
});
const CountQuery = z.object({ count: z.coerce.number().int().min(1).max(100).default(5) });

export function mountTriggerRoutes(app: ApiApp, igniter: Igniter): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/triggers",
      tags: ["triggers"],
      summary: "Create a trigger (schedule, webhook or event rule); disabled unless enabled: true",
      request: { body: { required: true, ...json(CreateTriggerSchema) } },
      responses: { 201: { description: "Created", ...json(TriggerSchema) }, ...errorResponses },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await igniter.create(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/triggers",
      tags: ["triggers"],
      summary: "List triggers",
      request: { query: PageQuery.extend({ type: z.enum(["schedule", "webhook", "event"]).optional() }) },
      responses: {
        200: {
          description: "Triggers",
          ...json(z.object({ items: z.array(TriggerSchema), nextToken: z.string().optional() })),
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const after = decodePageToken<{ after: string }>(q.nextToken)?.after;
      const items = igniter.list(tenant, { type: q.type, after, limit: q.limit + 1 });
      const more = items.length > q.limit;
      const page = items.slice(0, q.limit);
      return c.json({
        items: page,
        ...(more ? { nextToken: encodePageToken({ after: page[page.length - 1].name }) } : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/triggers/preview",
      tags: ["triggers"],
      summary: "Preview the next fire times of a schedule config that is not stored",
      request: {
        body: {
          required: true,
          ...json(z.strictObject({
            config: z.record(z.string(), z.unknown()),
            count: z.number().int().min(1).max(100).default(5),
          })),
        },
      },
      responses: { 200: { description: "Fire times", ...json(Preview) }, ...errorResponses },
    }),
    async (c) => {
      const { tenant } = who(c);
      const body = c.req.valid("json");
      return c.json(await igniter.preview(tenant, { config: body.config }, body.count), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/triggers/{name}",
      tags: ["triggers"],
      summary: "Get a trigger",
      request: { params: NameParam },
      responses: { 200: { description: "Trigger", ...json(TriggerSchema) }, ...errorResponses },
    }),
    (c) => {
      const { tenant } = who(c);
      return c.json(igniter.view(igniter.row(tenant, c.req.valid("param").name)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/v1/triggers/{name}",
      tags: ["triggers"],
      summary: "Update a trigger (only the fields given change)",
      request: { params: NameParam, body: { required: true, ...json(UpdateTriggerSchema) } },
      responses: { 200: { description: "Updated", ...json(TriggerSchema) }, ...errorResponses },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await igniter.update(tenant, c.req.valid("param").name, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/triggers/{name}",
      tags: ["triggers"],
      summary: "Delete a trigger with its history",
      request: { params: NameParam },
      responses: { 200: { description: "Deleted", ...json(TriggerSchema) }, ...errorResponses },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(igniter.delete(tenant, c.req.valid("param").name), 200);
    },
  );

  for (const action of ["enable", "disable"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/api/v1/triggers/{name}/${action}`,
        tags: ["triggers"],
        summary: action === "enable" ? "Enable a trigger (it needs a target)" : "Disable a trigger",
        request: { params: NameParam },
        responses: { 200: { description: "The trigger", ...json(TriggerSchema) }, ...errorResponses },
      }),
      async (c) => {
        const { principal, tenant } = who(c);
        requireRole(principal, "operator");
        return c.json(await igniter.setEnabled(tenant, c.req.valid("param").name, action === "enable"), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/triggers/{name}/history",
      tags: ["triggers"],
      summary: "Firings of a trigger, newest first: time, target execution id, outcome",
      request: {
        params: NameParam,
        query: PageQuery.extend({
          status: z.enum([
            "pending",
            "retrying",
            "dispatched",
            "succeeded",
            "failed",
            "timed_out",
            "dead_lettered",
            "skipped",
          ])
            .optional(),
        }),
      },
      responses: {
        200: {
          description: "Firings",
          ...json(z.object({ items: z.array(FiringSchema), nextToken: z.string().optional() })),
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const before = decodePageToken<{ before: string }>(q.nextToken)?.before;
      const items = igniter.history(tenant, c.req.valid("param").name, {
        before,
        limit: q.limit + 1,
        status: q.status,
      });
      const more = items.length > q.limit;
      const page = items.slice(0, q.limit);
      return c.json({
        items: page,
        ...(more ? { nextToken: encodePageToken({ before: page[page.length - 1].id }) } : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/triggers/{name}/preview",
      tags: ["triggers"],
      summary: "The next fire times of a schedule trigger",
      request: { params: NameParam, query: CountQuery },
      responses: { 200: { description: "Fire times", ...json(Preview) }, ...errorResponses },
    }),
    async (c) => {
      const { tenant } = who(c);
      return c.json(
        await igniter.preview(tenant, { name: c.req.valid("param").name }, c.req.valid("query").count),
        200,
      );
    },
  );
}
