/**
 * Kafka connector (npm `kafkajs`): produce (acks, gzip, keys, headers, partitions) and
 * consumeBatch (join a consumer group, read up to maxMessages or until waitMs, commit exactly
 * the offsets read, leave). One connected producer per connection revision; consumers are
 * per call. kafkajs cannot cancel an in-flight request, so timeouts/cancellation fail promptly
 * and disconnect the producer/consumer that was still connecting or reading.
 *
 * NO KAFKA BROKER IS AVAILABLE on our machines: kafka_test.ts covers settings/input validation,
 * the JSON ↔ kafkajs mappings, error mapping against an unreachable broker and prompt timeouts
 * against a silent one, but produce/consume have not run against a real broker here.
 */
import type { Consumer, Kafka, Producer } from "kafkajs";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { ConnectorError, ConnectorUnavailableError, mapDriverError } from "./shared/errors.ts";
import { operationInput, parseSettings } from "./shared/validate.ts";
import { AppError } from "../../../runtime/errors.ts";
import {
  commitOffsets,
  type consumeBatchInput,
  fromKafkaMessage,
  fromRecordMetadata,
  kafkaConfig,
  kafkaOperations,
  type produceInput,
  settingsSchema,
  toKafkaMessages,
} from "./kafka_ops.ts";
import type { z } from "zod";

const KIND = "kafka";

interface Client {
  kafka: Kafka;
  producer: Producer;
  ready: Promise<void>;
  connected: boolean;
}

const pools = new PoolCache<Client>((c) => c.producer.disconnect());

async function newKafka(connection: ResolvedConnection): Promise<Kafka> {
  const s = parseSettings(settingsSchema, connection);
  const config = kafkaConfig(s, connection.credential);
  const { Kafka, logLevel } = await import("kafkajs");
  return new Kafka({ ...config, logLevel: logLevel.NOTHING });
}

/** kafkajs wraps network failures (KafkaJSConnectionError) in retry errors: unwrap to map them. */
export function mapKafkaError(err: unknown, credential?: unknown): AppError {
  if (err instanceof AppError) return err;
  let e = err as { name?: string; message?: string; cause?: unknown; originalError?: unknown; type?: string };
  for (let i = 0; i < 5 && e && (e.originalError || e.cause); i++) {
    const inner = (e.originalError ?? e.cause) as typeof e;
    if (!inner?.name?.startsWith("KafkaJS") && !(inner as { code?: string })?.code) break;
    e = inner;
  }
  const base = mapDriverError(KIND, e, credential);
  if (e?.name === "KafkaJSConnectionError" || e?.name === "KafkaJSConnectionClosedError") {
    return new ConnectorUnavailableError(KIND, base.message, (e as { code?: string }).code ?? "CONNECTION");
  }
  if (e?.name === "KafkaJSProtocolError" && e.type) return new ConnectorError(KIND, base.message, e.type);
  return base;
}

function client(connection: ResolvedConnection): Promise<Client> {
  return pools.get(connection, async () => {
    const kafka = await newKafka(connection);
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    const c: Client = { kafka, producer, connected: false, ready: Promise.resolve() };
    c.ready = producer.connect().then(() => {
      c.connected = true;
    });
    c.ready.catch(() => {});
    return c;
  });
}

async function producerFor(connection: ResolvedConnection): Promise<Producer> {
  const c = await client(connection);
  try {
    await c.ready;
  } catch (err) {
    await pools.evict(connection.trn, c);
    throw err;
  }
  return c.producer;
}

async function evictIfNotConnected(connection: ResolvedConnection) {
  const c = await client(connection).catch(() => undefined);
  if (c && !c.connected) await pools.evict(connection.trn, c);
}

async function consumeBatch(
  connection: ResolvedConnection,
  i: z.output<typeof consumeBatchInput>,
  options: ExecuteOptions,
) {
  let consumer: Consumer | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const taken: ReturnType<typeof fromKafkaMessage>[] = [];
  try {
    return await withDeadline(options, async () => {
      const kafka = await newKafka(connection);
      consumer = kafka.consumer({
        groupId: i.groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: Math.min(1000, Math.max(100, i.waitMs)),
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [i.topic], fromBeginning: i.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
          for (const m of batch.messages) {
            if (taken.length >= i.maxMessages || !isRunning() || isStale()) break;
            taken.push(fromKafkaMessage(batch.topic, batch.partition, m));
            resolveOffset(m.offset);
          }
          if (taken.length >= i.maxMessages) done();
          await Promise.resolve();
        },
      });
      const wait = setTimeout(done, Math.min(i.waitMs, Math.max(0, options.timeoutMs - 200)));
      await finished;
      clearTimeout(wait);
      const offsets = commitOffsets(i.topic, taken);
      if (offsets.length) await consumer.commitOffsets(offsets);
      return { messages: taken, count: taken.length };
    }, {
      kind: KIND,
      what: "consumeBatch",
      credential: connection.credential,
      onAbort: () => done(),
      mapError: (err) => mapKafkaError(err, connection.credential),
    });
  } catch (err) {
    throw mapKafkaError(err, connection.credential);
  } finally {
    await consumer?.disconnect().catch(() => {});
  }
}

const connector: Connector = {
  kind: KIND,
  description: "Kafka: produce messages and consume batches as a consumer group",
  settingsSchema,
  operations: kafkaOperations,
  async test(connection, options) {
    const started = Date.now();
    try {
      const topics = await withDeadline(options, async () => {
        const c = await client(connection);
        const admin = c.kafka.admin();
        try {
          await admin.connect();
          return await admin.listTopics();
        } finally {
          await admin.disconnect().catch(() => {});
        }
      }, {
        kind: KIND,
        what: "connection test",
        credential: connection.credential,
        onAbort: () => evictIfNotConnected(connection),
        mapError: (err) => mapKafkaError(err, connection.credential),
      });
      return { ok: true, topics: topics.length, latencyMs: Date.now() - started };
    } catch (err) {
      throw mapKafkaError(err, connection.credential);
    }
  },
  async execute(connection, operation, input, options) {
    const valid = operationInput(KIND, kafkaOperations, operation, input);
    if (operation === "consumeBatch") {
      return consumeBatch(connection, valid as z.output<typeof consumeBatchInput>, options);
    }
    const p = valid as z.output<typeof produceInput>;
    try {
      return await withDeadline(options, async () => {
        const producer = await producerFor(connection);
        const { CompressionTypes } = await import("kafkajs");
        const records = await producer.send({
          topic: p.topic,
          acks: p.acks,
          timeout: options.timeoutMs,
          compression: p.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: toKafkaMessages(p.messages),
        });
        return { records: fromRecordMetadata(records), count: p.messages.length };
      }, {
        kind: KIND,
        what: operation,
        credential: connection.credential,
        onAbort: () => evictIfNotConnected(connection),
        mapError: (err) => mapKafkaError(err, connection.credential),
      });
    } catch (err) {
      throw mapKafkaError(err, connection.credential);
    }
  },
  close: (trn) => pools.close(trn),
};

export default connector;
