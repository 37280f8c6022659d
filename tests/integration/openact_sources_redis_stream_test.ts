/**
 * Redis streams as an Igniter event source through a consumer group, against the real Redis on
 * 127.0.0.1:6379. An entry is XACKed only after Igniter stored the matched firings, so it
 * survives a server that cannot store it and a kill -9 of the server.
 */
import { Redis } from "ioredis";
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

async function raw() {
  const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
  await redis.connect();
  return {
    redis,
    add: (key: string, fields: Record<string, string>) =>
      redis.xadd(key, "*", ...Object.entries(fields).flat()),
    /** Entries delivered to the group and not acknowledged yet. */
    pending: async (key: string, group: string) =>
      Number(((await redis.xpending(key, group)) as [number])[0]),
    async close(key: string) {
      await redis.del(key);
      redis.disconnect();
    },
  };
}

Deno.test("a Redis stream source XACKs each entry once Igniter stored it; workflows start", async () => {
  if (!await requireService("Redis", 6379)) return;
  const app = await fullServer();
  const r = await raw();
  const key = unique("oa-stream");
  try {
    await createConnection(app, "redis-local", "redis");
    await createSourceRule(app, "orders", "on-order");
    const source = await createSource(app, {
      name: "orders",
      connection: "redis-local",
      input: { stream: { key } },
    });
    assertEquals(source.status, "running");
    for (let n = 0; n < 4; n++) await r.add(key, { order: JSON.stringify({ n }), note: "plain text" });
    const runs = await waitForExecutions(app, "on-order", 4);
    assertEquals(runs.map((x) => x.input.detail.data.order.n).sort(), [0, 1, 2, 3]);
    assertEquals(runs[0].input.detail.data.note, "plain text");
    assertEquals(runs[0].input.detail.subject, key);
    await eventually(
      "every entry to be acked",
      async () => (await r.pending(key, "aionix")) === 0 ? true : undefined,
    );
  } finally {
    await app.close();
    await r.close(key);
  }
});

Deno.test("without Igniter to store it, a Redis stream entry stays pending in the group", async () => {
  if (!await requireService("Redis", 6379)) return;
  // OpenAct alone: no durable consumer of system events in this server
  const app = await inProcess({ services: [(deps) => createOpenActService(deps)] });
  const r = await raw();
  const key = unique("oa-stream-noack");
  try {
    await createConnection(app, "redis-local", "redis");
    await createSource(app, { name: "orphan", connection: "redis-local", input: { stream: { key } } });
    await r.add(key, { keep: "me" });
    const failed = await eventually("the delivery failure to be recorded", async () => {
      const s = await getSource(app, "orphan");
      return s.lastError ? s : undefined;
    });
    assertStringIncludes(failed.lastError!, "no durable consumer");
    await expectStatus(app, "POST", "/api/v1/event-sources/orphan/disable", 200);
    assertEquals(await r.pending(key, "aionix"), 1);
  } finally {
    await app.close();
    await r.close(key);
  }
});

Deno.test("stream entries added while the server was killed (-9), or left pending, start workflows after restart", async () => {
  if (!await requireService("Redis", 6379)) return;
  const server = await startServer();
  const r = await raw();
  const key = unique("oa-stream-crash");
  try {
    await createConnection(server, "redis-local", "redis");
    await createSourceRule(server, "tasks", "on-task");
    await createSource(server, { name: "tasks", connection: "redis-local", input: { stream: { key } } });
    await r.add(key, { n: "0" });
    await waitForExecutions(server, "on-task", 1);

    await server.kill();
    for (let n = 1; n <= 3; n++) await r.add(key, { n: String(n) });
    // one more entry delivered to the consumer but never acked, as if the server died mid-way
    await r.add(key, { n: "4" });
    await r.redis.call("XREADGROUP", "GROUP", "aionix", "aionix", "COUNT", 1, "STREAMS", key, ">");
    assertEquals(await r.pending(key, "aionix"), 1);
    await server.restart();

    const runs = await waitForExecutions(server, "on-task", 5);
    assertEquals(runs.map((x) => x.input.detail.data.n).sort(), [0, 1, 2, 3, 4]);
    await eventually(
      "the group to have nothing pending",
      async () => (await r.pending(key, "aionix")) === 0 ? true : undefined,
    );
  } finally {
    await server.stop();
    await r.close(key);
  }
});

Deno.test("a stream source reads one stream and nothing else", async () => {
  if (!await requireService("Redis", 6379)) return;
  const app = await fullServer();
  try {
    await createConnection(app, "redis-local", "redis");
    const both = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/event-sources", {
      name: "both",
      connection: "redis-local",
      input: { channels: ["c"], stream: { key: "s" } },
    });
    assertEquals([both.status, both.body.errors[0].path], [400, "/input/stream"]);
    const none = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/event-sources", {
      name: "none",
      connection: "redis-local",
      input: {},
    });
    assertEquals([none.status, none.body.errors[0].path], [400, "/input/channels"]);
  } finally {
    await app.close();
  }
});
