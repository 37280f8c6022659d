/** zod schemas of ParamStore's HTTP API (they also drive /api/openapi.json). */
import { z } from "zod";
import { PARAM_TYPES } from "./types.ts";

export const PathParam = z.object({
  path: z.string().min(1).max(2048).describe(
    "The parameter path URL-encoded as ONE segment (/app/db/host → %2Fapp%2Fdb%2Fhost), optionally " +
      "with ':N' (version) or ':label'; a full trn:paramstore:… TRN is accepted too",
  ),
});
export const LabelParam = PathParam.extend({ label: z.string().min(1).max(100) });

const bool = z.enum(["true", "false"]).optional();

export const ReadQuery = z.object({
  raw: bool.describe("Return a dynamic value's {% %} source instead of evaluating it"),
  withDecryption: bool.describe("Resolve secret_ref parameters to the secret value (operator role; audited)"),
});

export const ListQuery = ReadQuery.extend({
  path: z.string().default("/").describe("Subtree root, e.g. /app"),
  recursive: bool.describe("Include every level below path (default: direct children only)"),
  type: z.enum(PARAM_TYPES).optional(),
  label: z.string().optional().describe("Only parameters with this label, at the labelled version"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
});

export const PutParam = z.strictObject({
  value: z.unknown().describe(
    "The value (checked against the type), or a '{% JSONata %}' expression evaluated at read",
  ),
  type: z.enum(PARAM_TYPES).optional().describe("Default: the existing type, or string for a new parameter"),
  description: z.string().max(1024).optional(),
  allowedPattern: z.string().max(1024).nullable().optional().describe(
    "A regular expression plain values must match",
  ),
  overwrite: z.boolean().default(true).describe("false: fail with 409 if the parameter exists"),
}).meta({ id: "PutParam" });

export const LabelBody = z.strictObject({
  version: z.number().int().min(1).optional().describe("Default: the latest version"),
  labels: z.array(z.string()).min(1).max(10),
}).meta({ id: "LabelParam" });

export const RollbackBody = z.strictObject({
  version: z.number().int().min(1).describe("The version to copy into a new version"),
}).meta({ id: "RollbackParam" });

const Format = z.enum(["env", "json", "yaml"]);
export const ExportQuery = z.object({
  format: Format.default("json"),
  raw: bool.describe("Export {% %} sources instead of evaluated values"),
});
export const ImportBody = z.strictObject({
  format: Format,
  content: z.string().max(1024 * 1024),
  overwrite: z.boolean().default(true),
}).meta({ id: "ImportParams" });

export const ParamSchema = z.object({
  path: z.string(),
  trn: z.string(),
  type: z.enum(PARAM_TYPES),
  version: z.number(),
  value: z.unknown(),
  dynamic: z.boolean(),
  decrypted: z.boolean().optional(),
  labels: z.array(z.string()),
  description: z.string(),
  allowedPattern: z.string().optional(),
  lastModified: z.string(),
  lastModifiedBy: z.string(),
  error: z.string().optional(),
}).meta({ id: "Param" });

export const ParamVersionSchema = z.object({
  version: z.number(),
  type: z.enum(PARAM_TYPES),
  value: z.unknown(),
  labels: z.array(z.string()),
  description: z.string(),
  allowedPattern: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
}).meta({ id: "ParamVersion" });
