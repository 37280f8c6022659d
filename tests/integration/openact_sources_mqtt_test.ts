/**
 * MQTT topic filters as an Igniter event source against the real Mosquitto on 127.0.0.1:1883:
 * a publish on a matching topic starts the rule's workflow with the message as input.
 */
import { assertEquals } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import {
  assertDelivered,
  createConnection,
  createSource,
  createSourceRule,
  createWorkflowRule,
  fullServer,
  getSource,
  publish,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

Deno.test("an MQTT publish on a subscribed topic filter starts the rule's workflow with the message", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const app = await fullServer();
  try {
    const base = `aionix/${unique("plant")}`;
    await createConnection(app, "mosquitto", "mqtt");
    await createWorkflowRule(app, "telemetry", {
      source: ["aionix.openact"],
      detail: { kind: ["mqtt"], subject: [{ prefix: `${base}/line-1/` }] },
    }, "on-telemetry");
    const source = await createSource(app, {
      name: "plant-floor",
      connection: "mqtt/mosquitto",
      input: { topic: `${base}/#`, qos: 1 },
    });
    assertEquals([source.status, source.input.qos], ["running", 1]);
    await publish(app, "mosquitto", { topic: `${base}/line-1/temp`, message: { celsius: 71.5 }, qos: 1 });
    await assertDelivered(app, {
      template: "on-telemetry",
      rule: "telemetry",
      source: "plant-floor",
      kind: "mqtt",
      subject: `${base}/line-1/temp`,
      data: { celsius: 71.5 },
    });
  } finally {
    await app.close();
  }
});

Deno.test("an MQTT source with several topics delivers plain-text payloads as strings", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const app = await fullServer();
  try {
    const base = `aionix/${unique("doors")}`;
    await createConnection(app, "mosquitto", "mqtt");
    await createSourceRule(app, "doors", "on-door");
    await createSource(app, {
      name: "doors",
      connection: "mosquitto",
      input: { topics: [`${base}/front`, `${base}/back`] },
    });
    for (const [door, state] of [["front", "open"], ["side", "open"], ["back", "closed"]]) {
      await publish(app, "mosquitto", { topic: `${base}/${door}`, message: state });
    }
    const runs = await waitForExecutions(app, "on-door", 2);
    assertEquals(runs.map((r) => [r.input.detail.subject, r.input.detail.data]).sort(), [
      [`${base}/back`, "closed"],
      [`${base}/front`, "open"],
    ]);
    assertEquals((await getSource(app, "doors")).messageCount, 2); // the side door is not subscribed
  } finally {
    await app.close();
  }
});

Deno.test("a retained MQTT message reaches a new source's rule marked retained: true", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const app = await fullServer();
  const topic = `aionix/${unique("config")}/mode`;
  const publishRetained = (message: unknown) => publish(app, "mosquitto", { topic, message, retain: true });
  try {
    await createConnection(app, "mosquitto", "mqtt");
    await createWorkflowRule(
      app,
      "modes",
      { source: ["aionix.openact"], detail: { kind: ["mqtt"] } },
      "on-mode",
    );
    await publishRetained({ mode: "eco" }); // before anyone subscribes
    await createSource(app, { name: "modes", connection: "mosquitto", input: { topic } });
    const [run] = await waitForExecutions(app, "on-mode", 1);
    assertEquals([run.input.detail.data, run.input.detail.retained], [{ mode: "eco" }, true]);
  } finally {
    await publishRetained("").catch(() => {}); // an empty retained payload clears it
    await app.close();
  }
});
