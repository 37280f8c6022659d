/**
 * No Kafka broker runs on our machines: these are driver-level tests (validation, mappings,
 * unreachable/silent broker behaviour). Produce/consume are not exercised against a broker.
 */
import { Buffer } from "node:buffer";
import { assert, assertEquals, assertRejects, assertThrows } from "../../../tests/helpers/assert.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import kafka from "./kafka.ts";
import {
  commitOffsets,
  fromKafkaMessage,
  fromRecordMetadata,
  kafkaConfig,
  settingsSchema,
  toKafkaMessages,
} from "./kafka_ops.ts";
import {
  ConnectorCancelledError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { opts, silentServer, testConnection } from "./shared/testing.ts";

const unreachable = (extra: Record<string, unknown> = {}) =>
  testConnection("kafka", { brokers: ["127.0.0.1:1"], retries: 0, ...extra }, { credential: "s3cret-pass" });

Deno.test("kafka settings map to a kafkajs config with the SASL password from the credential", () => {
  const s = settingsSchema.parse({
    brokers: ["b1:9092", "b2:9092"],
    ssl: true,
    sasl: { mechanism: "scram-sha-512", username: "app" },
  });
  const config = kafkaConfig(s, "pw");
  assertEquals(config.brokers, ["b1:9092", "b2:9092"]);
  assertEquals(config.ssl, true);
  assertEquals(config.sasl, { mechanism: "scram-sha-512", username: "app", password: "pw" } as never);
  assertEquals(config.retry?.retries, 2);
  const err = assertThrows(() => kafkaConfig(s, undefined), ValidationError);
  assertEquals(err.errors[0].path, "/settings/sasl");
  assertEquals(kafkaConfig(settingsSchema.parse({ brokers: ["b:1"] }), undefined).sasl, undefined);
});

Deno.test("kafka produce input maps to kafkajs messages: JSON values, keys, headers, tombstones", () => {
  const messages = toKafkaMessages([
    { key: "k1", value: { order: 1 }, headers: { "x-src": "t" } },
    { value: "plain", partition: 2, timestamp: 1700000000000 },
    { key: "gone", value: null },
  ]);
  assertEquals(messages, [
    { key: "k1", value: '{"order":1}', headers: { "x-src": "t" } },
    { key: null, value: "plain", partition: 2, timestamp: "1700000000000" },
    { key: "gone", value: null },
  ]);
});

Deno.test("kafka consumed messages map to JSON; commits are one past the last offset per partition", () => {
  const out = fromKafkaMessage("orders", 3, {
    key: Buffer.from("k"),
    value: Buffer.from('{"a":1}'),
    headers: { h: Buffer.from("v"), multi: [Buffer.from("1"), Buffer.from("2")] },
    offset: "41",
    timestamp: "1700000000000",
    attributes: 0,
    size: 0,
  } as never);
  assertEquals(out, {
    topic: "orders",
    partition: 3,
    offset: "41",
    key: "k",
    data: { a: 1 },
    raw: '{"a":1}',
    headers: { h: "v", multi: "2" },
    timestamp: 1700000000000,
  });
  assertEquals(
    commitOffsets("t", [{ partition: 0, offset: "5" }, { partition: 1, offset: "9" }, {
      partition: 0,
      offset: "7",
    }]),
    [{ topic: "t", partition: 0, offset: "8" }, { topic: "t", partition: 1, offset: "10" }],
  );
  assertEquals(fromRecordMetadata([{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "12" }]), [
    { topic: "t", partition: 0, baseOffset: "12", errorCode: 0 },
  ]);
});

Deno.test("kafka unreachable broker is a 503 for produce, consumeBatch and test, without the password", async () => {
  const c = unreachable();
  try {
    for (
      const run of [
        () => kafka.execute(c, "produce", { topic: "t", messages: [{ value: 1 }] }, opts()),
        () => kafka.execute(c, "consumeBatch", { topic: "t", groupId: "g" }, opts()),
        () => kafka.test(c, opts()),
      ]
    ) {
      const err = await assertRejects(run, ConnectorUnavailableError);
      assertEquals(err.status, 503);
      assert(err.message.includes("ECONNREFUSED"), err.message);
      assert(!err.message.includes("s3cret-pass"));
    }
  } finally {
    await kafka.close();
  }
});

Deno.test("kafka timeout and cancellation against a broker that never answers fail promptly", async () => {
  const silent = silentServer();
  const c = testConnection("kafka", {
    brokers: [`127.0.0.1:${silent.port}`],
    retries: 0,
    requestTimeoutMs: 1000,
  });
  try {
    const started = Date.now();
    await assertRejects(
      () => kafka.execute(c, "produce", { topic: "t", messages: [{ value: 1 }] }, opts(200)),
      ConnectorTimeoutError,
    );
    assert(Date.now() - started < 900);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => kafka.execute(c, "consumeBatch", { topic: "t", groupId: "g" }, opts(10_000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await kafka.close();
    silent.close();
  }
});

Deno.test("kafka bad input is a ValidationError naming the field", async () => {
  const c = unreachable();
  const cases: [string, unknown, string][] = [
    ["produce", { topic: "t", messages: [] }, "/input/messages"],
    ["produce", { topic: "t", messages: [{ key: "k" }] }, "/input/messages/0/value"],
    ["produce", { topic: "bad topic", messages: [{ value: 1 }] }, "/input/topic"],
    ["produce", { topic: "t", messages: [{ value: 1 }], acks: 2 }, "/input/acks"],
    ["consumeBatch", { topic: "t" }, "/input/groupId"],
    ["consumeBatch", { topic: "t", groupId: "g", maxMessages: 0 }, "/input/maxMessages"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => kafka.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const s = await assertRejects(
    () => kafka.test(testConnection("kafka", { brokers: ["nohostport"] }), opts()),
    ValidationError,
  );
  assertEquals(s.errors[0].path, "/settings/brokers/0");
  await kafka.close();
});

Deno.test("kafka operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(kafka.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
