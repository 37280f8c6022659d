/**
 * Redis connector (npm `ioredis` 6): string, counter, hash and list operations, PUBLISH, and
 * SUBSCRIBE/PSUBSCRIBE as an event source for Igniter (subscribe()). One multiplexed client per
 * connection revision; every subscription gets its own client (subscriber mode is exclusive).
 * Redis cannot cancel a command already sent, so timeouts/cancellation fail the call promptly and
 * a client that never became ready is disconnected and evicted.
 * Tested against the real Redis on 127.0.0.1:6379 (redis_test.ts).
 */
import { z } from "zod";
import type { Redis, RedisOptions } from "ioredis";
import type { Connector, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { operationInput, parseInput, parseSettings, userPass } from "./shared/validate.ts";
import { mapDriverError } from "./shared/errors.ts";
import { redisOperations, runRedisOperation, subscribeInput } from "./redis_ops.ts";
import { subscribeStream } from "./redis_stream.ts";

const KIND = "redis";

export const settingsSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.int().min(1).max(65535).default(6379),
  db: z.int().min(0).max(1023).default(0),
  username: z.string().min(1).optional().describe("ACL user; the password is the credential"),
  tls: z.boolean().default(false),
  keyPrefix: z.string().max(256).default("").describe("prepended to every key, e.g. 'app1:'"),
  connectTimeoutMs: z.int().min(100).max(120_000).default(10_000),
  clientName: z.string().regex(/^[A-Za-z0-9_.:-]+$/).max(128).default("aionix-openact")
    .describe("CLIENT SETNAME, visible in CLIENT LIST"),
});

interface Client {
  redis: Redis;
  ready: Promise<void>;
}

const pools = new PoolCache<Client>((c) => c.redis.disconnect());

async function newClient(connection: ResolvedConnection, extra: RedisOptions = {}): Promise<Client> {
  const s = parseSettings(settingsSchema, connection);
  const cred = userPass(connection.credential);
  const { Redis } = await import("ioredis");
  let everReady = false;
  const redis = new Redis({
    host: s.host,
    port: s.port,
    db: s.db,
    username: cred.username ?? s.username,
    password: cred.password ?? cred.token,
    tls: s.tls ? {} : undefined,
    keyPrefix: s.keyPrefix || undefined,
    connectTimeout: s.connectTimeoutMs,
    connectionName: s.clientName,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    // the first connection fails fast; once up, reconnect with capped backoff
    retryStrategy: (times) => (everReady ? Math.min(times * 200, 5000) : null),
    ...extra,
  });
  // failures surface through the commands that hit them; keep the last for a useful message
  let lastError: unknown;
  redis.on("error", (err) => (lastError = err));
  const ready = redis.connect().then(
    () => {
      everReady = true;
    },
    (err) => {
      throw lastError ?? err;
    },
  );
  ready.catch(() => {});
  return { redis, ready };
}

async function ready(connection: ResolvedConnection): Promise<Redis> {
  const client = await pools.get(connection, () => newClient(connection));
  try {
    await client.ready;
  } catch (err) {
    await pools.evict(connection.trn, client);
    throw mapDriverError(KIND, err, connection.credential);
  }
  return client.redis;
}

async function evictIfNotReady(connection: ResolvedConnection) {
  const client = await pools.get(connection, () => newClient(connection)).catch(() => undefined);
  if (client && client.redis.status !== "ready") await pools.evict(connection.trn, client);
}

const connector: Connector & { subscribeInput: typeof subscribeInput } = {
  kind: KIND,
  description: "Redis: strings, counters, hashes, lists, publish, and subscribe as an event source",
  settingsSchema,
  operations: redisOperations,
  subscribeInput,
  async test(connection, options) {
    const started = Date.now();
    const info = await withDeadline(options, async () => {
      const r = await ready(connection);
      const pong = await r.ping();
      const server = await r.info("server");
      return { pong, version: /redis_version:([^\r\n]+)/.exec(server)?.[1] };
    }, {
      kind: KIND,
      what: "connection test",
      credential: connection.credential,
      onAbort: () => evictIfNotReady(connection),
    });
    return { ok: info.pong === "PONG", serverVersion: info.version, latencyMs: Date.now() - started };
  },
  execute(connection, operation, input, options) {
    const valid = operationInput(KIND, redisOperations, operation, input);
    return withDeadline(options, async () => runRedisOperation(await ready(connection), operation, valid), {
      kind: KIND,
      what: operation,
      credential: connection.credential,
      onAbort: () => evictIfNotReady(connection),
    });
  },
  // Only stream sources hold an entry until the handler is done with it.
  subscribeAcks: (input) => input.stream !== undefined,
  async subscribe(connection, input, onMessage, hooks) {
    const i = parseInput(subscribeInput, input);
    if (i.stream) {
      // own connection for blocking reads; the key prefix is applied to the stream key by hand
      const client = await newClient(connection, { maxRetriesPerRequest: null, keyPrefix: undefined });
      try {
        await client.ready;
        const prefix = parseSettings(settingsSchema, connection).keyPrefix;
        client.redis.on("reconnecting", () => hooks?.onStatus?.("reconnecting"));
        client.redis.on("ready", () => hooks?.onStatus?.("connected"));
        return await subscribeStream(client.redis, { ...i.stream, prefix }, onMessage, hooks);
      } catch (err) {
        client.redis.disconnect();
        throw mapDriverError(KIND, err, connection.credential);
      }
    }
    const client = await newClient(connection, { maxRetriesPerRequest: null });
    const sub = client.redis;
    try {
      await client.ready;
      // ioredis reconnects with backoff and resubscribes on its own (autoResubscribe)
      let lastError: unknown;
      sub.on("error", (err: unknown) => (lastError = err));
      sub.on("reconnecting", () => hooks?.onStatus?.("reconnecting", lastError));
      sub.on("ready", () => hooks?.onStatus?.("connected"));
      sub.on("end", () => hooks?.onStatus?.("closed", lastError));
      sub.on("message", (channel: string, message: string) => onMessage(decode(channel, message)));
      sub.on(
        "pmessage",
        (_p: string, channel: string, message: string) => onMessage(decode(channel, message)),
      );
      if (i.channels.length) await sub.subscribe(...i.channels);
      if (i.patterns.length) await sub.psubscribe(...i.patterns);
    } catch (err) {
      sub.disconnect();
      throw mapDriverError(KIND, err, connection.credential);
    }
    return async () => {
      try {
        await sub.quit();
      } catch {
        sub.disconnect();
      }
    };
  },
  close: (trn) => pools.close(trn),
};

function decode(channel: string, raw: string) {
  try {
    return { subject: channel, data: JSON.parse(raw), raw };
  } catch {
    return { subject: channel, data: raw, raw };
  }
}

export default connector;
