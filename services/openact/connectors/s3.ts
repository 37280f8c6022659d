/**
 * s3: put/get/list/delete objects and presigned URLs on AWS S3 or any S3-compatible store
 * (MinIO, ...). Credential: {accessKeyId, secretAccessKey, sessionToken?}. One client per
 * connection revision; every call honours the timeout and the caller's signal.
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { abortError, deadlineSignal } from "../net/common.ts";
import { PoolCache } from "./shared/pool.ts";
import type { S3Client } from "@aws-sdk/client-s3";

const KIND = "s3";

const Settings = z.strictObject({
  region: z.string().min(1).default("us-east-1"),
  endpoint: z.url().optional().describe("S3-compatible endpoint, e.g. http://127.0.0.1:9000 for MinIO"),
  forcePathStyle: z.boolean().default(false).describe("bucket in the path (MinIO) instead of the host name"),
  bucket: z.string().min(1).optional().describe("Default bucket"),
});
type Settings = z.infer<typeof Settings>;

const Bucket = z.string().min(1).optional().describe("Defaults to the connection's bucket");
const Key = z.string().min(1).max(1024);
const ops = {
  putObject: z.strictObject({
    bucket: Bucket,
    key: Key,
    body: z.string().optional(),
    bodyBase64: z.string().optional(),
    json: z.unknown().optional(),
    contentType: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }).refine((v) => [v.body, v.bodyBase64, v.json].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of body, bodyBase64 or json",
    path: ["body"],
  }),
  getObject: z.strictObject({
    bucket: Bucket,
    key: Key,
    responseType: z.enum(["text", "base64", "json"]).default("text"),
  }),
  headObject: z.strictObject({ bucket: Bucket, key: Key }),
  listObjects: z.strictObject({
    bucket: Bucket,
    prefix: z.string().optional(),
    delimiter: z.string().optional(),
    maxKeys: z.number().int().min(1).max(1000).default(1000),
    continuationToken: z.string().optional(),
  }),
  deleteObject: z.strictObject({ bucket: Bucket, key: Key }),
  presign: z.strictObject({
    bucket: Bucket,
    key: Key,
    method: z.enum(["GET", "PUT"]).default("GET"),
    expiresIn: z.number().int().min(1).max(7 * 24 * 3600).default(900).describe("Seconds"),
    contentType: z.string().optional().describe("For PUT: the Content-Type the uploader must send"),
  }),
};

let sdk: typeof import("@aws-sdk/client-s3") | undefined;
const load = async () => (sdk ??= await import("@aws-sdk/client-s3"));

const clients = new PoolCache<S3Client>((c) => c.destroy());

function credentials(connection: ResolvedConnection) {
  const c = connection.credential as Record<string, unknown> | undefined;
  const accessKeyId = c?.accessKeyId ?? c?.access_key_id;
  const secretAccessKey = c?.secretAccessKey ?? c?.secret_access_key;
  if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string") {
    throw new ConnectorError(
      KIND,
      "the connection's credential must be a generic secret {accessKeyId, secretAccessKey, sessionToken?}",
      "MissingCredential",
    );
  }
  const sessionToken = typeof c?.sessionToken === "string" ? c.sessionToken : undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function client(connection: ResolvedConnection): Promise<S3Client> {
  return clients.get(connection, async () => {
    const { S3Client } = await load();
    const s = connection.settings as Settings;
    return new S3Client({
      region: s.region,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      forcePathStyle: s.forcePathStyle,
      credentials: credentials(connection),
      maxAttempts: 2,
      // S3-compatible stores often reject the newer default CRC checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  });
}

const bucketOf = (connection: ResolvedConnection, bucket?: string) => {
  const b = bucket ?? (connection.settings as Settings).bucket;
  if (!b) {
    throw new ValidationError([{
      path: "/input/bucket",
      message: "give a bucket or set one on the connection",
    }]);
  }
  return b;
};

const toBase64 = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

function mapError(err: unknown): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === "NoSuchKey" || e?.name === "NotFound") {
    return new ConnectorError(KIND, "object not found", "NoSuchKey");
  }
  if (e?.name === "NoSuchBucket") return new ConnectorError(KIND, "bucket not found", "NoSuchBucket");
  return new ConnectorError(KIND, `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`, e?.name);
}

async function run(
  connection: ResolvedConnection,
  operation: string,
  input: Record<string, unknown>,
  options: ExecuteOptions,
) {
  const s3 = await load();
  const c = await client(connection);
  const Bucket = bucketOf(connection, input.bucket as string | undefined);
  const Key = input.key as string;
  const { signal, timedOut } = deadlineSignal(options.signal, options.timeoutMs);
  // deno-lint-ignore no-explicit-any
  const send = async <T>(command: any): Promise<T> => {
    try {
      return await c.send(command, { abortSignal: signal }) as T;
    } catch (err) {
      if (signal.aborted) throw abortError(KIND, timedOut(), options.timeoutMs, options.signal, err);
      throw mapError(err);
    }
  };
  switch (operation) {
    case "putObject": {
      const body = input.json !== undefined
        ? JSON.stringify(input.json)
        : input.body !== undefined
        ? input.body as string
        : Uint8Array.from(atob(input.bodyBase64 as string), (ch) => ch.charCodeAt(0));
      const contentType = (input.contentType as string | undefined) ??
        (input.json !== undefined
          ? "application/json"
          : input.body !== undefined
          ? "text/plain; charset=utf-8"
          : "application/octet-stream");
      const r = await send<{ ETag?: string; VersionId?: string }>(
        new s3.PutObjectCommand({
          Bucket,
          Key,
          Body: body,
          ContentType: contentType,
          Metadata: input.metadata as Record<string, string>,
        }),
      );
      return { bucket: Bucket, key: Key, etag: r.ETag ?? null, versionId: r.VersionId ?? null };
    }
    case "getObject": {
      const r = await send<
        {
          Body?: { transformToByteArray(): Promise<Uint8Array> };
          ContentType?: string;
          ETag?: string;
          ContentLength?: number;
          Metadata?: Record<string, string>;
          LastModified?: Date;
        }
      >(
        new s3.GetObjectCommand({ Bucket, Key }),
      );
      const bytes = r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      let body: unknown;
      if (input.responseType === "base64") body = toBase64(bytes);
      else {
        const text = new TextDecoder().decode(bytes);
        if (input.responseType === "json") {
          try {
            body = JSON.parse(text);
          } catch {
            throw new ConnectorError(KIND, `object ${Key} is not valid JSON`, "NotJson");
          }
        } else body = text;
      }
      return {
        bucket: Bucket,
        key: Key,
        contentType: r.ContentType ?? null,
        size: bytes.length,
        etag: r.ETag ?? null,
        metadata: r.Metadata ?? {},
        lastModified: r.LastModified?.toISOString() ?? null,
        body,
      };
    }
    case "headObject": {
      const r = await send<
        {
          ContentType?: string;
          ContentLength?: number;
          ETag?: string;
          Metadata?: Record<string, string>;
          LastModified?: Date;
        }
      >(
        new s3.HeadObjectCommand({ Bucket, Key }),
      );
      return {
        bucket: Bucket,
        key: Key,
        contentType: r.ContentType ?? null,
        size: r.ContentLength ?? null,
        etag: r.ETag ?? null,
        metadata: r.Metadata ?? {},
        lastModified: r.LastModified?.toISOString() ?? null,
      };
    }
    case "listObjects": {
      const r = await send<{
        Contents?: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }[];
        CommonPrefixes?: { Prefix?: string }[];
        IsTruncated?: boolean;
        NextContinuationToken?: string;
      }>(
        new s3.ListObjectsV2Command({
          Bucket,
          Prefix: input.prefix as string | undefined,
          Delimiter: input.delimiter as string | undefined,
          MaxKeys: input.maxKeys as number,
          ContinuationToken: input.continuationToken as string | undefined,
        }),
      );
      return {
        bucket: Bucket,
        items: (r.Contents ?? []).map((o) => ({
          key: o.Key,
          size: o.Size ?? 0,
          etag: o.ETag ?? null,
          lastModified: o.LastModified?.toISOString() ?? null,
        })),
        prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix),
        nextContinuationToken: r.IsTruncated ? r.NextContinuationToken ?? null : null,
      };
    }
    case "deleteObject":
      await send(new s3.DeleteObjectCommand({ Bucket, Key }));
      return { bucket: Bucket, key: Key, deleted: true };
    case "presign": {
      const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
      const command = input.method === "PUT"
        ? new s3.PutObjectCommand({ Bucket, Key, ContentType: input.contentType as string | undefined })
        : new s3.GetObjectCommand({ Bucket, Key });
      // deno-lint-ignore no-explicit-any
      const url = await getSignedUrl(c as any, command as any, { expiresIn: input.expiresIn as number });
      return {
        url,
        method: input.method,
        expiresAt: new Date(Date.now() + (input.expiresIn as number) * 1000).toISOString(),
      };
    }
  }
  throw new ConnectorError(KIND, `unknown operation '${operation}'`);
}

const connector: Connector = {
  kind: KIND,
  description: "S3 and S3-compatible object storage (MinIO): objects, listings, presigned URLs",
  settingsSchema: Settings,
  operations: {
    putObject: { description: "Upload an object from text, base64 or JSON", input: ops.putObject },
    getObject: { description: "Download an object as text, base64 or JSON", input: ops.getObject },
    headObject: { description: "An object's size, type, ETag and metadata", input: ops.headObject },
    listObjects: {
      description: "List objects (ListObjectsV2) with prefix and pagination",
      input: ops.listObjects,
    },
    deleteObject: { description: "Delete an object", input: ops.deleteObject },
    presign: { description: "A presigned GET or PUT URL", input: ops.presign },
  },
  async test(connection, options) {
    const r = await run(connection, "listObjects", { maxKeys: 1 }, options) as { bucket: string };
    return { ok: true, bucket: r.bucket };
  },
  execute: (connection, operation, input, options) =>
    run(connection, operation, input as Record<string, unknown>, options),
  close: async (trn) => {
    await clients.close(trn);
  },
};

export default connector;
