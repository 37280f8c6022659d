/**
 * RabbitMQ queues as an Igniter event source against the real RabbitMQ on 127.0.0.1:5672
 * (guest/guest). A delivery is acknowledged only after Igniter stored the matched firings, so
 * messages survive a server that cannot store them and a kill -9 of the server.
 */
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { startServer } from "../helpers/server.ts";
import { createOpenActService } from "../../services/openact/mod.ts";
import {
  assertDelivered,
  createConnection,
  createSource,
  createSourceRule,
  createWorkflowRule,
  eventually,
  expectStatus,
  fullServer,
  getSource,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

/** A raw AMQP client, independent of the server under test. */
async function broker() {
  const conn = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
  const ch = await conn.createConfirmChannel();
  return {
    ch,
    async send(queue: string, body: unknown) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: "application/json",
      });
      await ch.waitForConfirms();
    },
    async depth(queue: string) {
      return (await ch.checkQueue(queue)).messageCount;
    },
    async close() {
      await conn.close().catch(() => {});
    },
  };
}

Deno.test("a RabbitMQ message starts the rule's workflow with its data, and is acked only then", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  const app = await fullServer();
  const raw = await broker();
  const queue = unique("oa-src");
  try {
    await createConnection(app, "rmq", "rabbitmq");
    await createWorkflowRule(
      app,
      "jobs",
      { source: ["aionix.openact"], detail: { kind: ["rabbitmq"] } },
      "on-job",
    );
    const source = await createSource(app, {
      name: "jobs-queue",
      connection: "rabbitmq/rmq",
      input: { queue, declare: true },
    });
    assertEquals(source.status, "running");
    await raw.send(queue, { job: "resize", id: 7 });
    await assertDelivered(app, {
      template: "on-job",
      rule: "jobs",
      source: "jobs-queue",
      kind: "rabbitmq",
      subject: queue,
      data: { job: "resize", id: 7 },
    });
    await eventually("the queue to drain", async () => (await raw.depth(queue)) === 0 ? true : undefined);
  } finally {
    await app.close();
    await raw.ch.deleteQueue(queue).catch(() => {});
    await raw.close();
  }
});

Deno.test("without Igniter to store it, a RabbitMQ message is never acked and stays in the queue", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  // OpenAct alone: no durable consumer of system events in this server
  const app = await inProcess({ services: [(deps) => createOpenActService(deps)] });
  const raw = await broker();
  const queue = unique("oa-noack");
  try {
    await raw.ch.assertQueue(queue, { durable: true });
    await createConnection(app, "rmq", "rabbitmq");
    await createSource(app, { name: "orphan", connection: "rmq", input: { queue } });
    await raw.send(queue, { keep: "me" });
    const failed = await eventually("the delivery failure to be recorded", async () => {
      const s = await getSource(app, "orphan");
      return s.lastError ? s : undefined;
    });
    assertStringIncludes(failed.lastError!, "no durable consumer");
    assertEquals(failed.messageCount >= 1, true);
    await expectStatus(app, "POST", "/api/v1/event-sources/orphan/disable", 200);
    // the unacked message went back to the queue when the consumer stopped
    await eventually(
      "the message to be back in the queue",
      async () => (await raw.depth(queue)) === 1 ? true : undefined,
    );
    const back = await raw.ch.get(queue, { noAck: true });
    assertEquals(back && JSON.parse(back.content.toString()), { keep: "me" });
  } finally {
    await app.close();
    await raw.ch.deleteQueue(queue).catch(() => {});
    await raw.close();
  }
});

Deno.test("messages queued while the server was killed (-9) start workflows after it restarts", async () => {
  if (!await requireService("RabbitMQ", 5672)) return;
  const server = await startServer();
  const raw = await broker();
  const queue = unique("oa-crash");
  try {
    await createConnection(server, "rmq", "rabbitmq");
    await createSourceRule(server, "tasks", "on-task");
    await createSource(server, { name: "tasks", connection: "rmq", input: { queue, declare: true } });
    await raw.send(queue, { n: 0 });
    await waitForExecutions(server, "on-task", 1);

    await server.kill();
    for (let n = 1; n <= 3; n++) await raw.send(queue, { n });
    assertEquals(await raw.depth(queue), 3);
    await server.restart();

    const runs = await waitForExecutions(server, "on-task", 4);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2, 3]);
    await eventually("the queue to drain", async () => (await raw.depth(queue)) === 0 ? true : undefined);
    const source = await getSource(server, "tasks");
    assertEquals([source.status, source.messageCount], ["running", 3]);
  } finally {
    await server.stop();
    await raw.ch.deleteQueue(queue).catch(() => {});
    await raw.close();
  }
});
