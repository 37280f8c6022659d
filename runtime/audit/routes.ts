/** `GET /api/v1/audit`: the audit log of the caller's tenant, newest first. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Db } from "../storage/mod.ts";
import type { Clock } from "../clock.ts";
import { requireRole } from "../auth.ts";
import { type ApiApp, who } from "../http/app.ts";
import { errorResponses } from "../http/schemas.ts";
import { auditLog } from "./mod.ts";

const AuditEntrySchema = z.object({
  id: z.string(),
  time: z.string(),
  tenant: z.string(),
  action: z.string(),
  resource: z.string(),
  outcome: z.enum(["success", "failure", "denied"]),
  actor: z.string().describe("Token id of the caller, or the internal service that acted"),
  source: z.string().describe("Remote address of the caller, or the internal service"),
  detail: z.record(z.string(), z.unknown()),
}).meta({ id: "AuditEntry" });

const AuditQuerySchema = z.object({
  resource: z.string().optional().describe("A resource TRN; end it with '*' to match a prefix"),
  action: z.string().optional().describe("e.g. secret.reveal, secret.create, param.put"),
  since: z.iso.datetime().optional().describe("Only entries at or after this time (ISO 8601)"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
});

export function mountAuditRoutes(app: ApiApp, deps: { db: Db; clock: Clock }) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/audit",
      tags: ["audit"],
      summary: "Query the audit log of the caller's tenant (operator), newest first",
      request: { query: AuditQuerySchema },
      responses: {
        200: {
          description: "Audit entries",
          content: {
            "application/json": {
              schema: z.object({ items: z.array(AuditEntrySchema), nextToken: z.string().optional() }),
            },
          },
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const { principal, tenant } = who(c);
      requireRole(principal, "operator");
      return c.json(auditLog(deps).query({ tenant, ...c.req.valid("query") }), 200);
    },
  );
}
