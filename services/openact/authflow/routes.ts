/** AuthFlow REST: start, the public callback, status and refresh. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireRole } from "../../../runtime/auth.ts";
import { type ApiApp, who } from "../../../runtime/http/app.ts";
import { errorResponses as errors } from "../../../runtime/http/schemas.ts";
import type { OpenAct } from "../service.ts";
import type { AuthFlow } from "./authflow.ts";

export const CALLBACK_PATH = "/api/v1/authflow/callback";

const AuthStatusSchema = z.object({
  connection: z.string(),
  grant: z.string(),
  status: z.enum(["none", "pending", "authorized", "expired", "error"]),
  credential: z.string().nullable(),
  expiresAt: z.string().nullable(),
  scope: z.string().nullable(),
  hasRefreshToken: z.boolean(),
  lastAuthorizedAt: z.string().nullable(),
  lastRefreshAt: z.string().nullable(),
  lastError: z.string().nullable(),
}).meta({ id: "AuthStatus" });

const ConnBody = z.strictObject({
  connection: z.string().min(1).describe("Connection name or TRN"),
  redirectUri: z.url().optional().describe("Override the callback URL registered with the provider"),
});

const json = <T extends z.ZodType>(schema: T) => ({
  description: "OK",
  content: { "application/json": { schema } },
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function mountAuthFlowRoutes(app: ApiApp, openact: OpenAct, flow: AuthFlow, publicPaths: Set<string>) {
  publicPaths.add(CALLBACK_PATH);
  const tags = ["authflow"];

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/authflow/start",
      tags,
      summary:
        "Start OAuth2 for a connection: an authorize URL (code + PKCE) or a token now (client credentials)",
      request: { body: { required: true, content: { "application/json": { schema: ConnBody } } } },
      responses: {
        200: json(z.object({
          connection: z.string(),
          grant: z.string(),
          authorizeUrl: z.string().optional(),
          expiresAt: z.string().optional(),
          status: AuthStatusSchema.optional(),
        })),
        ...errors,
      },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const body = c.req.valid("json");
      const connection = openact.getConnection(tenant, body.connection);
      return c.json(await flow.start(tenant, connection, new URL(c.req.url).origin, body.redirectUri), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: CALLBACK_PATH,
      tags,
      summary: "OAuth2 redirect target (public): exchanges the code and stores the token in CredVault",
      security: [],
      request: {
        query: z.object({
          code: z.string().optional(),
          state: z.string().optional(),
          error: z.string().optional(),
          error_description: z.string().optional(),
        }),
      },
      responses: { 200: json(z.object({ connection: z.string(), status: z.string() })), ...errors },
    }),
    async (c) => {
      const done = await flow.callback(c.req.valid("query"));
      if ((c.req.header("accept") ?? "").includes("text/html")) {
        return c.html(
          `<!doctype html><title>Authorized</title><p>Connection <b>${
            escapeHtml(done.connection)
          }</b> is authorized. You can close this window.</p>`,
        ) as never;
      }
      return c.json({ connection: done.connection, status: "authorized" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/authflow/status/{ref}",
      tags,
      summary: "A connection's OAuth2 state (never the tokens)",
      request: { params: z.object({ ref: z.string().min(1) }) },
      responses: { 200: json(AuthStatusSchema), ...errors },
    }),
    (c) => {
      const { tenant } = who(c);
      return c.json(flow.status(tenant, openact.getConnection(tenant, c.req.valid("param").ref)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/authflow/refresh",
      tags,
      summary: "Refresh a connection's access token now",
      request: { body: { required: true, content: { "application/json": { schema: ConnBody } } } },
      responses: { 200: json(AuthStatusSchema), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      const connection = openact.getConnection(tenant, c.req.valid("json").connection);
      await flow.refresh(tenant, connection, c.req.raw.signal);
      return c.json(flow.status(tenant, openact.getConnection(tenant, connection.name)), 200);
    },
  );
}
