/**
 * MongoDB settings/operation schemas and the mappings between JSON and BSON: inputs are
 * Extended JSON (`{"$oid": …}`, `{"$date": …}` become ObjectId/Date), results are relaxed
 * Extended JSON, so ids and dates survive a JSON round trip. Tested without a server.
 */
import { z } from "zod";
import type { MongoClientOptions } from "mongodb";
import { userPass } from "./shared/validate.ts";

export const settingsSchema = z.strictObject({
  hosts: z.array(z.string().regex(/^[^\s,/]+:\d{1,5}$/, "use host:port")).min(1).default(["127.0.0.1:27017"]),
  database: z.string().min(1).max(63).regex(/^[^\s./"$\\]+$/, "not a valid database name"),
  user: z.string().min(1).optional().describe("the password is the credential"),
  authSource: z.string().min(1).default("admin"),
  tls: z.boolean().default(false),
  replicaSet: z.string().min(1).optional(),
  directConnection: z.boolean().optional(),
  maxPoolSize: z.int().min(1).max(500).default(10),
  serverSelectionTimeoutMs: z.int().min(100).max(120_000).default(10_000),
  appName: z.string().max(128).default("aionix-openact"),
});
export type MongoSettings = z.output<typeof settingsSchema>;

const collection = z.string().min(1).max(255).regex(/^(?!system\.)[^$\0]+$/, "not a usable collection name");
const doc = z.record(z.string(), z.unknown());
const filter = doc.default({}).describe('query filter in Extended JSON, e.g. {"_id": {"$oid": "…"}}');

export const findInput = z.strictObject({
  collection,
  filter,
  projection: doc.optional(),
  sort: z.record(z.string(), z.union([z.literal(1), z.literal(-1)])).optional(),
  limit: z.int().min(1).max(10_000).default(100),
  skip: z.int().min(0).default(0),
});

export const mongoOperations = {
  find: {
    description: "Find documents (Extended JSON filter, projection, sort, limit, skip)",
    input: findInput,
  },
  findOne: {
    description: "Find one document, or null",
    input: z.strictObject({ collection, filter, projection: doc.optional() }),
  },
  insertOne: { description: "Insert one document", input: z.strictObject({ collection, document: doc }) },
  insertMany: {
    description: "Insert documents (ordered: stop at the first error)",
    input: z.strictObject({
      collection,
      documents: z.array(doc).min(1).max(10_000),
      ordered: z.boolean().default(true),
    }),
  },
  updateOne: {
    description: "Update the first matching document with update operators or a pipeline",
    input: z.strictObject({
      collection,
      filter,
      update: z.union([doc, z.array(doc)]).refine(
        (u) => Array.isArray(u) || Object.keys(u).every((k) => k.startsWith("$")),
        'use update operators such as {"$set": {...}} (or a pipeline array)',
      ),
      upsert: z.boolean().default(false),
    }),
  },
  deleteMany: {
    description: "Delete the matching documents (an empty filter deletes all)",
    input: z.strictObject({ collection, filter: doc }),
  },
  aggregate: {
    description: "Run an aggregation pipeline",
    input: z.strictObject({
      collection,
      pipeline: z.array(doc).max(1000),
      allowDiskUse: z.boolean().default(false),
      maxDocuments: z.int().min(1).max(100_000).default(10_000),
    }),
  },
};

/** The connection string carries hosts and options only; the password goes in `auth`. */
export function mongoClientConfig(
  s: MongoSettings,
  credential: unknown,
): { uri: string; options: MongoClientOptions } {
  const cred = userPass(credential);
  const username = cred.username ?? s.user;
  const options: MongoClientOptions = {
    appName: s.appName,
    tls: s.tls,
    maxPoolSize: s.maxPoolSize,
    serverSelectionTimeoutMS: s.serverSelectionTimeoutMs,
    connectTimeoutMS: Math.min(s.serverSelectionTimeoutMs, 10_000),
    ...(s.replicaSet ? { replicaSet: s.replicaSet } : {}),
    ...(s.directConnection !== undefined ? { directConnection: s.directConnection } : {}),
    ...(username
      ? { auth: { username, password: cred.password ?? cred.token }, authSource: s.authSource }
      : {}),
  };
  return { uri: `mongodb://${s.hosts.join(",")}/`, options };
}

type Ejson = {
  deserialize(v: unknown, o?: { relaxed?: boolean }): unknown;
  serialize(v: unknown, o?: { relaxed?: boolean }): unknown;
};

async function ejson(): Promise<Ejson> {
  const { BSON } = await import("mongodb");
  return BSON.EJSON as unknown as Ejson;
}

/** Extended JSON input → BSON values (ObjectId, Date, Decimal128, …). */
export async function toBson<T>(value: T): Promise<T> {
  return (await ejson()).deserialize(value, { relaxed: true }) as T;
}

/** BSON values → relaxed Extended JSON (JSON-serialisable). */
export async function fromBson(value: unknown): Promise<unknown> {
  return (await ejson()).serialize(value, { relaxed: true });
}
