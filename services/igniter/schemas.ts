/** zod schemas for Igniter's API: one source for validation, types and the OpenAPI document. */
import { z } from "zod";
import { ValidationError } from "../../runtime/errors.ts";
import { zodIssues } from "../../runtime/http/problem.ts";
import type { EventConfig, ScheduleConfig, TriggerType, WebhookConfig } from "./types.ts";

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const TriggerName = z.string().regex(NAME_RE, {
  message: "use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit",
});
const BusName = z.string().regex(NAME_RE, {
  message: "an event bus name uses letters, digits, '_', '.' or '-'",
});

export const ScheduleConfigSchema = z.strictObject({
  cron: z.string().min(1).optional(),
  rate: z.string().min(1).optional(),
  at: z.string().min(1).optional(),
  expression: z.string().min(1).optional(),
  timezone: z.string().min(1).optional(),
  startAt: z.string().optional(),
  endAt: z.string().optional(),
  flexibleWindowMinutes: z.number().int().min(0).max(1440).optional(),
  missedFires: z.enum(["skip", "catch-up"]).optional(),
  catchUpWindowSeconds: z.number().int().min(1).max(7 * 86400).optional(),
  catchUpMaxFires: z.number().int().min(1).max(100).optional(),
  overlap: z.enum(["allow", "skip"]).optional(),
});

export const WebhookConfigSchema = z.strictObject({
  signature: z.strictObject({
    style: z.enum(["github", "stripe"]),
    secrets: z.array(z.string().min(1)).min(1).max(5)
      .describe("CredVault credential names or TRNs; during rotation list both, or rely on stages"),
    toleranceSeconds: z.number().int().min(1).max(3600).optional(),
  }).optional(),
  bearer: z.strictObject({ secret: z.string().min(1) }).optional(),
  deliveryIdHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
  dedupWindowSeconds: z.number().int().min(1).max(30 * 86400).optional(),
  mode: z.enum(["async", "sync"]).optional(),
  timeoutSeconds: z.number().min(0.1).max(300).optional(),
  allowUnauthenticated: z.boolean().optional(),
});

export const EventConfigSchema = z.strictObject({
  pattern: z.record(z.string(), z.unknown()),
  eventBus: BusName.optional(),
});

export const RetryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(185).default(3),
  maxEventAgeSeconds: z.number().int().min(1).max(86400).default(86400),
  intervalSeconds: z.number().min(0.01).max(3600).default(1),
  backoffRate: z.number().min(1).max(10).default(2),
});

export const DeadLetterSchema = z.union([
  z.strictObject({ target: z.string().min(1).describe("wf:NAME or a stepflow template TRN") }),
  z.strictObject({ eventBus: BusName }),
]);

export const TargetOptionsSchema = z.strictObject({
  kind: z.enum(["durable", "express"]).optional().describe(
    "workflow targets: express starts an express execution (no history, lowest latency); default durable",
  ),
}).meta({ id: "TargetOptions" });

const TriggerType = z.enum(["schedule", "webhook", "event"]);

export const CreateTriggerSchema = z.strictObject({
  name: TriggerName,
  type: TriggerType,
  target: z.string().min(1).optional().describe("wf:NAME, fn:NAME[:alias] or a stepflow/aionixfn TRN"),
  targetOptions: TargetOptionsSchema.nullable().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  inputTransform: z.unknown().optional().describe(
    "JSON template; strings '{% expr %}' are JSONata over the payload",
  ),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().optional().describe("default false: enable with POST …/enable once a target is set"),
  retryPolicy: RetryPolicySchema.partial().optional(),
  deadLetter: DeadLetterSchema.nullable().optional(),
}).meta({ id: "CreateTrigger" });

export const UpdateTriggerSchema = z.strictObject({
  target: z.string().min(1).optional(),
  targetOptions: TargetOptionsSchema.nullable().optional().describe("null removes them"),
  config: z.record(z.string(), z.unknown()).optional(),
  inputTransform: z.unknown().optional(),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().optional(),
  retryPolicy: RetryPolicySchema.partial().optional(),
  deadLetter: DeadLetterSchema.nullable().optional(),
}).meta({ id: "UpdateTrigger" });

export const TriggerSchema = z.object({
  name: z.string(),
  trn: z.string(),
  type: TriggerType,
  target: z.string().nullable(),
  targetOptions: z.object({ kind: z.enum(["durable", "express"]).optional() }).optional(),
  config: z.record(z.string(), z.unknown()),
  inputTransform: z.unknown().optional(),
  description: z.string(),
  enabled: z.boolean(),
  retryPolicy: z.object({
    maxAttempts: z.number(),
    maxEventAgeSeconds: z.number(),
    intervalSeconds: z.number(),
    backoffRate: z.number(),
  }),
  deadLetter: z.unknown().nullable(),
  webhookPath: z.string().optional(),
  nextFireAt: z.string().nullable().optional(),
  lastFireAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "Trigger" });

export const FiringSchema = z.object({
  id: z.string(),
  trigger: z.string(),
  source: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  target: z.string(),
  attempts: z.number(),
  scheduledAt: z.string().optional(),
  acceptedAt: z.string(),
  dispatchedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  executionId: z.string().optional(),
  runStatus: z.string().optional(),
  error: z.string().optional(),
  eventId: z.string().optional(),
  deliveryId: z.string().optional(),
}).meta({ id: "Firing" });

export const EventEntrySchema = z.strictObject({
  source: z.string().min(1).max(256),
  "detail-type": z.string().min(1).max(256).optional(),
  detailType: z.string().min(1).max(256).optional(),
  detail: z.unknown().optional(),
  time: z.iso.datetime({ offset: true }).optional(),
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/).optional(),
  resources: z.array(z.string().max(2048)).max(100).optional(),
  eventBus: BusName.optional(),
  version: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
});

export const PutEventsSchema = z.preprocess(
  (v) => (Array.isArray(v) ? { entries: v } : v),
  z.strictObject({ entries: z.array(EventEntrySchema).min(1).max(1000) }),
).meta({ id: "PutEvents" });

export const TestPatternSchema = z.strictObject({
  pattern: z.unknown(),
  event: z.record(z.string(), z.unknown()),
}).meta({ id: "TestPattern" });

/** Validates a trigger's type-specific config; issue paths start with /config. */
export function parseConfig(
  type: TriggerType,
  config: unknown,
): ScheduleConfig | WebhookConfig | EventConfig {
  const schema = type === "schedule"
    ? ScheduleConfigSchema
    : type === "webhook"
    ? WebhookConfigSchema
    : EventConfigSchema;
  const result = schema.safeParse(config ?? {});
  if (!result.success) throw new ValidationError(zodIssues(result.error, "/config"));
  return result.data;
}
