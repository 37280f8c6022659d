/** zod schemas of CredVault's HTTP API (they also drive /api/openapi.json). */
import { z } from "zod";
import { SECRET_TYPES, STAGES } from "./types.ts";

export const NameParam = z.object({
  name: z.string().min(1).max(2048).describe("Secret name or full TRN, URL-encoded (a '/' in a name is %2F)"),
});
export const VersionParam = NameParam.extend({ versionId: z.string().min(1).max(64) });
export const StageParam = NameParam.extend({ stage: z.enum(STAGES) });

const Tags = z.record(
  z.string().regex(/^[A-Za-z0-9_.:/=+@-]{1,128}$/, "tag keys use letters, digits and _.:/=+@- (1-128)"),
  z.string().max(256),
).refine((t) => Object.keys(t).length <= 50, "at most 50 tags");

export const RotationSchema = z.strictObject({
  function: z.string().min(1).max(256).optional().describe(
    "AionixFn function run through create/set/test/finish",
  ),
  every: z.string().optional().describe("Rotate on a fixed interval: '30d', '12h', '90m'"),
  cron: z.string().optional().describe("Rotate on a cron schedule (UTC), e.g. '0 3 * * 0'"),
}).meta({ id: "RotationConfig" });

const Value = z.unknown().describe(
  "The secret value: a string for api_key/password/certificate (PEM); an object for oauth_token " +
    "{accessToken, refreshToken?, expiresAt?|expiresIn?, tokenType?, scope?} and generic (any JSON); a JSON string is accepted for those too",
);

export const CreateSecret = z.strictObject({
  name: z.string().min(1).max(256).describe("Name: segments of [A-Za-z0-9_.@-] joined by '/'"),
  type: z.enum(SECRET_TYPES).default("password"),
  value: Value,
  description: z.string().max(1024).optional(),
  tags: Tags.optional(),
  rotation: RotationSchema.optional(),
}).meta({ id: "CreateSecret" });

export const UpdateSecret = z.strictObject({
  description: z.string().max(1024).optional(),
  tags: Tags.optional(),
  rotation: RotationSchema.nullable().optional().describe("null removes the rotation configuration"),
}).meta({ id: "UpdateSecret" });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
  type: z.enum(SECRET_TYPES).optional(),
  prefix: z.string().max(256).optional().describe("Only names starting with this"),
  includeDeleted: z.enum(["true", "false"]).optional().describe("Also list secrets scheduled for deletion"),
});

export const DeleteQuery = z.object({
  recoveryWindowDays: z.coerce.number().int().optional().describe(
    "Days before the secret is purged (1-30, default 7)",
  ),
  force: z.enum(["true", "false"]).optional().describe("Delete now, without a recovery window"),
});

export const RevealBody = z.strictObject({
  stage: z.enum(STAGES).optional().describe("Which stage to read (default current)"),
  versionId: z.string().min(1).max(64).optional(),
}).meta({ id: "RevealSecret" });

export const PutVersion = z.strictObject({
  value: Value,
  stage: z.enum(["current", "pending", "none"]).default("current"),
}).meta({ id: "PutSecretVersion" });

export const MoveStage = z.strictObject({ versionId: z.string().min(1).max(64) }).meta({
  id: "MoveSecretStage",
});

export const RotateBody = z.strictObject({
  value: Value.optional().describe(
    "The new value; without it the rotation function runs (or a random value is generated for password/api_key)",
  ),
}).meta({ id: "RotateSecret" });

export const PasswordBody = z.strictObject({
  length: z.number().int().min(4).max(4096).default(32),
  excludeCharacters: z.string().max(256).optional(),
  excludeNumbers: z.boolean().optional(),
  excludePunctuation: z.boolean().optional(),
  excludeUppercase: z.boolean().optional(),
  excludeLowercase: z.boolean().optional(),
  includeSpace: z.boolean().optional(),
  requireEachIncludedType: z.boolean().optional(),
}).meta({ id: "RandomPasswordRequest" });

export const MasterKeyBody = z.strictObject({
  newKey: z.string().optional().describe("base64 of 32 bytes; omitted: the server generates one"),
}).meta({ id: "RotateMasterKey" });

const Certificate = z.object({
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  expired: z.boolean(),
});
const OAuth = z.object({
  expiresAt: z.string().optional(),
  tokenType: z.string().optional(),
  scope: z.string().optional(),
  hasRefreshToken: z.boolean(),
});
const Stages = z.object({
  current: z.string().optional(),
  pending: z.string().optional(),
  previous: z.string().optional(),
});

export const SecretSchema = z.object({
  name: z.string(),
  trn: z.string(),
  type: z.enum(SECRET_TYPES),
  description: z.string(),
  tags: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  stages: Stages,
  versionCount: z.number(),
  rotation: RotationSchema.optional(),
  nextRotationAt: z.string().optional(),
  lastRotatedAt: z.string().optional(),
  lastRotation: z.object({
    status: z.enum(["succeeded", "failed"]),
    at: z.string(),
    versionId: z.string(),
    step: z.string().optional(),
    error: z.string().optional(),
  }).optional(),
  certificate: Certificate.optional(),
  oauth: OAuth.optional(),
  deletedAt: z.string().optional(),
  purgeAt: z.string().optional(),
}).meta({ id: "Secret" });

export const VersionSchema = z.object({
  versionId: z.string(),
  seq: z.number(),
  stages: z.array(z.enum(STAGES)),
  state: z.enum(["active", "retired"]),
  createdAt: z.string(),
  createdBy: z.string(),
  certificate: Certificate.optional(),
  oauth: OAuth.optional(),
}).meta({ id: "SecretVersion" });

export const RevealedSchema = z.object({
  name: z.string(),
  trn: z.string(),
  type: z.enum(SECRET_TYPES),
  versionId: z.string(),
  stages: z.array(z.enum(STAGES)),
  value: z.unknown(),
}).meta({ id: "RevealedSecret" });

export const DeletedSchema = z.object({
  name: z.string(),
  trn: z.string(),
  deletedAt: z.string(),
  purgeAt: z.string().optional(),
  purged: z.boolean(),
}).meta({ id: "DeletedSecret" });

export const RotationResultSchema = z.object({
  name: z.string(),
  trn: z.string(),
  versionId: z.string(),
  method: z.enum(["value", "function", "generated"]),
}).meta({ id: "RotationResult" });

export const MasterKeyResult = z.object({
  rewrapped: z.number(),
  source: z.enum(["env", "file"]),
  file: z.string().optional(),
  newKey: z.string().optional(),
  message: z.string(),
});
