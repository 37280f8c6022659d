/**
 * NATS subjects as an Igniter event source against the real NATS server on 127.0.0.1:4222:
 * a publish on a matching subject starts the rule's workflow with the message as input.
 */
import { assertEquals } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import {
  assertDelivered,
  createConnection,
  createSource,
  createWorkflowRule,
  fullServer,
  getSource,
  publish,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

Deno.test("a NATS publish on a subscribed wildcard subject starts the rule's workflow with the message", async () => {
  if (!await requireService("NATS", 4222)) return;
  const app = await fullServer();
  try {
    const root = unique("shop").replace("-", "_");
    await createConnection(app, "nats-local", "nats");
    await createWorkflowRule(app, "shop-events", {
      source: ["aionix.openact"],
      detail: { kind: ["nats"], data: { total: [{ numeric: [">=", 100] }] } },
    }, "on-shop-event");
    const source = await createSource(app, {
      name: "shop",
      connection: "trn:openact:default:connection/nats/nats-local",
      input: { subject: `${root}.orders.>` },
    });
    assertEquals(source.status, "running");
    await publish(app, "nats-local", {
      subject: `${root}.orders.eu.created`,
      message: { orderId: "n-9", total: 120 },
    });
    await assertDelivered(app, {
      template: "on-shop-event",
      rule: "shop-events",
      source: "shop",
      kind: "nats",
      subject: `${root}.orders.eu.created`,
      data: { orderId: "n-9", total: 120 },
    });
  } finally {
    await app.close();
  }
});

Deno.test("two NATS sources in one queue group share the messages: each message starts one workflow", async () => {
  if (!await requireService("NATS", 4222)) return;
  const app = await fullServer();
  try {
    const subject = `${unique("jobs").replace("-", "_")}.run`;
    await createConnection(app, "nats-local", "nats");
    await createWorkflowRule(
      app,
      "jobs",
      { source: ["aionix.openact"], detail: { kind: ["nats"] } },
      "on-job",
    );
    for (const name of ["worker-a", "worker-b"]) {
      await createSource(app, { name, connection: "nats-local", input: { subject, queue: "workers" } });
    }
    for (let n = 0; n < 6; n++) {
      await publish(app, "nats-local", { subject, message: { n } });
    }
    const runs = await waitForExecutions(app, "on-job", 6);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2, 3, 4, 5]);
    const counts = await Promise.all(
      ["worker-a", "worker-b"].map(async (n) => (await getSource(app, n)).messageCount),
    );
    assertEquals(counts[0] + counts[1], 6);
  } finally {
    await app.close();
  }
});
