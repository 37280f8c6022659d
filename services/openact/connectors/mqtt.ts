/**
 * MQTT connector (npm `mqtt` 5): publish (QoS 0/1/2, retain), `receive` (subscribe, collect up
 * to `count` messages or until `waitMs`, unsubscribe) and subscribe() as an event source for
 * Igniter, each subscription on its own client that reconnects and resubscribes by itself
 * (with `session: {clientId}`, a persistent session acknowledged after storing — mqtt_session.ts).
 * One publishing client per connection revision. A publish cannot be withdrawn once written, so
 * timeouts/cancellation fail promptly; a client that never connected is ended and evicted.
 * Tested against the real Mosquitto on 127.0.0.1:1883 (mqtt_test.ts).
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Connector, ExecuteOptions, ResolvedConnection, SubscribeHooks } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { mapDriverError } from "./shared/errors.ts";
import { operationInput, parseInput, parseSettings, userPass } from "./shared/validate.ts";
import { decodePayload, encodePayload } from "./shared/json.ts";
import { ackAfterHandling, type SessionInput, sessionOptions } from "./mqtt_session.ts";

const KIND = "mqtt";

export const settingsSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.int().min(1).max(65535).default(1883),
  protocol: z.enum(["mqtt", "mqtts", "ws", "wss"]).default("mqtt"),
  username: z.string().min(1).optional().describe("the password is the credential"),
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4).describe("4 = MQTT 3.1.1, 5 = MQTT 5"),
  clientIdPrefix: z.string().regex(/^[A-Za-z0-9_-]*$/).max(40).default("aionix-"),
  keepaliveSeconds: z.int().min(0).max(65535).default(30),
  connectTimeoutMs: z.int().min(100).max(120_000).default(10_000),
});

const topic = z.string().min(1).max(65535).refine((t) => !/[+#]/.test(t), {
  message: "a publish topic cannot contain the wildcards + or #",
});
const filter = z.string().min(1).max(65535).describe("topic filter; + and # wildcards allowed");
const qos = z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1);

const receiveInput = z.strictObject({
  topic: filter,
  qos,
  count: z.int().min(1).max(1000).default(1).describe("stop after this many messages"),
  waitMs: z.int().min(0).max(300_000).default(1000).describe("stop after this long (bounded by the timeout)"),
});

export const operations = {
  publish: {
    description: "Publish a message to a topic",
    input: z.strictObject({
      topic,
      message: z.unknown().refine((v) => v !== undefined, "message is required")
        .describe("string as-is; anything else is sent as JSON"),
      qos,
      retain: z.boolean().default(false),
    }),
  },
  receive: {
    description: "Subscribe to a topic filter and return the messages that arrive (retained ones first)",
    input: receiveInput,
  },
};

export const subscribeInput = z.strictObject({
  topic: filter.optional(),
  topics: z.array(filter).optional(),
  qos,
  session: z.strictObject({
    clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, '-' or '_'")
      .describe("the broker keeps this client's session; one subscriber per client id"),
    expirySeconds: z.int().min(1).max(4_294_967_295).default(7 * 86400)
      .describe("MQTT 5: how long the broker keeps the session while disconnected"),
  }).optional().describe(
    "a persistent session: messages wait at the broker while the server is away, and each is " +
      "acknowledged only after Igniter stored it (at-least-once; QoS 1 or 2)",
  ),
}).refine((i) => i.topic || i.topics?.length, { message: "give topic or topics", path: ["topic"] })
  .refine((i) => !i.session || i.qos > 0, {
    message: "a persistent session needs QoS 1 or 2 (QoS 0 messages are neither queued nor acknowledged)",
    path: ["qos"],
  });

const pools = new PoolCache<{ client: MqttClient; ready: Promise<void> }>((c) => c.client.endAsync(true));

async function newClient(
  connection: ResolvedConnection,
  extra: IClientOptions = {},
): Promise<{ client: MqttClient; ready: Promise<void> }> {
  const s = parseSettings(settingsSchema, connection);
  const cred = userPass(connection.credential);
  const mqtt = await import("mqtt");
  const client = mqtt.connect({
    host: s.host,
    port: s.port,
    protocol: s.protocol,
    protocolVersion: s.protocolVersion,
    username: cred.username ?? s.username,
    password: cred.password ?? cred.token,
    clientId: s.clientIdPrefix + crypto.randomUUID().replaceAll("-", "").slice(0, 16),
    keepalive: s.keepaliveSeconds,
    connectTimeout: s.connectTimeoutMs,
    reconnectPeriod: 1000,
    clean: true,
    ...extra,
  });
  let connected = false;
  const ready = new Promise<void>((resolve, reject) => {
    client.once("connect", () => {
      connected = true;
      resolve();
    });
    // before the first CONNACK any failure is final: stop reconnecting and report it
    const fail = (err?: Error) => {
      if (connected) return;
      client.end(true);
      reject(err ?? Object.assign(new Error("connection closed before CONNACK"), { code: "ECONNRESET" }));
    };
    client.once("error", fail);
    client.once("close", () => fail());
  });
  client.on("error", () => {}); // later errors lead to reconnects; calls report their own failures
  ready.catch(() => {});
  return { client, ready };
}

async function ready(connection: ResolvedConnection): Promise<MqttClient> {
  const c = await pools.get(connection, () => newClient(connection));
  try {
    await c.ready;
  } catch (err) {
    await pools.evict(connection.trn, c);
    throw mapDriverError(KIND, err, connection.credential);
  }
  return c.client;
}

async function evictIfNotConnected(connection: ResolvedConnection) {
  const c = await pools.get(connection, () => newClient(connection)).catch(() => undefined);
  if (c && !c.client.connected) await pools.evict(connection.trn, c);
}

const toBuffer = (message: unknown) => {
  const bytes = encodePayload(message);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

async function subscribeClient(
  connection: ResolvedConnection,
  filters: string[],
  q: 0 | 1 | 2,
  onMessage: (m: { subject: string; data: unknown; raw?: string; retained?: boolean }) => unknown,
  hooks?: SubscribeHooks,
  session?: SessionInput,
) {
  const protocolVersion = parseSettings(settingsSchema, connection).protocolVersion;
  const c = await newClient(connection, session ? sessionOptions(session, protocolVersion) : {});
  if (session) ackAfterHandling(c.client, onMessage, hooks);
  try {
    await c.ready;
    // mqtt.js reconnects every reconnectPeriod and resubscribes by itself (resubscribe: true)
    let lastError: unknown;
    c.client.on("error", (err) => (lastError = err));
    c.client.on("offline", () => hooks?.onStatus?.("reconnecting", lastError));
    c.client.on("connect", () => hooks?.onStatus?.("connected"));
    if (!session) {
      c.client.on("message", (t, payload, packet) => {
        const { data, raw } = decodePayload(payload);
        onMessage({ subject: t, data, raw, retained: packet.retain });
      });
    }
    const granted = await c.client.subscribeAsync(filters, { qos: q });
    const refused = granted.find((g) => g.qos === 128);
    if (refused) {
      throw Object.assign(new Error(`the broker refused the subscription to '${refused.topic}'`), {});
    }
  } catch (err) {
    await c.client.endAsync(true).catch(() => {});
    throw mapDriverError(KIND, err, connection.credential);
  }
  return async () => {
    await c.client.endAsync().catch(() => c.client.end(true));
  };
}

async function receive(
  connection: ResolvedConnection,
  i: z.output<typeof receiveInput>,
  options: ExecuteOptions,
) {
  const messages: { topic: string; data: unknown; retained: boolean }[] = [];
  let stop: (() => Promise<void>) | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  try {
    return await withDeadline(options, async () => {
      stop = await subscribeClient(connection, [i.topic], i.qos, (m) => {
        if (messages.length >= i.count) return;
        messages.push({ topic: m.subject, data: m.data, retained: m.retained ?? false });
        if (messages.length >= i.count) done();
      });
      const wait = setTimeout(done, Math.min(i.waitMs, Math.max(0, options.timeoutMs - 50)));
      await finished;
      clearTimeout(wait);
      return { messages, count: messages.length };
    }, { kind: KIND, what: "receive", credential: connection.credential, onAbort: () => done() });
  } finally {
    await stop?.();
  }
}

const connector: Connector & { subscribeInput: typeof subscribeInput } = {
  kind: KIND,
  description: "MQTT: publish, receive, and subscribe to topic filters as an event source",
  settingsSchema,
  operations,
  subscribeInput,
  async test(connection, options) {
    const started = Date.now();
    await withDeadline(options, () => ready(connection), {
      kind: KIND,
      what: "connection test",
      credential: connection.credential,
      onAbort: () => evictIfNotConnected(connection),
    });
    return { ok: true, latencyMs: Date.now() - started };
  },
  execute(connection, operation, input, options) {
    const valid = operationInput(KIND, operations, operation, input);
    if (operation === "receive") return receive(connection, valid as z.output<typeof receiveInput>, options);
    const p = valid as { topic: string; message: unknown; qos: 0 | 1 | 2; retain: boolean };
    return withDeadline(options, async () => {
      const client = await ready(connection);
      const packet = await client.publishAsync(p.topic, toBuffer(p.message), {
        qos: p.qos,
        retain: p.retain,
      });
      return { published: true, topic: p.topic, qos: p.qos, messageId: packet?.messageId ?? null };
    }, {
      kind: KIND,
      what: operation,
      credential: connection.credential,
      onAbort: () => evictIfNotConnected(connection),
    });
  },
  // Only persistent sessions hold a message until the handler is done with it.
  subscribeAcks: (input) => input.session !== undefined,
  subscribe(connection, input, onMessage, hooks) {
    const i = parseInput(subscribeInput, input);
    return subscribeClient(connection, i.topics ?? [i.topic!], i.qos, onMessage, hooks, i.session);
  },
  close: (trn) => pools.close(trn),
};

export default connector;
