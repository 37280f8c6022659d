/** Templates: create, update (new immutable version), get, list, delete, versions; validate; schema. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireRole } from "../../../runtime/auth.ts";
import { type ApiApp, who } from "../../../runtime/http/app.ts";
import { errorResponses as errors, PageQuery } from "../../../runtime/http/schemas.ts";
import { dslJsonSchema } from "../dsl/schema.ts";
import type { StepFlow } from "../service.ts";
import * as S from "./schemas.ts";

const TAG = ["stepflow"];
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
export const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const NameParam = z.object({ name: z.string().min(1) });

export function mountTemplateRoutes(app: ApiApp, sf: StepFlow) {
  let schema: Record<string, unknown> | undefined;
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/stepflow/schema",
      tags: TAG,
      summary: "The DSL's JSON Schema (generated from the zod schema)",
      responses: { 200: json(z.record(z.string(), z.unknown()), "JSON Schema"), ...errors },
    }),
    (c) => c.json(schema ??= dslJsonSchema(), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/stepflow/validate",
      tags: TAG,
      summary: "Validate a workflow definition and return diagnostics",
      request: body(S.ValidateBody),
      responses: { 200: json(S.ValidateResult, "Diagnostics"), ...errors },
    }),
    async (c) => {
      const r = await sf.validate(who(c).tenant, c.req.valid("json").dsl);
      return c.json({ valid: r.valid, diagnostics: r.diagnostics }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates",
      tags: TAG,
      summary: "Create a workflow template (version 1)",
      description: "`layout` (optional) stores Studio's node positions with the version: state path " +
        '("A", "Par/branch[0]/B", "Map/item[*]/C") → `{x, y}`, at most 10,000. It is presentational only: ' +
        "the engine and validation ignore it, and paths of states that do not exist are kept.",
      request: body(S.CreateTemplate),
      responses: { 201: json(S.TemplateSchema, "Created"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sf.createTemplate(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates",
      tags: TAG,
      summary: "List templates (without their DSL)",
      request: { query: PageQuery },
      responses: {
        200: json(
          z.object({ items: z.array(S.TemplateSchema), nextToken: z.string().optional() }),
          "Templates",
        ),
        ...errors,
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json(sf.listTemplates(who(c).tenant, q.limit, q.nextToken), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates/{name}",
      tags: TAG,
      summary: "Get a template with its DSL (latest, or ?version=N)",
      description: "`layout` is that version's stored node positions; absent when it was saved without one " +
        "(Studio then lays the graph out automatically).",
      request: { params: NameParam, query: z.object({ version: z.coerce.number().int().min(1).optional() }) },
      responses: { 200: json(S.TemplateSchema, "Template"), ...errors },
    }),
    (c) =>
      c.json(sf.getTemplate(who(c).tenant, c.req.valid("param").name, c.req.valid("query").version), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/templates/{name}",
      tags: TAG,
      summary: "Update a template: stores a new immutable version",
      description:
        "Each version keeps its own `layout` (Studio's node positions, as in POST). A PUT without " +
        "`layout` (or with `layout: null`) stores a version without one, which Studio lays out automatically: " +
        "the previous version's positions are not carried over, since they were drawn for a different DSL.",
      request: { params: NameParam, ...body(S.UpdateTemplate) },
      responses: { 200: json(S.TemplateSchema, "The new version"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await sf.updateTemplate(tenant, c.req.valid("param").name, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/templates/{name}",
      tags: TAG,
      summary: "Delete a template (running executions finish on their pinned version)",
      request: { params: NameParam },
      responses: { 200: json(S.TemplateSchema, "Deleted"), ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(sf.deleteTemplate(tenant, c.req.valid("param").name), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates/{name}/versions",
      tags: TAG,
      summary: "List a template's versions",
      request: { params: NameParam },
      responses: {
        200: json(
          z.object({
            items: z.array(z.object({ version: z.number(), createdAt: z.string(), description: z.string() })),
          }),
          "Versions",
        ),
        ...errors,
      },
    }),
    (c) => c.json(sf.versions(who(c).tenant, c.req.valid("param").name), 200),
  );
}
