/** Request/response schemas of StepFlow's REST API (also its OpenAPI document). */
import { z } from "zod";
import { PageQuery } from "../../../runtime/http/schemas.ts";

export const Json = z.unknown();

export const TemplateSchema = z.object({
  name: z.string(),
  trn: z.string(),
  version: z.number(),
  description: z.string(),
  dsl: Json.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "StepFlowTemplate" });

export const CreateTemplate = z.strictObject({
  name: z.string().min(1).max(128),
  dsl: Json,
  description: z.string().max(4096).optional(),
});
export const UpdateTemplate = z.strictObject({ dsl: Json, description: z.string().max(4096).optional() });

export const Diagnostic = z.object({
  severity: z.enum(["error", "warning"]),
  code: z.string(),
  message: z.string(),
  path: z.string(),
});
export const ValidateBody = z.strictObject({ dsl: Json });
export const ValidateResult = z.object({ valid: z.boolean(), diagnostics: z.array(Diagnostic) });

export const ExecutionSchema = z.object({
  id: z.string(),
  trn: z.string(),
  template: z.string(),
  version: z.number(),
  name: z.string(),
  kind: z.enum(["durable", "express"]),
  status: z.enum(["running", "succeeded", "failed", "cancelled", "timed_out"]),
  input: Json,
  output: Json.optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  parentExecutionId: z.string().optional(),
  redriveCount: z.number().optional(),
}).meta({ id: "StepFlowExecution" });

export const StartBody = z.strictObject({
  input: Json.optional(),
  mode: z.enum(["async", "sync"]).optional(),
  kind: z.enum(["durable", "express"]).optional(),
  name: z.string().min(1).max(256).optional(),
  version: z.number().int().min(1).optional(),
  timeoutSeconds: z.number().positive().max(3600).optional(),
});

export const EventSchema = z.object({
  seq: z.number(),
  type: z.string(),
  timestamp: z.string(),
  statePath: z.string(),
  stateName: z.string().optional(),
  stateType: z.string().optional(),
  input: Json.optional(),
  output: Json.optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  details: z.record(z.string(), Json).optional(),
}).meta({ id: "StepFlowEvent" });

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "use an ISO 8601 date-time")
  .transform((s) => new Date(s).toISOString());

export const ExecutionQuery = PageQuery.extend({
  status: z.enum(["running", "succeeded", "failed", "cancelled", "timed_out"]).optional(),
  template: z.string().optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  /** durable (default): the database; express: the in-memory ring of recent express executions. */
  kind: z.enum(["durable", "express"]).optional(),
});

export const TestStateBody = z.strictObject({
  definition: z.record(z.string(), Json),
  input: Json.optional(),
  vars: z.record(z.string(), Json).optional(),
  mock: z.union([
    z.strictObject({ result: Json }),
    z.strictObject({ error: z.string().min(1), cause: z.string().optional() }),
  ]).optional(),
});

export const TestStateResult = z.object({
  status: z.enum(["succeeded", "failed", "caught", "retriable", "running"]),
  output: Json.optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  nextState: z.string().optional(),
  vars: z.record(z.string(), Json),
  steps: z.array(z.object({ name: z.string(), data: Json })),
});

export const TaskSuccess = z.strictObject({ output: Json.optional() });
export const TaskFailure = z.strictObject({
  error: z.string().min(1).max(256).optional(),
  cause: z.string().max(32_768).optional(),
});
export const TaskAck = z.object({ executionId: z.string(), statePath: z.string() });
