/** HTTP routes for functions, versions and aliases. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import {
  decodePageToken,
  encodePageToken,
  errorResponses as errors,
  PageQuery,
} from "../../runtime/http/schemas.ts";
import { requireRole } from "../../runtime/auth.ts";
import { parseFunctionRef } from "./names.ts";
import {
  AliasName,
  AliasSchema,
  CreateAlias,
  CreateFunction,
  FunctionSchema,
  PublishVersion,
  TrafficWeights,
  UpdateAlias,
  UpdateFunction,
  VersionSchema,
} from "./schemas.ts";
import { type FnService, toAliasInfo, toVersionInfo } from "./service.ts";
import type { FnStore } from "./store.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const NameParam = z.object({ name: z.string().min(1).max(2048).describe("Function name or TRN") });
const AliasParams = NameParam.extend({ alias: AliasName });
const tags = ["functions"];

export function mountFunctionRoutes(app: ApiApp, deps: { service: FnService; store: FnStore }) {
  const { service, store } = deps;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/functions",
      tags,
      summary: "Create a function (its $LATEST draft)",
      request: body(CreateFunction),
      responses: { 201: json(FunctionSchema, "Created"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await service.create(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions",
      tags,
      summary: "List functions",
      request: { query: PageQuery },
      responses: {
        200: json(
          z.object({ items: z.array(FunctionSchema), nextToken: z.string().optional() }),
          "Functions",
        ),
        ...errors,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const { limit, nextToken } = c.req.valid("query");
      const after = decodePageToken<{ after: string }>(nextToken)?.after;
      const rows = store.listFunctions(tenant, limit + 1, after);
      const page = rows.slice(0, limit);
      return c.json({
        items: page.map((r) => service.info(tenant, r)),
        ...(rows.length > limit ? { nextToken: encodePageToken({ after: page[page.length - 1].name }) } : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}",
      tags,
      summary: "Get a function ($LATEST); ?code=true includes its code",
      request: { params: NameParam, query: z.object({ code: z.enum(["true", "false"]).optional() }) },
      responses: { 200: json(FunctionSchema, "The function"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(
        service.info(tenant, store.getFunction(tenant, name), c.req.valid("query").code === "true"),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/functions/{name}",
      tags,
      summary: "Update the $LATEST draft (code and/or configuration)",
      request: { params: NameParam, ...body(UpdateFunction) },
      responses: { 200: json(FunctionSchema, "Updated"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(await service.update(tenant, name, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/functions/{name}",
      tags,
      summary: "Delete a function with its versions, aliases and logs",
      request: { params: NameParam },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      await service.delete(tenant, name);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/functions/{name}/versions",
      tags,
      summary:
        "Publish an immutable version from the $LATEST draft (an unchanged draft returns the latest version)",
      request: {
        params: NameParam,
        body: { required: false, content: { "application/json": { schema: PublishVersion } } },
      },
      responses: {
        201: json(VersionSchema, "Published"),
        200: json(VersionSchema, "Unchanged draft"),
        ...errors,
      },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      const description = (c.req.valid("json") as { description?: string } | undefined)?.description;
      const { version, created } = service.publish(tenant, name, description);
      return c.json(version, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/versions",
      tags,
      summary: "List published versions",
      request: { params: NameParam, query: PageQuery },
      responses: {
        200: json(z.object({ items: z.array(VersionSchema), nextToken: z.string().optional() }), "Versions"),
        ...errors,
      },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.getFunction(tenant, name);
      const { limit, nextToken } = c.req.valid("query");
      const after = decodePageToken<{ after: number }>(nextToken)?.after ?? 0;
      const rows = store.listVersions(tenant, name, limit + 1, after);
      const page = rows.slice(0, limit);
      return c.json({
        items: page.map((v) => toVersionInfo(tenant, name, v)),
        ...(rows.length > limit
          ? { nextToken: encodePageToken({ after: page[page.length - 1].version }) }
          : {}),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/versions/{version}",
      tags,
      summary: "Get one published version",
      request: { params: NameParam.extend({ version: z.coerce.number().int().min(1) }) },
      responses: { 200: json(VersionSchema, "The version"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(
        toVersionInfo(tenant, name, store.getVersion(tenant, name, c.req.valid("param").version)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/functions/{name}/aliases",
      tags,
      summary: "Create an alias pointing at a version",
      request: { params: NameParam, ...body(CreateAlias) },
      responses: { 201: json(AliasSchema, "Created"), ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(service.createAlias(tenant, name, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/aliases",
      tags,
      summary: "List aliases",
      request: { params: NameParam },
      responses: { 200: json(z.object({ items: z.array(AliasSchema) }), "Aliases"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.getFunction(tenant, name);
      return c.json({ items: store.listAliases(tenant, name).map((a) => toAliasInfo(tenant, name, a)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/functions/{name}/aliases/{alias}",
      tags,
      summary: "Get an alias",
      request: { params: AliasParams },
      responses: { 200: json(AliasSchema, "The alias"), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(toAliasInfo(tenant, name, store.getAlias(tenant, name, c.req.valid("param").alias)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/functions/{name}/aliases/{alias}",
      tags,
      summary: "Repoint an alias (ends any traffic split) or change its description",
      request: { params: AliasParams, ...body(UpdateAlias) },
      responses: { 200: json(AliasSchema, "Updated"), ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(service.updateAlias(tenant, name, c.req.valid("param").alias, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/functions/{name}/aliases/{alias}",
      tags,
      summary: "Delete an alias",
      request: { params: AliasParams },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      store.deleteAlias(tenant, name, c.req.valid("param").alias);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/functions/{name}/aliases/{alias}/traffic",
      tags,
      summary: 'Split an alias\'s traffic across at most two versions, e.g. {"3": 0.9, "4": 0.1}',
      request: { params: AliasParams, ...body(TrafficWeights) },
      responses: { 200: json(AliasSchema, "Updated"), ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const { name } = parseFunctionRef(tenant, c.req.valid("param").name);
      return c.json(service.setTraffic(tenant, name, c.req.valid("param").alias, c.req.valid("json")), 200);
    },
  );
}
