/** REST: /api/v1/connectors, /api/v1/connections..., /api/v1/actions..., /api/v1/openact/execute. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireRole } from "../../runtime/auth.ts";
import { type ApiApp, who } from "../../runtime/http/app.ts";
import { decodePageToken, encodePageToken, errorResponses as errors } from "../../runtime/http/schemas.ts";
import type { ConnectorRegistry } from "./connectors/registry.ts";
import type { OpenAct } from "./service.ts";
import {
  ActionSchema,
  AdHocBody,
  ConnectionSchema,
  ConnectorInfoSchema,
  CreateActionBody,
  CreateConnectionBody,
  ExecuteBody,
  ExecuteResultSchema,
  ListQuery,
  page,
  TestResultSchema,
  UpdateActionBody,
  UpdateConnectionBody,
} from "./schemas.ts";
import type { ConnectorInfo } from "./types.ts";

const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const Ref = z.object({ ref: z.string().min(1).describe("Name or TRN") });

function paged<T>(rows: T[], limit: number, key: (row: T) => string) {
  const items = rows.slice(0, limit);
  return {
    items,
    ...(rows.length > limit ? { nextToken: encodePageToken({ after: key(items.at(-1)!) }) } : {}),
  };
}

export async function connectorInfo(
  registry: ConnectorRegistry,
  kind: string,
  full: boolean,
): Promise<ConnectorInfo> {
  const selected = registry.isSelected(kind);
  if (!selected || !full) return { kind, selected };
  const c = await registry.get(kind);
  return {
    kind,
    selected,
    description: c.description,
    settings: z.toJSONSchema(c.settingsSchema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >,
    operations: Object.fromEntries(
      Object.entries(c.operations).map(([name, op]) => [name, {
        description: op.description,
        input: z.toJSONSchema(op.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
      }]),
    ),
  };
}

export function mountRoutes(app: ApiApp, openact: OpenAct, registry: ConnectorRegistry) {
  const tags = ["openact"];

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/connectors",
      tags,
      summary: "Connector kinds and whether this build includes them",
      responses: { 200: json(z.object({ items: z.array(ConnectorInfoSchema) })), ...errors },
    }),
    async (c) =>
      c.json(
        { items: await Promise.all(registry.kinds().map((k) => connectorInfo(registry, k, false))) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/connectors/{kind}",
      tags,
      summary: "A connector's settings and operations as JSON Schema",
      request: { params: z.object({ kind: z.string() }) },
      responses: { 200: json(ConnectorInfoSchema), ...errors },
    }),
    async (c) => {
      const kind = c.req.valid("param").kind;
      await registry.get(kind);
      return c.json(await connectorInfo(registry, kind, true), 200);
    },
  );

  // ---- connections ----
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/connections",
      tags,
      summary: "Create a connection (settings + CredVault credential reference)",
      request: body(CreateConnectionBody),
      responses: { 201: json(ConnectionSchema, "Created"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await openact.createConnection(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/connections",
      tags,
      summary: "List connections",
      request: { query: ListQuery },
      responses: { 200: json(page(ConnectionSchema)), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const after = decodePageToken<{ after: string }>(q.nextToken)?.after;
      const rows = openact.store.listConnections(tenant, { kind: q.kind, after, limit: q.limit + 1 });
      return c.json(paged(rows, q.limit, (r) => r.name), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/connections/{ref}",
      tags,
      summary: "Get a connection (never the credential's value)",
      request: { params: Ref },
      responses: { 200: json(ConnectionSchema), ...errors },
    }),
    (c) => c.json(openact.getConnection(who(c).tenant, c.req.valid("param").ref), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/connections/{ref}",
      tags,
      summary: "Update a connection's settings, credential or description",
      request: { params: Ref, ...body(UpdateConnectionBody) },
      responses: { 200: json(ConnectionSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(
        await openact.updateConnection(tenant, c.req.valid("param").ref, c.req.valid("json")),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/connections/{ref}",
      tags,
      summary: "Delete a connection (refused while actions use it)",
      request: { params: Ref },
      responses: { 200: json(ConnectionSchema, "Deleted"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await openact.deleteConnection(tenant, c.req.valid("param").ref), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/connections/{ref}/test",
      tags,
      summary: "Check a connection live (connect + a trivial round trip)",
      request: { params: Ref },
      responses: { 200: json(TestResultSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(
        await openact.testConnection(tenant, c.req.valid("param").ref) as z.infer<typeof TestResultSchema>,
        200,
      );
    },
  );

  // ---- actions ----
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/actions",
      tags,
      summary: "Create an action (an operation on a connection with an input schema)",
      request: body(CreateActionBody),
      responses: { 201: json(ActionSchema, "Created"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await openact.createAction(tenant, c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/actions",
      tags,
      summary: "List actions",
      request: { query: ListQuery },
      responses: { 200: json(page(ActionSchema)), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      const q = c.req.valid("query");
      const after = decodePageToken<{ after: string }>(q.nextToken)?.after;
      const rows = openact.store.listActions(tenant, {
        kind: q.kind,
        connection: q.connection,
        after,
        limit: q.limit + 1,
      });
      return c.json(paged(rows, q.limit, (r) => `${r.kind}.${r.name}`), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/actions/{ref}",
      tags,
      summary: "Get an action by KIND.NAME or TRN",
      request: { params: Ref },
      responses: { 200: json(ActionSchema), ...errors },
    }),
    (c) => c.json(openact.getAction(who(c).tenant, c.req.valid("param").ref), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/actions/{ref}",
      tags,
      summary: "Replace an action's definition",
      request: { params: Ref, ...body(UpdateActionBody) },
      responses: { 200: json(ActionSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(await openact.updateAction(tenant, c.req.valid("param").ref, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/actions/{ref}",
      tags,
      summary: "Delete an action",
      request: { params: Ref },
      responses: { 200: json(ActionSchema, "Deleted"), ...errors },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(openact.deleteAction(tenant, c.req.valid("param").ref), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/actions/{ref}/execute",
      tags,
      summary: "Execute an action with input",
      request: {
        params: Ref,
        body: { required: false, content: { "application/json": { schema: ExecuteBody } } },
      },
      responses: { 200: json(ExecuteResultSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const req = c.req.valid("json") ?? {};
      const action = openact.getAction(tenant, c.req.valid("param").ref);
      const result = await openact.executeAction(tenant, action, req.input, {
        timeoutMs: req.timeoutMs,
        signal: c.req.raw.signal,
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/openact/execute",
      tags,
      summary: "Execute an operation on a connection ad hoc (no stored action)",
      request: body(AdHocBody),
      responses: { 200: json(ExecuteResultSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(
        await openact.executeAdHoc(tenant, c.req.valid("json"), { signal: c.req.raw.signal }),
        200,
      );
    },
  );
}
