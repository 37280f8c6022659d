/**
 * ParamStore's HTTP API. A parameter path travels URL-encoded as one segment
 * (`/api/v1/params/%2Fapp%2Fdb%2Fhost`), so sub-resources (`/history`, `/labels`, …) never clash
 * with path segments; `GET /api/v1/params?path=/app&recursive=true` lists a subtree.
 */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireRole } from "../../runtime/auth.ts";
import { type ApiApp, type ApiContext, who } from "../../runtime/http/app.ts";
import { errorResponses as errors } from "../../runtime/http/schemas.ts";
import { auditSource } from "../../runtime/audit/mod.ts";
import type { ParamService, ReadOptions } from "./params.ts";
import { exportTree, importTree } from "./transfer.ts";
import * as S from "./schemas.ts";

const TAG = ["params"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
/** Accepts `%2Fapp%2Fx`, `app%2Fx` or a TRN. */
const norm = (p: string) => (p.startsWith("/") || p.startsWith("trn:") ? p : "/" + p);

function readOptions(c: ApiContext, q: { raw?: string; withDecryption?: string }): ReadOptions {
  const withDecryption = q.withDecryption === "true";
  if (withDecryption) requireRole(who(c).principal, "operator");
  return { raw: q.raw === "true", withDecryption, actor: who(c).principal.tokenId };
}

function writer(c: ApiContext) {
  const { principal, tenant } = who(c);
  requireRole(principal, "operator");
  return { tenant, actor: auditSource(c) };
}

const CONTENT_TYPES = {
  env: "text/plain; charset=utf-8",
  json: "application/json",
  yaml: "application/yaml",
};

export function mountRoutes(app: ApiApp, params: ParamService) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/params",
      tags: TAG,
      summary: "Get parameters by path: the children of `path` (or every level with recursive=true)",
      request: { query: S.ListQuery },
      responses: {
        200: json(
          z.object({ items: z.array(S.ParamSchema), nextToken: z.string().optional() }),
          "Parameters",
        ),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const options = readOptions(c, q);
      return c.json(
        await params.list(who(c).tenant, q.path, {
          limit: q.limit,
          nextToken: q.nextToken,
          type: q.type,
          label: q.label,
          ...options,
          recursive: q.recursive === "true",
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/params/{path}",
      tags: TAG,
      summary: "Set a parameter: every change is a new version",
      request: { params: S.PathParam, ...body(S.PutParam) },
      responses: { 200: json(S.ParamSchema, "The new version"), ...errors },
    }),
    (c) => {
      const { tenant, actor } = writer(c);
      return c.json(params.put(tenant, norm(c.req.valid("param").path), c.req.valid("json"), actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/params/{path}",
      tags: TAG,
      summary: "Get a parameter (latest, ':N' or ':label'), evaluated unless raw=true",
      request: { params: S.PathParam, query: S.ReadQuery },
      responses: { 200: json(S.ParamSchema, "The parameter"), ...errors },
    }),
    async (c) => {
      const options = readOptions(c, c.req.valid("query"));
      if (options.withDecryption) c.header("cache-control", "no-store");
      return c.json(await params.read(who(c).tenant, norm(c.req.valid("param").path), options), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/params/{path}",
      tags: TAG,
      summary: "Delete a parameter with all its versions and labels",
      request: { params: S.PathParam },
      responses: {
        200: json(z.object({ path: z.string(), trn: z.string(), deleted: z.literal(true) }), "Deleted"),
        ...errors,
      },
    }),
    (c) => {
      const { tenant, actor } = writer(c);
      return c.json(params.delete(tenant, norm(c.req.valid("param").path), actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/params/{path}/history",
      tags: TAG,
      summary: "A parameter's versions, newest first (stored sources, labels)",
      request: {
        params: S.PathParam,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          nextToken: z.string().optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(S.ParamVersionSchema), nextToken: z.string().optional() }),
          "History",
        ),
        ...errors,
      },
    }),
    (c) => c.json(params.history(who(c).tenant, norm(c.req.valid("param").path), c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/params/{path}/labels",
      tags: TAG,
      summary: "Attach labels to a version (default latest); a label on another version moves here",
      request: { params: S.PathParam, ...body(S.LabelBody) },
      responses: {
        200: json(z.object({ path: z.string(), version: z.number(), labels: z.array(z.string()) }), "Labels"),
        ...errors,
      },
    }),
    (c) => {
      const { tenant, actor } = writer(c);
      const { version, labels } = c.req.valid("json");
      return c.json(params.label(tenant, norm(c.req.valid("param").path), version, labels, actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/params/{path}/labels/{label}",
      tags: TAG,
      summary: "Remove a label",
      request: { params: S.LabelParam },
      responses: {
        200: json(z.object({ path: z.string(), label: z.string(), removed: z.literal(true) }), "Removed"),
        ...errors,
      },
    }),
    (c) => {
      const { tenant, actor } = writer(c);
      const { path, label } = c.req.valid("param");
      return c.json(params.unlabel(tenant, norm(path), label, actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/params/{path}/rollback",
      tags: TAG,
      summary: "Roll back: a new version equal to an old one",
      request: { params: S.PathParam, ...body(S.RollbackBody) },
      responses: { 200: json(S.ParamSchema, "The new version"), ...errors },
    }),
    (c) => {
      const { tenant, actor } = writer(c);
      return c.json(
        params.rollback(tenant, norm(c.req.valid("param").path), c.req.valid("json").version, actor),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/params/{path}/export",
      tags: TAG,
      summary: "Export the subtree under path as .env, JSON or YAML (secret_refs are never decrypted)",
      request: { params: S.PathParam, query: S.ExportQuery },
      responses: {
        200: {
          description: "The document",
          content: {
            "text/plain": { schema: z.string() },
            "application/json": { schema: z.record(z.string(), z.unknown()) },
            "application/yaml": { schema: z.string() },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { format, raw } = c.req.valid("query");
      const text = await exportTree(params, who(c).tenant, norm(c.req.valid("param").path), {
        format,
        raw: raw === "true",
      });
      return c.body(text, 200, { "content-type": CONTENT_TYPES[format] }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/params/{path}/import",
      tags: TAG,
      summary: "Import a .env, JSON or YAML document under path (all or nothing; types inferred)",
      request: { params: S.PathParam, ...body(S.ImportBody) },
      responses: {
        200: json(z.object({ imported: z.number(), paths: z.array(z.string()) }), "Imported"),
        ...errors,
      },
    }),
    async (c) => {
      const { tenant, actor } = writer(c);
      return c.json(
        await importTree(params, tenant, norm(c.req.valid("param").path), c.req.valid("json"), actor),
        200,
      );
    },
  );
}
