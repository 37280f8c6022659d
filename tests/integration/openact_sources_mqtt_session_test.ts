/**
 * MQTT event sources on a persistent session against the real Mosquitto on 127.0.0.1:1883: the
 * broker queues QoS 1 messages while the source is away, and a message is acknowledged only
 * after Igniter stored it, so it survives a stop, a server that cannot store it and a kill -9.
 */
import mqtt from "mqtt";
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { startServer } from "../helpers/server.ts";
import { createOpenActService } from "../../services/openact/mod.ts";
import {
  createConnection,
  createSource,
  createSourceRule,
  eventually,
  expectStatus,
  fullServer,
  getSource,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

/** Publishes QoS 1 messages with a plain client (the broker has them when this resolves). */
async function send(topic: string, messages: unknown[]) {
  const client = await mqtt.connectAsync("mqtt://127.0.0.1:1883", { clientId: unique("pub") });
  try {
    for (const m of messages) await client.publishAsync(topic, JSON.stringify(m), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** Ends a session for good: connect with its client id and a clean session. */
async function endSession(clientId: string) {
  const client = await mqtt.connectAsync("mqtt://127.0.0.1:1883", { clientId, clean: true });
  await client.endAsync();
}

Deno.test("a persistent-session MQTT source gets the messages published while it was disabled", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const app = await fullServer();
  const topic = `aionix/${unique("meters")}/reading`;
  const clientId = unique("meters");
  try {
    await createConnection(app, "mosquitto", "mqtt");
    await createSourceRule(app, "meters", "on-meter");
    const source = await createSource(app, {
      name: "meters",
      connection: "mosquitto",
      input: { topic, qos: 1, session: { clientId } },
    });
    assertEquals(source.status, "running");
    await send(topic, [{ n: 0 }]);
    await waitForExecutions(app, "on-meter", 1);
    await expectStatus(app, "POST", "/api/v1/event-sources/meters/disable", 200);
    await send(topic, [{ n: 1 }, { n: 2 }]);
    await expectStatus(app, "POST", "/api/v1/event-sources/meters/enable", 200);
    const runs = await waitForExecutions(app, "on-meter", 3);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2]);
    assertEquals((await getSource(app, "meters")).messageCount, 3);
  } finally {
    await app.close();
    await endSession(clientId);
  }
});

Deno.test("without Igniter to store it, a persistent-session MQTT message is not acknowledged", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  // OpenAct alone: no durable consumer of system events in this server
  const app = await inProcess({ services: [(deps) => createOpenActService(deps)] });
  const topic = `aionix/${unique("keep")}/x`;
  const clientId = unique("keep");
  try {
    await createConnection(app, "mosquitto", "mqtt");
    await createSource(app, {
      name: "orphan",
      connection: "mosquitto",
      input: { topic, session: { clientId } },
    });
    await send(topic, [{ keep: "me" }]);
    const failed = await eventually("the delivery failure to be recorded", async () => {
      const s = await getSource(app, "orphan");
      return s.lastError ? s : undefined;
    });
    assertStringIncludes(failed.lastError!, "no durable consumer");
    await expectStatus(app, "POST", "/api/v1/event-sources/orphan/disable", 200);
    // The broker still owes the session that message: it comes again, marked as a duplicate.
    const got = await new Promise<{ payload: string; dup: boolean }>((resolve, reject) => {
      const client = mqtt.connect("mqtt://127.0.0.1:1883", { clientId, clean: false });
      const timer = setTimeout(() => reject(new Error("no redelivery within 10 s")), 10_000);
      client.on("message", (_t, payload, packet) => {
        clearTimeout(timer);
        client.end();
        resolve({ payload: payload.toString(), dup: packet.dup });
      });
      client.on("connect", () => client.subscribe(topic, { qos: 1 }));
    });
    assertEquals(JSON.parse(got.payload), { keep: "me" });
  } finally {
    await app.close();
    await endSession(clientId);
  }
});

Deno.test("MQTT messages published while the server was killed (-9) start workflows after restart", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const server = await startServer();
  const topic = `aionix/${unique("crash")}/job`;
  const clientId = unique("crash");
  try {
    await createConnection(server, "mosquitto", "mqtt");
    await createSourceRule(server, "jobs", "on-job");
    await createSource(server, {
      name: "jobs",
      connection: "mosquitto",
      input: { topic, session: { clientId } },
    });
    await send(topic, [{ n: 0 }]);
    await waitForExecutions(server, "on-job", 1);

    await server.kill();
    await send(topic, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await server.restart();

    const runs = await waitForExecutions(server, "on-job", 4);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2, 3]);
  } finally {
    await server.stop();
    await endSession(clientId);
  }
});

Deno.test("a persistent session needs QoS 1 or 2 and a plain client id", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const app = await fullServer();
  try {
    await createConnection(app, "mosquitto", "mqtt");
    const qos0 = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/event-sources", {
      name: "q0",
      connection: "mosquitto",
      input: { topic: "a/b", qos: 0, session: { clientId: "x" } },
    });
    assertEquals([qos0.status, qos0.body.errors[0].path], [400, "/input/qos"]);
    const badId = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/event-sources", {
      name: "id",
      connection: "mosquitto",
      input: { topic: "a/b", session: { clientId: "has space" } },
    });
    assertEquals([badId.status, badId.body.errors[0].path], [400, "/input/session/clientId"]);
  } finally {
    await app.close();
  }
});
