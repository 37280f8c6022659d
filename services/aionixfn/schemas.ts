/** Request and response schemas of the AionixFn API (zod → validation and OpenAPI). */
import { z } from "zod";
import { SECRET_STAGES } from "./secrets.ts";

const SECRET_NAME_RE = /^[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/;
const SECRET_TRN_RE = /^trn:credvault:[a-z0-9-]{1,63}:credential\/[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/;
const REF_MESSAGE =
  "secretRef is a CredVault secret name (segments of letters, digits and _.@- joined by '/') or trn:credvault:TENANT:credential/NAME";
const FORM =
  'use a string or {"secretRef": "NAME" or a trn:credvault:… TRN, "stage"?: "current"|"pending"|"previous"}';

export const SecretRefSchema = z.strictObject({
  secretRef: z.string({ error: REF_MESSAGE }).max(512, REF_MESSAGE).refine(
    (s) => SECRET_NAME_RE.test(s) || SECRET_TRN_RE.test(s),
    REF_MESSAGE,
  ).describe("A CredVault secret name, or its trn:credvault:… TRN"),
  stage: z.enum(SECRET_STAGES, { error: "stage is one of current, pending, previous" }).optional(),
}).meta({ id: "SecretRef" });

/** An env value: a plain string, or a reference to a CredVault secret resolved at invocation. */
export const EnvValueSchema = z.union([z.string().max(4096), SecretRefSchema], { error: FORM });

export const FN_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const ALIAS_RE = /^(?!\d+$)[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const FnName = z.string().regex(FN_NAME_RE, "use 1-64 letters, digits, '-' or '_'");
export const AliasName = z.string().regex(
  ALIAS_RE,
  "an alias starts with a letter, then up to 63 letters, digits, '-' or '_' (not a version number)",
);

const Destination = z.string().regex(
  /^(fn:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,64})?|wf:[A-Za-z0-9_.-]{1,128}|event)$/,
  "use fn:NAME[:qualifier], wf:NAME or event",
);

export const Permissions = z.strictObject({
  net: z.array(
    z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/, "use host or host:port"),
  )
    .max(64).default([]).describe("Hosts the function may connect to, e.g. api.example.com:443"),
  env: z.array(z.string().regex(ENV_NAME_RE, "an environment variable name")).max(64).default([])
    .describe("Server environment variables the function may read"),
  read: z.array(z.string().regex(/^\/[^\0]*$/, "must be an absolute path")).max(64).default([])
    .describe("Absolute paths the function may read"),
});

const Env = z.record(z.string().regex(ENV_NAME_RE, "an environment variable name"), EnvValueSchema)
  .refine((e) => Object.keys(e).length <= 64, "at most 64 variables");

const Files = z.record(z.string().min(1).max(256), z.string())
  .refine((f) => Object.keys(f).length <= 1000, "at most 1000 files");

const fields = {
  runtime: z.enum(["deno", "python"]),
  code: z.string().min(1).max(1024 * 1024).describe("Inline module source"),
  files: Files.describe("A bundle as {path: utf-8 content}"),
  zip: z.string().min(1).describe("A bundle as a base64 .zip archive"),
  handler: z.string().min(1).max(256).describe(
    "Deno: 'export' (inline) or 'file.ts#export'; Python: 'function' (inline) or 'module.function'",
  ),
  timeout: z.number().min(0.05).max(900).describe("Seconds"),
  memory: z.number().int().min(32).max(4096).describe("MB"),
  env: Env,
  permissions: Permissions,
  description: z.string().max(256),
  reservedConcurrency: z.number().int().min(0).max(10_000).nullable(),
  destinations: z.strictObject({ onSuccess: Destination.optional(), onFailure: Destination.optional() }),
  maxRetries: z.number().int().min(0).max(2).describe("Retries of a failed async invocation"),
};

export const CreateFunction = z.strictObject({
  name: FnName,
  runtime: fields.runtime,
  code: fields.code.optional(),
  files: fields.files.optional(),
  zip: fields.zip.optional(),
  handler: fields.handler.optional(),
  timeout: fields.timeout.default(3),
  memory: fields.memory.default(128),
  env: fields.env.default({}),
  permissions: fields.permissions.prefault({}),
  description: fields.description.default(""),
  reservedConcurrency: fields.reservedConcurrency.default(null),
  destinations: fields.destinations.default({}),
  maxRetries: fields.maxRetries.default(2),
}).meta({ id: "CreateFunction" });

export const UpdateFunction = z.strictObject({
  runtime: fields.runtime.optional(),
  code: fields.code.optional(),
  files: fields.files.optional(),
  zip: fields.zip.optional(),
  handler: fields.handler.optional(),
  timeout: fields.timeout.optional(),
  memory: fields.memory.optional(),
  env: fields.env.optional(),
  permissions: fields.permissions.optional(),
  description: fields.description.optional(),
  reservedConcurrency: fields.reservedConcurrency.optional(),
  destinations: fields.destinations.optional(),
  maxRetries: fields.maxRetries.optional(),
}).meta({ id: "UpdateFunction" });

export const PublishVersion = z.strictObject({
  description: z.string().max(256).optional(),
}).meta({ id: "PublishVersion" });

const VersionRef = z.string().regex(/^(\d{1,9}|\$LATEST)$/, "a version number or $LATEST");

export const CreateAlias = z.strictObject({
  name: AliasName,
  version: VersionRef,
  description: z.string().max(256).default(""),
}).meta({ id: "CreateAlias" });

export const UpdateAlias = z.strictObject({
  version: VersionRef.optional(),
  description: z.string().max(256).optional(),
}).meta({ id: "UpdateAlias" });

export const TrafficWeights = z.record(VersionRef, z.number().min(0).max(1))
  .describe('Weights by version summing to 1, at most two versions, e.g. {"3": 0.9, "4": 0.1}')
  .meta({ id: "TrafficWeights" });

const ErrorBody = z.object({ errorType: z.string(), errorMessage: z.string(), stack: z.array(z.string()) });

const RunConfig = {
  runtime: z.enum(["deno", "python"]),
  handler: z.string(),
  timeout: z.number(),
  memory: z.number(),
  env: z.record(z.string(), z.union([z.string(), SecretRefSchema])),
  permissions: z.object({ net: z.array(z.string()), env: z.array(z.string()), read: z.array(z.string()) }),
  description: z.string(),
  codeHash: z.string(),
  codeSize: z.number(),
  trn: z.string(),
  createdAt: z.string(),
};

export const FunctionSchema = z.object({
  name: z.string(),
  ...RunConfig,
  codeKind: z.enum(["inline", "files"]),
  reservedConcurrency: z.number().nullable(),
  destinations: z.object({ onSuccess: z.string().optional(), onFailure: z.string().optional() }),
  maxRetries: z.number(),
  latestVersion: z.number().nullable(),
  updatedAt: z.string(),
  code: z.unknown().optional(),
}).meta({ id: "Function" });

export const VersionSchema = z.object({ version: z.number(), ...RunConfig }).meta({ id: "FunctionVersion" });

export const AliasSchema = z.object({
  name: z.string(),
  trn: z.string(),
  functionName: z.string(),
  version: z.string(),
  weights: z.record(z.string(), z.number()).nullable(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "FunctionAlias" });

export const InvokeResultSchema = z.object({
  requestId: z.string(),
  functionTrn: z.string(),
  version: z.string(),
  status: z.enum(["succeeded", "failed"]),
  result: z.unknown().optional(),
  error: ErrorBody.optional(),
  durationMs: z.number(),
  billedDurationMs: z.number(),
  maxMemoryMb: z.number(),
  memoryMb: z.number(),
  coldStart: z.boolean(),
  logs: z.array(z.string()).optional(),
}).meta({ id: "InvokeResult" });

export const AsyncInvocationSchema = z.object({
  requestId: z.string(),
  functionName: z.string(),
  qualifier: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  attempts: z.number(),
  maxAttempts: z.number(),
  version: z.string().optional(),
  result: z.unknown().optional(),
  error: ErrorBody.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "AsyncInvocation" });

export const LogEntrySchema = z.object({
  seq: z.number(),
  time: z.string(),
  functionName: z.string(),
  version: z.string(),
  requestId: z.string(),
  level: z.string(),
  message: z.string(),
}).meta({ id: "FunctionLogEntry" });
