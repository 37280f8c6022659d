/**
 * Redis operations: zod inputs and how each maps to an ioredis command. Values are strings on
 * the wire; non-string JSON values are stored as JSON text.
 */
import { z } from "zod";
import type { Redis } from "ioredis";

const key = z.string().min(1).max(1024).describe("the key (the connection's keyPrefix is prepended)");
const keys = z.array(key).min(1).max(1000);
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const value = z.unknown().refine((v) => v !== undefined, "value is required")
  .describe("string as-is; anything else is stored as JSON text");

export const redisOperations = {
  get: { description: "GET a string value", input: z.strictObject({ key }) },
  set: {
    description: "SET a value, optionally with a TTL and NX/XX",
    input: z.strictObject({
      key,
      value,
      ttlSeconds: z.int().min(1).optional(),
      ttlMs: z.int().min(1).optional(),
      condition: z.enum(["always", "nx", "xx"]).default("always")
        .describe("nx: only if absent; xx: only if present"),
    }).refine((i) => !(i.ttlSeconds && i.ttlMs), {
      message: "give ttlSeconds or ttlMs, not both",
      path: ["ttlMs"],
    }),
  },
  del: { description: "DEL keys", input: z.strictObject({ keys }) },
  exists: { description: "Count how many of the keys exist", input: z.strictObject({ keys }) },
  expire: {
    description: "Set a key's TTL in seconds",
    input: z.strictObject({ key, seconds: z.int().min(1) }),
  },
  ttl: {
    description: "A key's remaining TTL in seconds (-1 none, -2 missing)",
    input: z.strictObject({ key }),
  },
  incr: {
    description: "INCRBY an integer counter (by defaults to 1)",
    input: z.strictObject({ key, by: z.int().default(1) }),
  },
  hget: { description: "HGET one hash field", input: z.strictObject({ key, field: z.string().min(1) }) },
  hset: {
    description: "HSET hash fields",
    input: z.strictObject({ key, fields: z.record(z.string().min(1), scalar) }).refine(
      (i) => Object.keys(i.fields).length > 0,
      { message: "give at least one field", path: ["fields"] },
    ),
  },
  hgetall: { description: "HGETALL: every field of a hash", input: z.strictObject({ key }) },
  hdel: {
    description: "HDEL hash fields",
    input: z.strictObject({ key, fields: z.array(z.string().min(1)).min(1) }),
  },
  lpush: {
    description: "LPUSH values to the head of a list",
    input: z.strictObject({ key, values: z.array(value).min(1) }),
  },
  rpush: {
    description: "RPUSH values to the tail of a list",
    input: z.strictObject({ key, values: z.array(value).min(1) }),
  },
  lpop: {
    description: "LPOP from the head (count > 1 returns a list)",
    input: z.strictObject({ key, count: z.int().min(1).optional() }),
  },
  rpop: {
    description: "RPOP from the tail (count > 1 returns a list)",
    input: z.strictObject({ key, count: z.int().min(1).optional() }),
  },
  lrange: {
    description: "LRANGE a slice of a list (stop -1 = end)",
    input: z.strictObject({ key, start: z.int().default(0), stop: z.int().default(-1) }),
  },
  llen: { description: "LLEN a list", input: z.strictObject({ key }) },
  publish: {
    description: "PUBLISH a message to a channel",
    input: z.strictObject({ channel: z.string().min(1), message: value }),
  },
};

export const subscribeInput = z.strictObject({
  channels: z.array(z.string().min(1)).default([]),
  patterns: z.array(z.string().min(1)).default([]).describe("glob patterns for PSUBSCRIBE"),
  stream: z.strictObject({
    key: z.string().min(1).max(1024),
    group: z.string().min(1).max(256).default("aionix").describe("consumer group, created when missing"),
    consumer: z.string().min(1).max(256).default("aionix")
      .describe("keep it stable: entries it left pending are read again when it subscribes next"),
    start: z.enum(["new", "all"]).default("new").describe("where a new group starts: new entries, or all"),
  }).optional().describe(
    "read a stream through a consumer group: an entry is XACKed only after Igniter stored it (at-least-once)",
  ),
}).refine((i) => i.channels.length + i.patterns.length > 0 || i.stream, {
  message: "give at least one channel or pattern, or a stream",
  path: ["channels"],
}).refine((i) => !(i.stream && i.channels.length + i.patterns.length > 0), {
  message: "a stream source reads one stream: subscribe to channels or patterns in another source",
  path: ["stream"],
});

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

// deno-lint-ignore no-explicit-any
type In = any;

/** Runs one validated operation on a connected client. */
export async function runRedisOperation(r: Redis, operation: string, i: In): Promise<unknown> {
  switch (operation) {
    case "get":
      return { value: await r.get(i.key) };
    case "set": {
      const args: (string | number)[] = [];
      if (i.ttlSeconds) args.push("EX", i.ttlSeconds);
      if (i.ttlMs) args.push("PX", i.ttlMs);
      if (i.condition !== "always") args.push(i.condition.toUpperCase());
      // deno-lint-ignore no-explicit-any
      const reply = await (r.set as any)(i.key, text(i.value), ...args);
      return { ok: reply === "OK" };
    }
    case "del":
      return { deleted: await r.del(...i.keys) };
    case "exists":
      return { count: await r.exists(...i.keys) };
    case "expire":
      return { ok: (await r.expire(i.key, i.seconds)) === 1 };
    case "ttl":
      return { ttlSeconds: await r.ttl(i.key) };
    case "incr":
      return { value: await r.incrby(i.key, i.by) };
    case "hget":
      return { value: await r.hget(i.key, i.field) };
    case "hset":
      return {
        added: await r.hset(
          i.key,
          Object.fromEntries(Object.entries(i.fields).map(([k, v]) => [k, String(v)])),
        ),
      };
    case "hgetall":
      return { fields: await r.hgetall(i.key) };
    case "hdel":
      return { deleted: await r.hdel(i.key, ...i.fields) };
    case "lpush":
      return { length: await r.lpush(i.key, ...i.values.map(text)) };
    case "rpush":
      return { length: await r.rpush(i.key, ...i.values.map(text)) };
    case "lpop":
    case "rpop": {
      if (i.count === undefined) return { value: await r[operation as "lpop"](i.key) };
      return { values: (await r[operation as "lpop"](i.key, i.count)) ?? [] };
    }
    case "lrange":
      return { values: await r.lrange(i.key, i.start, i.stop) };
    case "llen":
      return { length: await r.llen(i.key) };
    case "publish":
      return { receivers: await r.publish(i.channel, text(i.message)) };
  }
  throw new Error(`unhandled redis operation ${operation}`);
}
