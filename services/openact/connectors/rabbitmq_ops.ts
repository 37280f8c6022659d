/** RabbitMQ operation inputs (zod) and message mapping between JSON and AMQP. */
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { Message, Options } from "amqplib";
import { decodePayload, encodePayload } from "./shared/json.ts";

const name = z.string().min(1).max(255);
const message = z.unknown().refine((v) => v !== undefined, "message is required")
  .describe("string as-is; anything else is sent as JSON");

export const publishInput = z.strictObject({
  exchange: z.string().max(255).default("").describe("'' is the default exchange (routes by queue name)"),
  routingKey: z.string().max(255).default(""),
  queue: name.optional().describe("shortcut: publish to this queue through the default exchange"),
  message,
  contentType: z.string().max(255).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  persistent: z.boolean().default(true),
  messageId: z.string().max(255).optional(),
  correlationId: z.string().max(255).optional(),
  replyTo: z.string().max(255).optional(),
  expirationMs: z.int().min(0).optional(),
  priority: z.int().min(0).max(255).optional(),
  mandatory: z.boolean().default(true).describe("report routed=false when no queue took the message"),
}).refine((i) => !(i.queue && (i.exchange || i.routingKey)), {
  message: "give queue, or exchange/routingKey, not both",
  path: ["queue"],
}).refine((i) => i.queue || i.exchange || i.routingKey, {
  message: "give a queue, or an exchange and/or routingKey",
  path: ["queue"],
});

const queueArgs = {
  durable: z.boolean().default(true),
  exclusive: z.boolean().default(false),
  autoDelete: z.boolean().default(false),
  messageTtlMs: z.int().min(0).optional(),
  maxLength: z.int().min(0).optional(),
  deadLetterExchange: z.string().max(255).optional(),
  arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional()
    .describe("extra x-arguments, e.g. {'x-queue-type': 'quorum'}"),
};

export const rabbitOperations = {
  publish: {
    description: "Publish a message (publisher-confirmed) to an exchange or a queue",
    input: publishInput,
  },
  consumeOne: {
    description: "Take one message from a queue (null when empty); ack it, or requeue it to peek",
    input: z.strictObject({ queue: name, requeue: z.boolean().default(false) }),
  },
  declareQueue: {
    description: "Declare (assert) a queue; '' lets the server name it",
    input: z.strictObject({ queue: z.string().max(255).default(""), ...queueArgs }),
  },
  deleteQueue: {
    description: "Delete a queue",
    input: z.strictObject({
      queue: name,
      ifUnused: z.boolean().default(false),
      ifEmpty: z.boolean().default(false),
    }),
  },
  purgeQueue: {
    description: "Remove every ready message from a queue",
    input: z.strictObject({ queue: name }),
  },
  declareExchange: {
    description: "Declare (assert) an exchange",
    input: z.strictObject({
      exchange: name,
      type: z.enum(["direct", "topic", "fanout", "headers"]),
      durable: z.boolean().default(true),
      autoDelete: z.boolean().default(false),
    }),
  },
  bindQueue: {
    description: "Bind a queue to an exchange with a routing pattern",
    input: z.strictObject({ queue: name, exchange: name, routingKey: z.string().max(255).default("") }),
  },
};

export const subscribeInput = z.strictObject({
  queue: name,
  prefetch: z.int().min(1).max(10_000).default(10),
  declare: z.boolean().default(false).describe("assert the queue (durable) before consuming"),
});

export function publishOptions(i: z.output<typeof publishInput>, messageId: string): Options.Publish {
  return {
    contentType: i.contentType ?? (typeof i.message === "string" ? "text/plain" : "application/json"),
    headers: i.headers,
    persistent: i.persistent,
    messageId,
    correlationId: i.correlationId,
    replyTo: i.replyTo,
    expiration: i.expirationMs === undefined ? undefined : String(i.expirationMs),
    priority: i.priority,
    mandatory: i.mandatory,
    timestamp: Math.floor(Date.now() / 1000),
  };
}

export function queueOptions(i: z.infer<z.ZodObject<typeof queueArgs>>): Options.AssertQueue {
  return {
    durable: i.durable,
    exclusive: i.exclusive,
    autoDelete: i.autoDelete,
    messageTtl: i.messageTtlMs,
    maxLength: i.maxLength,
    deadLetterExchange: i.deadLetterExchange,
    arguments: i.arguments,
  };
}

export function messageBody(message: unknown): Buffer {
  const bytes = encodePayload(message);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** AMQP message → JSON: the body is parsed as JSON when it is JSON, else kept as text. */
export function fromAmqp(msg: Message) {
  const { data, raw } = decodePayload(msg.content);
  const p = msg.properties;
  return {
    data,
    raw,
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
    redelivered: msg.fields.redelivered,
    contentType: p.contentType ?? null,
    headers: p.headers ?? {},
    messageId: p.messageId ?? null,
    correlationId: p.correlationId ?? null,
    replyTo: p.replyTo ?? null,
    timestamp: typeof p.timestamp === "number" ? p.timestamp : null,
  };
}
