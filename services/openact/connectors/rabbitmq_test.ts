import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import rmq from "./rabbitmq.ts";
import {
  ConnectorCancelledError,
  ConnectorError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { eventually, opts, silentServer, testConnection, uniqueName } from "./shared/testing.ts";

const conn = (extra: Record<string, unknown> = {}) =>
  testConnection("rabbitmq", { host: "127.0.0.1", port: 5672, user: "guest", ...extra }, {
    credential: "guest",
  });
type Msg = { message: null | { data: unknown; headers: Record<string, unknown>; redelivered: boolean } };

async function withQueue(fn: (queue: string, c: ReturnType<typeof conn>) => Promise<void>) {
  const c = conn();
  const queue = uniqueName("oa_rq");
  await rmq.execute(c, "declareQueue", { queue, durable: false }, opts());
  try {
    await fn(queue, c);
  } finally {
    await rmq.execute(c, "deleteQueue", { queue }, opts()).catch(() => {});
    await rmq.close();
  }
}

Deno.test("rabbitmq test() opens a channel on the real broker", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  try {
    const r = await rmq.test(conn(), opts());
    assertEquals([r.ok, r.server], [true, "RabbitMQ"]);
  } finally {
    await rmq.close();
  }
});

Deno.test("rabbitmq publish to a queue is confirmed and consumeOne takes it once", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  await withQueue(async (queue, c) => {
    const p = await rmq.execute(
      c,
      "publish",
      { queue, message: { id: 7 }, headers: { src: "t" } },
      opts(),
    ) as {
      published: boolean;
      routed: boolean;
    };
    assertEquals([p.published, p.routed], [true, true]);
    const got = await rmq.execute(c, "consumeOne", { queue }, opts()) as Msg;
    assertEquals(got.message?.data, { id: 7 });
    assertEquals(got.message?.headers, { src: "t" });
    assertEquals(await rmq.execute(c, "consumeOne", { queue }, opts()), { message: null });
  });
});

Deno.test("rabbitmq publish reports routed=false when no queue takes the message", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  try {
    const r = await rmq.execute(conn(), "publish", { queue: uniqueName("oa_none"), message: "x" }, opts());
    assertEquals((r as { routed: boolean }).routed, false);
  } finally {
    await rmq.close();
  }
});

Deno.test("rabbitmq topic exchange routes by pattern; consumeOne with requeue peeks", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  await withQueue(async (queue, c) => {
    const exchange = uniqueName("oa_ex");
    await rmq.execute(
      c,
      "declareExchange",
      { exchange, type: "topic", durable: false, autoDelete: true },
      opts(),
    );
    await rmq.execute(c, "bindQueue", { queue, exchange, routingKey: "orders.*" }, opts());
    await rmq.execute(c, "publish", { exchange, routingKey: "orders.created", message: "o1" }, opts());
    const unrouted = await rmq.execute(
      c,
      "publish",
      { exchange, routingKey: "users.created", message: "u1" },
      opts(),
    );
    assertEquals((unrouted as { routed: boolean }).routed, false);
    const peek = await rmq.execute(c, "consumeOne", { queue, requeue: true }, opts()) as Msg;
    assertEquals(peek.message?.data, "o1");
    const again = await rmq.execute(c, "consumeOne", { queue }, opts()) as Msg;
    assertEquals([again.message?.data, again.message?.redelivered], ["o1", true]);
    assertEquals(await rmq.execute(c, "purgeQueue", { queue }, opts()), { messageCount: 0 });
  });
});

Deno.test("rabbitmq broker errors carry the AMQP code and the next call gets a fresh channel", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  await withQueue(async (queue, c) => {
    const err = await assertRejects(
      () => rmq.execute(c, "consumeOne", { queue: uniqueName("oa_missing") }, opts()),
      ConnectorError,
      "NOT_FOUND",
    );
    assertEquals(err.code, "404");
    await rmq.execute(c, "publish", { queue, message: 1 }, opts());
    assertEquals(((await rmq.execute(c, "consumeOne", { queue }, opts())) as Msg).message?.data, 1);
  });
});

Deno.test("rabbitmq subscribe acks delivered messages until stopped, then messages stay queued", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  await withQueue(async (queue, c) => {
    const got: { subject: string; data: unknown }[] = [];
    const stop = await rmq.subscribe!(c, { queue, prefetch: 5 }, (m) => got.push(m));
    try {
      for (let i = 0; i < 3; i++) await rmq.execute(c, "publish", { queue, message: { i } }, opts());
      await eventually(() => got.length === 3);
      assertEquals(got.map((m) => [m.subject, m.data]), [[queue, { i: 0 }], [queue, { i: 1 }], [queue, {
        i: 2,
      }]]);
    } finally {
      await stop();
    }
    await rmq.execute(c, "publish", { queue, message: "later" }, opts());
    assertEquals(((await rmq.execute(c, "consumeOne", { queue }, opts())) as Msg).message?.data, "later");
    assertEquals(got.length, 3);
  });
});

Deno.test("rabbitmq pools one AMQP connection per revision; close() ends it", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  const c = conn();
  const queue = uniqueName("oa_excl");
  try {
    // an exclusive queue is usable only from the connection that declared it
    await rmq.execute(c, "declareQueue", { queue, durable: false, exclusive: true }, opts());
    await rmq.execute(c, "publish", { queue, message: "mine" }, opts());
    assertEquals(((await rmq.execute(c, "consumeOne", { queue }, opts())) as Msg).message?.data, "mine");
    const other = await assertRejects(
      () => rmq.execute({ ...c, revision: "2" }, "consumeOne", { queue }, opts()),
      ConnectorError,
    );
    assert(other.code === "405" || other.code === "404", `code ${other.code}`);
    await rmq.close(c.trn);
    // the exclusive queue died with its connection
    await eventually(async () => {
      const e = await rmq.execute(c, "consumeOne", { queue }, opts()).catch((e) => e);
      return e instanceof ConnectorError && e.code === "404";
    });
  } finally {
    await rmq.close();
  }
});

Deno.test("rabbitmq timeout and cancellation against a broker that never answers fail promptly", async () => {
  const silent = silentServer();
  const c = testConnection("rabbitmq", { port: silent.port, connectTimeoutMs: 1000 });
  try {
    const started = Date.now();
    await assertRejects(() => rmq.execute(c, "consumeOne", { queue: "q" }, opts(200)), ConnectorTimeoutError);
    assert(Date.now() - started < 900);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => rmq.execute(c, "consumeOne", { queue: "q" }, opts(10_000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await rmq.close();
    silent.close();
  }
});

Deno.test("rabbitmq unreachable broker is a 503 without the password", async () => {
  const c = testConnection("rabbitmq", { port: 1 }, { credential: "s3cret-pass" });
  const err = await assertRejects(() => rmq.test(c, opts()), ConnectorUnavailableError);
  assert(!err.message.includes("s3cret-pass"));
  await assertRejects(() => rmq.subscribe!(c, { queue: "q" }, () => {}), ConnectorUnavailableError);
  await rmq.close();
});

Deno.test("rabbitmq bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const cases: [string, unknown, string][] = [
    ["publish", { message: "x" }, "/input/queue"],
    ["publish", { queue: "q" }, "/input/message"],
    ["publish", { queue: "q", exchange: "e", message: 1 }, "/input/queue"],
    ["declareExchange", { exchange: "e", type: "weird" }, "/input/type"],
    ["consumeOne", { queue: "" }, "/input/queue"],
    ["publish", { queue: "q", message: 1, priority: 300 }, "/input/priority"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => rmq.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const sub = await assertRejects(() => rmq.subscribe!(c, {}, () => {}), ValidationError);
  assertEquals(sub.errors[0].path, "/input/queue");
  await rmq.close();
});

Deno.test("rabbitmq operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(rmq.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
