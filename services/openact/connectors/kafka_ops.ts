/**
 * Kafka settings/operation schemas and the pure mappings between JSON and kafkajs shapes
 * (driver config, messages in, messages and record metadata out). Kept apart from the client
 * code so they are tested without a broker.
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { KafkaConfig, KafkaMessage, Message, RecordMetadata } from "kafkajs";
import { ValidationError } from "../../../runtime/errors.ts";
import { decodePayload } from "./shared/json.ts";
import { userPass } from "./shared/validate.ts";

export const settingsSchema = z.strictObject({
  brokers: z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, "use host:port")).min(1),
  clientId: z.string().regex(/^[A-Za-z0-9._-]+$/).max(128).default("aionix-openact"),
  ssl: z.boolean().default(false),
  sasl: z.strictObject({
    mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
    username: z.string().min(1).describe("the password is the credential"),
  }).optional(),
  connectionTimeoutMs: z.int().min(100).max(120_000).default(3000),
  requestTimeoutMs: z.int().min(100).max(300_000).default(30_000),
  retries: z.int().min(0).max(20).default(2),
});
export type KafkaSettings = z.output<typeof settingsSchema>;

const topic = z.string().min(1).max(249).regex(
  /^[A-Za-z0-9._-]+$/,
  "topic names use letters, digits, '.', '_', '-'",
);

const messageInput = z.strictObject({
  key: z.string().nullable().optional(),
  value: z.unknown().refine((v) => v !== undefined, "value is required")
    .describe("string as-is; anything else is sent as JSON; null is a tombstone"),
  headers: z.record(z.string(), z.string()).optional(),
  partition: z.int().min(0).optional(),
  timestamp: z.int().min(0).optional().describe("epoch milliseconds"),
});

export const produceInput = z.strictObject({
  topic,
  messages: z.array(messageInput).min(1).max(10_000),
  acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).default(-1).describe(
    "-1 = all in-sync replicas",
  ),
  compression: z.enum(["none", "gzip"]).default("none"),
});

export const consumeBatchInput = z.strictObject({
  topic,
  groupId: z.string().min(1).max(255).describe(
    "consumer group; its committed offsets decide where reading starts",
  ),
  maxMessages: z.int().min(1).max(10_000).default(100),
  waitMs: z.int().min(0).max(300_000).default(2000).describe("stop after this long (bounded by the timeout)"),
  fromBeginning: z.boolean().default(false).describe("for a group without committed offsets"),
});

export const kafkaOperations = {
  produce: {
    description: "Produce messages to a topic; returns partitions and base offsets",
    input: produceInput,
  },
  consumeBatch: {
    description: "Read up to maxMessages from a topic as a consumer group and commit what was read",
    input: consumeBatchInput,
  },
};

/** kafkajs client config; the SASL password comes from the credential, never settings. */
export function kafkaConfig(s: KafkaSettings, credential: unknown): KafkaConfig {
  const cred = userPass(credential);
  const config: KafkaConfig = {
    brokers: s.brokers,
    clientId: s.clientId,
    ssl: s.ssl,
    connectionTimeout: s.connectionTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    retry: { retries: s.retries, initialRetryTime: 100, maxRetryTime: 2000 },
  };
  if (s.sasl) {
    const password = cred.password ?? cred.token;
    if (!password) {
      throw new ValidationError([{
        path: "/settings/sasl",
        message: "SASL needs a password: reference a credential in the connection",
      }]);
    }
    config.sasl = {
      mechanism: s.sasl.mechanism,
      username: cred.username ?? s.sasl.username,
      password,
    } as never;
  }
  return config;
}

export function toKafkaMessages(messages: z.output<typeof produceInput>["messages"]): Message[] {
  return messages.map((m) => ({
    key: m.key ?? null,
    value: m.value === null ? null : typeof m.value === "string" ? m.value : JSON.stringify(m.value),
    ...(m.headers ? { headers: m.headers } : {}),
    ...(m.partition !== undefined ? { partition: m.partition } : {}),
    ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
  }));
}

const text = (b: Buffer | string | null | undefined) =>
  b === null || b === undefined ? null : typeof b === "string" ? b : b.toString("utf8");

export function fromKafkaMessage(topic: string, partition: number, m: KafkaMessage) {
  const value = m.value === null ? { data: null, raw: null } : decodePayload(m.value);
  const headers: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    headers[k] = Array.isArray(v) ? text(v[v.length - 1]) : text(v as Buffer | string | undefined);
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: text(m.key),
    data: value.data,
    raw: value.raw,
    headers,
    timestamp: Number(m.timestamp),
  };
}

export function fromRecordMetadata(records: RecordMetadata[]) {
  return records.map((r) => ({
    topic: r.topicName,
    partition: r.partition,
    baseOffset: r.baseOffset ?? r.offset ?? null,
    errorCode: r.errorCode,
  }));
}

/** Next offset to commit after the last message taken from each partition. */
export function commitOffsets(topic: string, taken: { partition: number; offset: string }[]) {
  const last = new Map<number, bigint>();
  for (const t of taken) {
    const o = BigInt(t.offset);
    if (!last.has(t.partition) || o > last.get(t.partition)!) last.set(t.partition, o);
  }
  return [...last].map(([partition, o]) => ({ topic, partition, offset: (o + 1n).toString() }));
}

export { Buffer };
