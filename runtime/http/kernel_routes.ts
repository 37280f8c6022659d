/** Platform routes owned by the kernel: API tokens and admin operations (backup). */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { isAbsolute } from "node:path";
import { requireRole, ROLES, type TokenService } from "../auth.ts";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import type { Db } from "../storage/mod.ts";
import { type ApiApp, who } from "./app.ts";
import { errorResponses as errors } from "./schemas.ts";

const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  tenant: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
}).meta({ id: "Token" });

const CreateToken = z.strictObject({
  name: z.string().min(1).max(100).describe("A label for the token, e.g. 'ci'"),
  role: z.enum(ROLES).default("operator"),
  tenant: z.string().optional().describe(
    "Tenant the token is scoped to ('*' = all); default: the caller's tenant",
  ),
  expiresAt: z.iso.datetime().optional(),
}).meta({ id: "CreateToken" });

export function mountKernelRoutes(app: ApiApp, deps: { tokens: TokenService; db: Db }) {
  const { tokens, db } = deps;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/tokens",
      tags: ["tokens"],
      summary: "Create an API token (admin); the plaintext is returned once",
      request: { body: { required: true, content: { "application/json": { schema: CreateToken } } } },
      responses: {
        201: {
          description: "Created",
          content: { "application/json": { schema: z.object({ token: z.string(), info: TokenInfo }) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "admin");
      const body = c.req.valid("json");
      const target = body.tenant ?? tenant;
      if (principal.scope !== "*" && target !== principal.scope) {
        throw new ForbiddenError(
          `a token scoped to '${principal.scope}' can only create tokens for that tenant`,
        );
      }
      return c.json(await tokens.create({ ...body, tenant: target }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/tokens",
      tags: ["tokens"],
      summary: "List tokens (admin); never returns token values",
      responses: {
        200: {
          description: "Tokens",
          content: { "application/json": { schema: z.object({ items: z.array(TokenInfo) }) } },
        },
        ...errors,
      },
    }),
    (c) => {
      const { principal } = who(c);
      requireRole(principal, "admin");
      const items = tokens.list(principal.scope === "*" ? {} : { tenant: principal.scope });
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/tokens/{id}",
      tags: ["tokens"],
      summary: "Revoke a token (admin)",
      request: { params: z.object({ id: z.string().min(1) }) },
      responses: {
        200: { description: "Revoked", content: { "application/json": { schema: TokenInfo } } },
        ...errors,
      },
    }),
    (c) => {
      const { principal } = who(c);
      requireRole(principal, "admin");
      const id = c.req.valid("param").id;
      const info = tokens.get(id);
      if (principal.scope !== "*" && info.tenant !== principal.scope) throw new NotFoundError("token", id);
      return c.json(tokens.revoke(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/whoami",
      tags: ["tokens"],
      summary: "The calling token and the tenant this request runs in",
      responses: {
        200: {
          description: "Caller",
          content: {
            "application/json": {
              schema: z.object({
                tokenId: z.string(),
                name: z.string(),
                role: z.enum(ROLES),
                scope: z.string(),
                tenant: z.string(),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      return c.json({ ...principal, tenant }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/admin/backup",
      tags: ["admin"],
      summary: "Write a consistent copy of the database to a file on the server (VACUUM INTO)",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({
                path: z.string().min(1).describe("Absolute path of the new backup file"),
              }),
            },
          },
        },
      },
      responses: {
        200: {
          description: "Written",
          content: { "application/json": { schema: z.object({ path: z.string(), bytes: z.number() }) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { principal } = who(c);
      requireRole(principal, "admin");
      if (principal.scope !== "*") throw new ForbiddenError("backups need a token for all tenants ('*')");
      const { path } = c.req.valid("json");
      if (!isAbsolute(path)) throw new BadRequestError("path must be absolute (it is a path on the server)");
      try {
        await Deno.lstat(path);
        throw new ConflictError(`'${path}' already exists: choose a new file name`);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      try {
        db.backup(path);
      } catch (err) {
        throw new BadRequestError(`cannot write the backup to '${path}': ${(err as Error).message}`);
      }
      const { size } = await Deno.stat(path);
      return c.json({ path, bytes: size }, 200);
    },
  );
}
