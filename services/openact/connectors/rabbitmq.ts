/**
 * RabbitMQ connector (npm `amqplib` 2.x): publisher-confirmed publish (with unroutable messages
 * reported via mandatory returns), consume one, queue/exchange declare/bind/purge/delete, and
 * subscribe as an event source for Igniter (its own connection with amqplib's automatic recovery).
 * One connection + confirm channel per connection revision; a channel the broker closes (e.g. a
 * 404 on a missing queue) is replaced on the next call. AMQP calls cannot be cancelled, so a
 * timeout/cancellation fails promptly and closes the channel the call was using.
 * Tested against the real RabbitMQ on 127.0.0.1:5672 (rabbitmq_test.ts).
 */
import { z } from "zod";
import type { Channel, ChannelModel, ConfirmChannel, Options } from "amqplib";
import type { Connector, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { mapDriverError } from "./shared/errors.ts";
import { operationInput, parseInput, parseSettings, userPass } from "./shared/validate.ts";
import {
  fromAmqp,
  messageBody,
  type publishInput,
  publishOptions,
  queueOptions,
  rabbitOperations,
  subscribeInput,
} from "./rabbitmq_ops.ts";

const KIND = "rabbitmq";

export const settingsSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.int().min(1).max(65535).default(5672),
  vhost: z.string().default("/"),
  user: z.string().min(1).default("guest").describe("the password is the credential"),
  tls: z.boolean().default(false),
  heartbeatSeconds: z.int().min(0).max(600).default(30),
  connectTimeoutMs: z.int().min(100).max(120_000).default(10_000),
});

interface Client {
  model: ChannelModel;
  channel?: Promise<ConfirmChannel>;
  /** messageIds the broker returned as unroutable (mandatory publishes). */
  returned: Set<string>;
}

const pools = new PoolCache<Client>((c) => c.model.close());

async function open(connection: ResolvedConnection, socket: Record<string, unknown> = {}): Promise<unknown> {
  const s = parseSettings(settingsSchema, connection);
  const cred = userPass(connection.credential);
  const amqp = await import("amqplib");
  const options: Options.Connect = {
    protocol: s.tls ? "amqps" : "amqp",
    hostname: s.host,
    port: s.port,
    username: cred.username ?? s.user,
    password: cred.password ?? cred.token ?? "guest",
    vhost: s.vhost,
    heartbeat: s.heartbeatSeconds,
  };
  // deno-lint-ignore no-explicit-any
  return await amqp.connect(options, { timeout: s.connectTimeoutMs, ...socket } as any);
}

function client(connection: ResolvedConnection): Promise<Client> {
  return pools.get(connection, async () => {
    const model = await open(connection) as ChannelModel;
    const c: Client = { model, returned: new Set() };
    model.on("error", () => {});
    model.on("close", () => void pools.evict(connection.trn, c));
    return c;
  });
}

function channel(c: Client): Promise<ConfirmChannel> {
  if (!c.channel) {
    const pending = c.model.createConfirmChannel().then((ch) => {
      ch.on("error", () => {}); // the failing call rejects with the reason
      ch.on("close", () => {
        if (c.channel === pending) c.channel = undefined;
      });
      ch.on("return", (msg) => {
        if (msg.properties.messageId) c.returned.add(String(msg.properties.messageId));
      });
      return ch;
    });
    pending.catch(() => {
      if (c.channel === pending) c.channel = undefined;
    });
    c.channel = pending;
  }
  return c.channel;
}

// deno-lint-ignore no-explicit-any
type In = any;

async function runOperation(c: Client, ch: ConfirmChannel, operation: string, i: In): Promise<unknown> {
  switch (operation) {
    case "publish": {
      const p = i as z.output<typeof publishInput>;
      const messageId = p.messageId ?? crypto.randomUUID();
      const exchange = p.queue ? "" : p.exchange;
      const routingKey = p.queue ?? p.routingKey;
      await new Promise<void>((resolve, reject) => {
        ch.publish(exchange, routingKey, messageBody(p.message), publishOptions(p, messageId), (err) => {
          if (err) reject(err instanceof Error ? err : new Error("the broker rejected the message (nack)"));
          else resolve();
        });
      });
      // basic.return precedes the confirm, so the set is complete here
      const routed = !c.returned.delete(messageId);
      return { published: true, routed, messageId };
    }
    case "consumeOne": {
      const msg = await ch.get(i.queue, { noAck: false });
      if (msg === false) return { message: null };
      if (i.requeue) ch.nack(msg, false, true);
      else ch.ack(msg);
      return { message: fromAmqp(msg), remaining: msg.fields.messageCount };
    }
    case "declareQueue": {
      const r = await ch.assertQueue(i.queue, queueOptions(i));
      return { queue: r.queue, messageCount: r.messageCount, consumerCount: r.consumerCount };
    }
    case "deleteQueue":
      return {
        messageCount:
          (await ch.deleteQueue(i.queue, { ifUnused: i.ifUnused, ifEmpty: i.ifEmpty })).messageCount,
      };
    case "purgeQueue":
      return { messageCount: (await ch.purgeQueue(i.queue)).messageCount };
    case "declareExchange":
      await ch.assertExchange(i.exchange, i.type, { durable: i.durable, autoDelete: i.autoDelete });
      return { exchange: i.exchange };
    case "bindQueue":
      await ch.bindQueue(i.queue, i.exchange, i.routingKey);
      return { ok: true };
  }
  throw new Error(`unhandled rabbitmq operation ${operation}`);
}

const connector: Connector & { subscribeInput: typeof subscribeInput } = {
  kind: KIND,
  description: "RabbitMQ (AMQP 0-9-1): publish, consume one, queues and exchanges, subscribe",
  settingsSchema,
  operations: rabbitOperations,
  subscribeInput,
  async test(connection, options) {
    const started = Date.now();
    const server = await withDeadline(options, async () => {
      const c = await client(connection);
      await channel(c);
      const props = c.model.connection.serverProperties as Record<string, unknown>;
      return { product: props.product, version: props.version };
    }, { kind: KIND, what: "connection test", credential: connection.credential });
    return {
      ok: true,
      server: server.product,
      serverVersion: server.version,
      latencyMs: Date.now() - started,
    };
  },
  execute(connection, operation, input, options) {
    const valid = operationInput(KIND, rabbitOperations, operation, input);
    let used: ConfirmChannel | undefined;
    return withDeadline(options, async () => {
      const c = await client(connection);
      const ch = used = await channel(c);
      return await runOperation(c, ch, operation, valid);
    }, {
      kind: KIND,
      what: operation,
      credential: connection.credential,
      // an AMQP call cannot be withdrawn: drop the channel so its late reply cannot confuse the next call
      onAbort: () => used?.close().catch(() => {}),
    });
  },
  subscribeAcks: true,
  async subscribe(connection, input, onMessage, hooks) {
    const i = parseInput(subscribeInput, input);
    let model;
    // the latest channel/consumer (recovery re-runs setup after a reconnect)
    let current: { ch: Channel; tag: string } | undefined;
    try {
      model = await open(connection, {
        recovery: {
          initialMaxRetries: 0,
          maxDelay: 10_000,
          setup: async (m: ChannelModel) => {
            const ch = await m.createChannel();
            ch.on("error", () => {});
            if (i.declare) await ch.assertQueue(i.queue, { durable: true });
            await ch.prefetch(i.prefetch);
            const { consumerTag } = await ch.consume(i.queue, (msg) => {
              if (!msg) {
                // basic.cancel from the broker (the queue was deleted): this consumer is over
                hooks?.onStatus?.(
                  "closed",
                  new Error(`the broker cancelled the consumer of queue '${i.queue}'`),
                );
                return;
              }
              const m = fromAmqp(msg);
              // ack only once the handler (e.g. Igniter's durable write) has finished with it
              new Promise((resolve) => resolve(onMessage({ subject: i.queue, data: m.data, raw: m.raw })))
                .then(() => ch.ack(msg), (err) => {
                  // the handler's own failure: always back to the queue; otherwise requeue once,
                  // then drop it (or dead-letter it, when the queue is configured to)
                  const requeue = (err as { requeue?: boolean })?.requeue === true || !msg.fields.redelivered;
                  ch.nack(msg, false, requeue);
                })
                .catch(() => {}); // the channel closed meanwhile: the broker requeues unacked messages
            }, { noAck: false });
            current = { ch, tag: consumerTag };
          },
        },
      });
    } catch (err) {
      throw mapDriverError(KIND, err, connection.credential);
    }
    const recovering = model as unknown as {
      on(e: string, f: (arg?: unknown) => void): void;
      close(): Promise<void>;
    };
    recovering.on("error", () => {});
    recovering.on("disconnect", (err) => hooks?.onStatus?.("reconnecting", err));
    recovering.on("connect", () => hooks?.onStatus?.("connected"));
    recovering.on("reconnect-failed", (err) => hooks?.onStatus?.("closed", err));
    return async () => {
      // cancel and close the channel first so acks already sent are settled before the socket closes
      if (current) {
        await current.ch.cancel(current.tag).catch(() => {});
        await current.ch.close().catch(() => {});
      }
      await recovering.close().catch(() => {});
    };
  },
  close: (trn) => pools.close(trn),
};

export default connector;
