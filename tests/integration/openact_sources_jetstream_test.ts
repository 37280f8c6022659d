/**
 * NATS JetStream durable consumers as an Igniter event source against the real NATS server
 * with JetStream on 127.0.0.1:4222. A message is acknowledged only after Igniter stored the
 * matched firings, so it survives a server that cannot store it and a kill -9 of the server.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
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
  publish,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

/** A raw client, a fresh stream capturing `<root>.>`, and cleanup. */
async function stream(): Promise<{
  nc: NatsConnection;
  name: string;
  root: string;
  consumer(durable: string): Promise<{ ackPending: number; pending: number; redelivered: number }>;
  close(): Promise<void>;
}> {
  const nc = await connect({ servers: "127.0.0.1:4222" });
  const jsm = await jetstreamManager(nc);
  const name = unique("OA").replaceAll("-", "_");
  const root = name.toLowerCase();
  await jsm.streams.add({ name, subjects: [`${root}.>`] });
  return {
    nc,
    name,
    root,
    async consumer(durable) {
      const info = await jsm.consumers.info(name, durable);
      return {
        ackPending: info.num_ack_pending,
        pending: info.num_pending,
        redelivered: info.num_redelivered,
      };
    },
    async close() {
      await jsm.streams.delete(name).catch(() => {});
      await nc.close();
    },
  };
}

Deno.test("a JetStream source acks each message only once Igniter stored it; workflows start", async () => {
  if (!await requireService("NATS", 4222)) return;
  const app = await fullServer();
  const js = await stream();
  try {
    await createConnection(app, "nats-local", "nats");
    await createSourceRule(app, "orders", "on-order");
    const source = await createSource(app, {
      name: "orders",
      connection: "nats-local",
      input: { subject: `${js.root}.orders.*`, jetstream: { stream: js.name, durable: "igniter" } },
    });
    assertEquals(source.status, "running");
    for (let n = 0; n < 5; n++) {
      await publish(app, "nats-local", { subject: `${js.root}.orders.created`, message: { n } });
    }
    const runs = await waitForExecutions(app, "on-order", 5);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2, 3, 4]);
    assertEquals(runs[0].input.detail.subject, `${js.root}.orders.created`);
    await eventually("every message to be acked", async () => {
      const c = await js.consumer("igniter");
      return c.ackPending === 0 && c.pending === 0 ? c : undefined;
    });
    assertEquals((await getSource(app, "orders")).messageCount, 5);
  } finally {
    await app.close();
    await js.close();
  }
});

Deno.test("without Igniter to store it, a JetStream message is not acked and is delivered again", async () => {
  if (!await requireService("NATS", 4222)) return;
  // OpenAct alone: no durable consumer of system events in this server
  const app = await inProcess({ services: [(deps) => createOpenActService(deps)] });
  const js = await stream();
  try {
    await createConnection(app, "nats-local", "nats");
    await createSource(app, {
      name: "orphan",
      connection: "nats-local",
      input: {
        subject: `${js.root}.keep`,
        jetstream: { stream: js.name, durable: "orphan", ackWaitSeconds: 2 },
      },
    });
    js.nc.publish(`${js.root}.keep`, JSON.stringify({ keep: "me" }));
    const failed = await eventually("the delivery failure to be recorded", async () => {
      const s = await getSource(app, "orphan");
      return s.lastError ? s : undefined;
    });
    assertStringIncludes(failed.lastError!, "no durable consumer");
    await eventually("the message to be delivered again", async () => {
      const c = await js.consumer("orphan");
      return c.redelivered >= 1 ? c : undefined;
    });
    await expectStatus(app, "POST", "/api/v1/event-sources/orphan/disable", 200);
    // never acked: still owed by the consumer to whoever consumes next
    const c = await js.consumer("orphan");
    assertEquals(c.ackPending + c.pending >= 1, true, JSON.stringify(c));
  } finally {
    await app.close();
    await js.close();
  }
});

Deno.test("JetStream messages published while the server was killed (-9) start workflows after restart", async () => {
  if (!await requireService("NATS", 4222)) return;
  const server = await startServer();
  const js = await stream();
  try {
    await createConnection(server, "nats-local", "nats");
    await createSourceRule(server, "tasks", "on-task");
    await createSource(server, {
      name: "tasks",
      connection: "nats-local",
      input: { subject: `${js.root}.tasks`, jetstream: { stream: js.name, durable: "tasks" } },
    });
    js.nc.publish(`${js.root}.tasks`, JSON.stringify({ n: 0 }));
    await waitForExecutions(server, "on-task", 1);

    await server.kill();
    for (let n = 1; n <= 3; n++) js.nc.publish(`${js.root}.tasks`, JSON.stringify({ n }));
    await js.nc.flush();
    assertEquals((await js.consumer("tasks")).pending, 3);
    await server.restart();

    const runs = await waitForExecutions(server, "on-task", 4);
    assertEquals(runs.map((r) => r.input.detail.data.n).sort(), [0, 1, 2, 3]);
    await eventually("the consumer to be drained", async () => {
      const c = await js.consumer("tasks");
      return c.pending === 0 && c.ackPending === 0 ? c : undefined;
    });
  } finally {
    await server.stop();
    await js.close();
  }
});

Deno.test("JetStream source input is checked: queue and jetstream together, names, a missing stream", async () => {
  if (!await requireService("NATS", 4222)) return;
  const app = await fullServer();
  try {
    await createConnection(app, "nats-local", "nats");
    const both = await app.json<{ errors: { path: string; message: string }[] }>(
      "POST",
      "/api/v1/event-sources",
      {
        name: "both",
        connection: "nats-local",
        input: { subject: "a.b", queue: "q", jetstream: { stream: "S", durable: "d" } },
      },
    );
    assertEquals(both.status, 400);
    assertEquals(both.body.errors[0].path, "/input/queue");
    const badName = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/event-sources", {
      name: "bad",
      connection: "nats-local",
      input: { subject: "a.b", jetstream: { stream: "S", durable: "has.dot" } },
    });
    assertEquals([badName.status, badName.body.errors[0].path], [400, "/input/jetstream/durable"]);
    const missing = await createSource(app, {
      name: "missing",
      connection: "nats-local",
      input: {
        subject: "nowhere.x",
        jetstream: { stream: unique("NOPE").replaceAll("-", "_"), durable: "d" },
      },
    });
    const errored = missing.lastError ? missing : await eventually("the subscribe error", async () => {
      const s = await getSource(app, "missing");
      return s.lastError ? s : undefined;
    });
    assertStringIncludes(errored.lastError!, "no JetStream stream");
  } finally {
    await app.close();
  }
});
