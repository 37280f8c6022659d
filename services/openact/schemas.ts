/** zod schemas of OpenAct's REST bodies and answers (also the OpenAPI document). */
import { z } from "zod";

const Name = z.string().min(1).max(128);
const Json = z.record(z.string(), z.unknown());

export const ConnectionSchema = z.object({
  name: z.string(),
  trn: z.string(),
  kind: z.string(),
  description: z.string(),
  settings: Json,
  credential: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "Connection" });

export const CreateConnectionBody = z.strictObject({
  name: Name.describe("Unique in the tenant, e.g. github-api"),
  kind: z.string().min(1).describe("Connector kind: http, postgres, s3, ..."),
  description: z.string().max(1000).optional(),
  settings: Json.optional().describe("Connector settings (no secrets)"),
  credential: z.string().min(1).nullable().optional().describe("CredVault credential name or TRN"),
}).meta({ id: "CreateConnection" });

export const UpdateConnectionBody = z.strictObject({
  description: z.string().max(1000).optional(),
  settings: Json.optional(),
  credential: z.string().min(1).nullable().optional(),
}).meta({ id: "UpdateConnection" });

export const ActionSchema = z.object({
  name: z.string(),
  trn: z.string(),
  kind: z.string(),
  connection: z.string(),
  operation: z.string(),
  parameters: Json,
  inputSchema: Json.nullable(),
  description: z.string(),
  timeoutMs: z.number().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "Action" });

const actionFields = {
  connection: z.string().min(1).describe("Connection name or TRN; the action's kind is the connection's"),
  operation: z.string().min(1).describe("Connector operation, e.g. request, query, put-object"),
  parameters: Json.optional().describe("Fixed operation input; the caller's input is merged over it"),
  inputSchema: Json.nullable().optional().describe("JSON Schema for the caller's input"),
  description: z.string().max(1000).optional(),
  timeoutMs: z.number().int().min(1).max(900_000).nullable().optional(),
};

export const CreateActionBody = z.strictObject({ name: Name.describe("e.g. get-users"), ...actionFields })
  .meta({ id: "CreateAction" });
export const UpdateActionBody = z.strictObject(actionFields).meta({ id: "UpdateAction" });

export const ExecuteBody = z.strictObject({
  input: z.unknown().optional().describe("The action's input"),
  timeoutMs: z.number().int().min(1).max(900_000).optional(),
}).meta({ id: "ExecuteAction" });

export const AdHocBody = z.strictObject({
  connection: z.string().min(1),
  operation: z.string().min(1),
  input: z.unknown().optional(),
  timeoutMs: z.number().int().min(1).max(900_000).optional(),
}).meta({ id: "ExecuteAdHoc" });

export const ExecuteResultSchema = z.object({
  trn: z.string(),
  operation: z.string(),
  output: z.unknown(),
  durationMs: z.number(),
}).meta({ id: "ExecuteResult" });

export const TestResultSchema = z.object({
  connection: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  details: Json.optional(),
  error: z.string().optional(),
}).meta({ id: "ConnectionTest" });

export const ConnectorInfoSchema = z.object({
  kind: z.string(),
  selected: z.boolean(),
  description: z.string().optional(),
  operations: z.record(z.string(), z.object({ description: z.string(), input: Json })).optional(),
  settings: Json.optional(),
}).meta({ id: "Connector" });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
  kind: z.string().optional(),
  connection: z.string().optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextToken: z.string().optional() });
