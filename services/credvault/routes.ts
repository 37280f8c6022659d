/** CredVault's HTTP API under /api/v1/secrets (plus the admin master-key rotation). */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { ForbiddenError } from "../../runtime/errors.ts";
import { hasRole, requireRole, type Role } from "../../runtime/auth.ts";
import { type ApiApp, type ApiContext, who } from "../../runtime/http/app.ts";
import { errorResponses as errors } from "../../runtime/http/schemas.ts";
import { auditSource } from "../../runtime/audit/mod.ts";
import type { CredVault } from "./vault.ts";
import type { Rotator } from "./rotation.ts";
import { randomPassword } from "./password.ts";
import { rotateMasterKey } from "./master_rotation.ts";
import * as S from "./schemas.ts";

const TAG = ["secrets"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

export function mountRoutes(app: ApiApp, vault: CredVault, rotator: Rotator) {
  /** The caller's tenant and audit identity, after checking the role (a refusal is audited). */
  const gate = (c: ApiContext, action: string, name: string, role: Role = "operator") => {
    const { principal, tenant } = who(c);
    const actor = auditSource(c);
    if (!hasRole(principal, role)) {
      vault.deny(
        action,
        tenant,
        name,
        actor,
        new ForbiddenError(
          `this needs the ${role} role; the token '${principal.name}' has ${principal.role}`,
        ),
      );
    }
    return { tenant, actor };
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets/random-password",
      tags: TAG,
      summary: "Generate a random password (not stored)",
      request: body(S.PasswordBody),
      responses: { 200: json(z.object({ password: z.string() }), "A random password"), ...errors },
    }),
    (c) => c.json({ password: randomPassword(c.req.valid("json")) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets",
      tags: TAG,
      summary: "Create a secret with its first (current) version; the value is never returned",
      request: body(S.CreateSecret),
      responses: { 201: json(S.SecretSchema, "Created"), ...errors },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const { tenant, actor } = gate(c, "secret.create", input.name);
      return c.json(await vault.create(tenant, input, actor), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/secrets",
      tags: TAG,
      summary: "List secrets (metadata only, never values)",
      request: { query: S.ListQuery },
      responses: {
        200: json(z.object({ items: z.array(S.SecretSchema), nextToken: z.string().optional() }), "Secrets"),
        ...errors,
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json(vault.list(who(c).tenant, { ...q, includeDeleted: q.includeDeleted === "true" }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/secrets/{name}",
      tags: TAG,
      summary: "Describe a secret (metadata, stages, rotation, certificate expiry; never the value)",
      request: { params: S.NameParam },
      responses: { 200: json(S.SecretSchema, "The secret"), ...errors },
    }),
    (c) => c.json(vault.get(who(c).tenant, c.req.valid("param").name), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/v1/secrets/{name}",
      tags: TAG,
      summary: "Change a secret's description, tags or rotation configuration",
      request: { params: S.NameParam, ...body(S.UpdateSecret) },
      responses: { 200: json(S.SecretSchema, "Updated"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { tenant, actor } = gate(c, "secret.update", name);
      return c.json(await vault.update(tenant, name, c.req.valid("json"), actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/secrets/{name}",
      tags: TAG,
      summary:
        "Schedule a secret for deletion after a recovery window (default 7 days), or delete it now with force=true",
      request: { params: S.NameParam, query: S.DeleteQuery },
      responses: { 200: json(S.DeletedSchema, "Deleted or scheduled"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const q = c.req.valid("query");
      const { tenant, actor } = gate(c, "secret.delete", name);
      return c.json(
        await vault.delete(tenant, name, {
          recoveryWindowDays: q.recoveryWindowDays,
          force: q.force === "true",
        }, actor),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets/{name}/restore",
      tags: TAG,
      summary: "Cancel a scheduled deletion",
      request: { params: S.NameParam },
      responses: { 200: json(S.SecretSchema, "Restored"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { tenant, actor } = gate(c, "secret.restore", name);
      return c.json(await vault.restore(tenant, name, actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets/{name}/reveal",
      tags: TAG,
      summary: "Decrypt and return a secret value (operator role; audited)",
      request: {
        params: S.NameParam,
        body: { required: false, content: { "application/json": { schema: S.RevealBody } } },
      },
      responses: { 200: json(S.RevealedSchema, "The value"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { tenant, actor } = gate(c, "secret.reveal", name);
      const sel = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      c.header("cache-control", "no-store");
      return c.json(await vault.reveal(tenant, name, sel ?? {}, actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/secrets/{name}/versions",
      tags: TAG,
      summary: "List a secret's versions with their stages and states (no values)",
      request: { params: S.NameParam },
      responses: { 200: json(z.object({ items: z.array(S.VersionSchema) }), "Versions"), ...errors },
    }),
    (c) => c.json({ items: vault.versions(who(c).tenant, c.req.valid("param").name) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets/{name}/versions",
      tags: TAG,
      summary: "Store a new immutable version (stage current by default, or pending, or none)",
      request: { params: S.NameParam, ...body(S.PutVersion) },
      responses: { 201: json(S.VersionSchema, "The new version"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { value, stage } = c.req.valid("json");
      const { tenant, actor } = gate(c, "secret.put-version", name);
      return c.json(await vault.putVersion(tenant, name, value, stage, actor), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/secrets/{name}/stages/{stage}",
      tags: TAG,
      summary: "Move a stage to a version; moving current demotes the old current to previous",
      request: { params: S.StageParam, ...body(S.MoveStage) },
      responses: { 200: json(S.SecretSchema, "The secret"), ...errors },
    }),
    async (c) => {
      const { name, stage } = c.req.valid("param");
      const { tenant, actor } = gate(c, "secret.stage", name);
      return c.json(await vault.moveStage(tenant, name, stage, c.req.valid("json").versionId, actor), 200);
    },
  );

  for (const [action, state] of [["retire", "retired"], ["activate", "active"]] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/api/v1/secrets/{name}/versions/{versionId}/${action}`,
        tags: TAG,
        summary: action === "retire"
          ? "Retire a version: it can no longer be read or staged (not the current one)"
          : "Re-activate a retired version",
        request: { params: S.VersionParam },
        responses: { 200: json(S.VersionSchema, "The version"), ...errors },
      }),
      async (c) => {
        const { name, versionId } = c.req.valid("param");
        const { tenant, actor } = gate(c, `secret.${action}`, name);
        return c.json(await vault.setState(tenant, name, versionId, state, actor), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/secrets/{name}/rotate",
      tags: TAG,
      summary: "Rotate: with a value (pending, then promoted), or through the rotation function's four steps",
      request: {
        params: S.NameParam,
        body: { required: false, content: { "application/json": { schema: S.RotateBody } } },
      },
      responses: { 200: json(S.RotationResultSchema, "Rotated"), ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { tenant, actor } = gate(c, "secret.rotate", name);
      const input = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      return c.json(await rotator.rotate(tenant, name, input ?? {}, actor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/admin/master-key/rotate",
      tags: ["admin"],
      summary: "Re-wrap every data key with a new master key, without downtime (admin of all tenants)",
      request: { body: { required: false, content: { "application/json": { schema: S.MasterKeyBody } } } },
      responses: { 200: json(S.MasterKeyResult, "Rotated"), ...errors },
    }),
    async (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "admin");
      if (principal.scope !== "*") {
        throw new ForbiddenError("rotating the master key needs an admin token for all tenants ('*')");
      }
      const input = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      return c.json(
        await vault.audited(
          "master-key.rotate",
          tenant,
          "credvault:master-key",
          auditSource(c),
          () => rotateMasterKey(vault, input?.newKey),
          (r) => ({ rewrapped: r.rewrapped, source: r.source }),
        ),
        200,
      );
    },
  );
}
