/**
 * Redis pub/sub as an Igniter event source, end to end with every real service in-process and
 * the real Redis on 127.0.0.1:6379: PUBLISH → OpenAct subscription → aionix.openact event →
 * Igniter rule → StepFlow execution whose input holds the message.
 */
import { assertEquals } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import {
  assertDelivered,
  createConnection,
  createSource,
  createWorkflowRule,
  expectStatus,
  finishedExecutions,
  fullServer,
  getSource,
  publish,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

Deno.test("a Redis PUBLISH on a subscribed channel starts the rule's workflow with the message as input", async () => {
  if (!await requireService("Redis", 6379)) return;
  const app = await fullServer();
  try {
    const channel = unique("orders");
    await createConnection(app, "my-redis", "redis");
    await createWorkflowRule(app, "redis-orders", {
      source: ["aionix.openact"],
      detail: { kind: ["redis"], eventSource: ["orders"] },
    }, "on-order");
    const source = await createSource(app, {
      name: "orders",
      connection: "redis/my-redis",
      input: { channels: [channel] },
    });
    assertEquals([source.status, source.kind, source.trn, source.detailType], [
      "running",
      "redis",
      "trn:openact:default:event-source/orders",
      "Message Received",
    ]);
    await publish(app, "my-redis", { channel, message: { orderId: "o-1", total: 42 } });
    await assertDelivered(app, {
      template: "on-order",
      rule: "redis-orders",
      source: "orders",
      kind: "redis",
      subject: channel,
      data: { orderId: "o-1", total: 42 },
    });
  } finally {
    await app.close();
  }
});

Deno.test("a Redis pattern source uses its detailType; disable stops delivery and enable resumes it", async () => {
  if (!await requireService("Redis", 6379)) return;
  const app = await fullServer();
  try {
    const prefix = unique("sensors");
    await createConnection(app, "cache", "redis");
    await createWorkflowRule(app, "readings", {
      source: ["aionix.openact"],
      "detail-type": ["Sensor Reading"],
      detail: { kind: ["redis"], data: { celsius: [{ numeric: [">", 30] }] } },
    }, "on-reading");
    await createSource(app, {
      name: "sensors",
      connection: "trn:openact:default:connection/redis/cache",
      input: { patterns: [`${prefix}.*`] },
      detailType: "Sensor Reading",
    });
    const publishReading = (room: string, celsius: number) =>
      publish(app, "cache", { channel: `${prefix}.${room}`, message: { celsius } });
    await publishReading("kitchen", 35);
    await publishReading("cellar", 12); // received, but the rule does not match
    const [hot] = await waitForExecutions(app, "on-reading", 1);
    assertEquals(hot.input["detail-type"], "Sensor Reading");
    assertEquals([hot.input.detail.subject, hot.input.detail.data], [`${prefix}.kitchen`, { celsius: 35 }]);

    const disabled = await expectStatus(app, "POST", "/api/v1/event-sources/sensors/disable", 200);
    assertEquals([disabled.enabled, disabled.status], [false, "stopped"]);
    await publishReading("attic", 40); // nobody subscribed: Redis pub/sub drops it
    const enabled = await expectStatus(app, "POST", "/api/v1/event-sources/sensors/enable", 200);
    assertEquals([enabled.enabled, enabled.status], [true, "running"]);
    await publishReading("garage", 31);
    const all = await waitForExecutions(app, "on-reading", 2);
    assertEquals(all.map((e) => e.input.detail.subject), [`${prefix}.kitchen`, `${prefix}.garage`]);
    const source = await getSource(app, "sensors");
    assertEquals(source.messageCount, 3); // kitchen, cellar, garage
    await new Promise((r) => setTimeout(r, 300));
    assertEquals((await finishedExecutions(app, "on-reading")).length, 2);

    const gone = await expectStatus(app, "DELETE", "/api/v1/event-sources/sensors", 200);
    assertEquals(gone.status, "stopped");
    await expectStatus(app, "GET", "/api/v1/event-sources/sensors", 404);
  } finally {
    await app.close();
  }
});

Deno.test("a Redis source whose server is unreachable reports status error with lastError, then recovers when fixed", async () => {
  if (!await requireService("Redis", 6379)) return;
  const app = await fullServer();
  try {
    // port 1 refuses connections
    await createConnection(app, "broken", "redis", { port: 1, connectTimeoutMs: 500 });
    const source = await createSource(app, {
      name: "broken-src",
      connection: "broken",
      input: { channels: ["x"] },
    });
    assertEquals(source.status, "error");
    assertEquals(typeof source.lastError, "string");
    assertEquals(source.lastError!.length > 0, true);
    // fixing the connection re-subscribes its sources
    await expectStatus(app, "PUT", "/api/v1/connections/broken", 200, { settings: { port: 6379 } });
    assertEquals((await getSource(app, "broken-src")).status, "running");
    // a connection with a live event source cannot be deleted
    const refused = await expectStatus(app, "DELETE", "/api/v1/connections/broken", 409);
    assertEquals(String(refused.detail).includes("broken-src"), true, JSON.stringify(refused));
  } finally {
    await app.close();
  }
});
