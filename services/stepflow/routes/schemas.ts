/** Request/response schemas of StepFlow's REST API (also its OpenAPI document). */
import { z } from "zod";
import { PageQuery } from "../../../runtime/http/schemas.ts";

export const Json = z.unknown();

const MAX_LAYOUT_ENTRIES = 10_000;
const Coordinate = z.number({ error: "use a finite number" });
/**
 * Studio's node positions of one template version, by state path as the editor names states
 * ("A", "Par/branch[0]/B", "Map/item[*]/C"); positions inside a branch/processor are relative to
 * its box. Presentational only: the engine and validation ignore it; unknown paths are kept.
 */
const LayoutRecord = z.record(
  z.string().min(1).max(1024),
  z.strictObject({ x: Coordinate, y: Coordinate }),
  { error: (i) => i.code === "invalid_key" ? "a state path is 1-1024 characters" : undefined },
).refine(
  (l) => Object.keys(l).length <= MAX_LAYOUT_ENTRIES,
  `at most ${MAX_LAYOUT_ENTRIES} positions`,
);
const layoutDoc = 'Studio\'s node positions by state path ("A", "Par/branch[0]/B", "Map/item[*]/C"): ' +
  `at most ${MAX_LAYOUT_ENTRIES}, keys of 1-1024 characters, finite numbers. Presentational only.`;
export const Layout = LayoutRecord.meta({ id: "StepFlowLayout", description: layoutDoc });
/**
 * In a request: null (or no layout) stores the version without one. Inline rather than the
 * component: a nullable reference renders as an allOf that no null can satisfy.
 */
const LayoutInput = LayoutRecord.nullable().optional().meta({
  description: `${layoutDoc} null or absent: the version has no layout.`,
});

export const TemplateSchema = z.object({
  name: z.string(),
  trn: z.string(),
  version: z.number(),
  description: z.string(),
  dsl: Json.optional(),
  /** Only with the DSL, and only when the version was saved with one. */
  layout: Layout.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "StepFlowTemplate" });

export const CreateTemplate = z.strictObject({
  name: z.string().min(1).max(128),
  dsl: Json,
  description: z.string().max(4096).optional(),
  layout: LayoutInput,
});
export const UpdateTemplate = z.strictObject({
  dsl: Json,
  description: z.string().max(4096).optional(),
  layout: LayoutInput,
});

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
