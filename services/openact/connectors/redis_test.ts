import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import redis from "./redis.ts";
import {
  ConnectorCancelledError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { eventually, opts, silentServer, testConnection, uniqueName } from "./shared/testing.ts";

const prefix = () => uniqueName("oa_rd") + ":";
const conn = (extra: Record<string, unknown> = {}) =>
  testConnection("redis", { host: "127.0.0.1", port: 6379, keyPrefix: prefix(), ...extra });
const run = (c: ReturnType<typeof conn>, op: string, input: unknown) => redis.execute(c, op, input, opts());

/** CLIENT LIST over a raw socket (RESP inline command), independent of the driver under test. */
async function clientsNamed(name: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: 6379 });
  try {
    await conn.write(new TextEncoder().encode("CLIENT LIST\r\n"));
    let text = "";
    const buf = new Uint8Array(65536);
    // bulk reply: $<len>\r\n<body>\r\n
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      const m = /^\$(\d+)\r\n/.exec(text);
      if (m && new TextEncoder().encode(text).length >= m[0].length + Number(m[1]) + 2) break;
    }
    return text.split("\n").filter((l) => l.includes(` name=${name} `)).length;
  } finally {
    conn.close();
  }
}

Deno.test("redis test() pings the real server", async () => {
  if (!await requireService("Redis", 6379)) return;
  try {
    const r = await redis.test(conn(), opts());
    assertEquals(r.ok, true);
    assert(typeof r.serverVersion === "string");
  } finally {
    await redis.close();
  }
});

Deno.test("redis set/get/exists/expire/ttl/del honour TTLs, NX and the key prefix", async () => {
  if (!await requireService("Redis", 6379)) return;
  const c = conn();
  try {
    assertEquals(await run(c, "set", { key: "s", value: "v1" }), { ok: true });
    assertEquals(await run(c, "set", { key: "s", value: "v2", condition: "nx" }), { ok: false });
    assertEquals(await run(c, "get", { key: "s" }), { value: "v1" });
    assertEquals(await run(c, "set", { key: "j", value: { a: [1] }, ttlSeconds: 100 }), { ok: true });
    assertEquals(await run(c, "get", { key: "j" }), { value: '{"a":[1]}' });
    const ttl = (await run(c, "ttl", { key: "j" }) as { ttlSeconds: number }).ttlSeconds;
    assert(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assertEquals(await run(c, "expire", { key: "s", seconds: 50 }), { ok: true });
    assertEquals(await run(c, "exists", { keys: ["s", "j", "nope"] }), { count: 2 });
    // the prefix isolates keys: another prefix sees nothing
    assertEquals(await run(conn(), "get", { key: "s" }), { value: null });
    assertEquals(await run(c, "del", { keys: ["s", "j"] }), { deleted: 2 });
    assertEquals(await run(c, "get", { key: "s" }), { value: null });
  } finally {
    await redis.close();
  }
});

Deno.test("redis incr counts by 1 and by a given step", async () => {
  if (!await requireService("Redis", 6379)) return;
  const c = conn();
  try {
    assertEquals(await run(c, "incr", { key: "n" }), { value: 1 });
    assertEquals(await run(c, "incr", { key: "n", by: 41 }), { value: 42 });
    assertEquals(await run(c, "incr", { key: "n", by: -2 }), { value: 40 });
    await run(c, "del", { keys: ["n"] });
  } finally {
    await redis.close();
  }
});

Deno.test("redis hash operations set, read and delete fields", async () => {
  if (!await requireService("Redis", 6379)) return;
  const c = conn();
  try {
    assertEquals(await run(c, "hset", { key: "h", fields: { a: "1", b: 2, c: true } }), { added: 3 });
    assertEquals(await run(c, "hget", { key: "h", field: "b" }), { value: "2" });
    assertEquals(await run(c, "hgetall", { key: "h" }), { fields: { a: "1", b: "2", c: "true" } });
    assertEquals(await run(c, "hdel", { key: "h", fields: ["a", "zz"] }), { deleted: 1 });
    assertEquals(await run(c, "hgetall", { key: "h" }), { fields: { b: "2", c: "true" } });
    await run(c, "del", { keys: ["h"] });
  } finally {
    await redis.close();
  }
});

Deno.test("redis list operations push, pop and range in order", async () => {
  if (!await requireService("Redis", 6379)) return;
  const c = conn();
  try {
    assertEquals(await run(c, "rpush", { key: "l", values: ["b", "c"] }), { length: 2 });
    assertEquals(await run(c, "lpush", { key: "l", values: ["a"] }), { length: 3 });
    assertEquals(await run(c, "rpush", { key: "l", values: [{ d: 4 }] }), { length: 4 });
    assertEquals(await run(c, "lrange", { key: "l" }), { values: ["a", "b", "c", '{"d":4}'] });
    assertEquals(await run(c, "llen", { key: "l" }), { length: 4 });
    assertEquals(await run(c, "lpop", { key: "l" }), { value: "a" });
    assertEquals(await run(c, "rpop", { key: "l", count: 2 }), { values: ['{"d":4}', "c"] });
    assertEquals(await run(c, "lrange", { key: "l", start: 0, stop: 0 }), { values: ["b"] });
    await run(c, "del", { keys: ["l"] });
  } finally {
    await redis.close();
  }
});

Deno.test("redis subscribe delivers channel and pattern messages until stopped", async () => {
  if (!await requireService("Redis", 6379)) return;
  const c = conn();
  const ch = uniqueName("oa_ch");
  const got: { subject: string; data: unknown }[] = [];
  const stop = await redis.subscribe!(c, { channels: [ch], patterns: [`${ch}.p.*`] }, (m) => got.push(m));
  try {
    assertEquals(await run(c, "publish", { channel: ch, message: { order: 1 } }), { receivers: 1 });
    await run(c, "publish", { channel: `${ch}.p.x`, message: "text" });
    await eventually(() => got.length === 2);
    assertEquals(got.map((m) => [m.subject, m.data]), [[ch, { order: 1 }], [`${ch}.p.x`, "text"]]);
  } finally {
    await stop();
  }
  assertEquals(await run(c, "publish", { channel: ch, message: "after" }), { receivers: 0 });
  assertEquals(got.length, 2);
  await redis.close();
});

Deno.test("redis pools one client per connection revision; close() disconnects it", async () => {
  if (!await requireService("Redis", 6379)) return;
  const name = uniqueName("oa_pool");
  const c = conn({ clientName: name });
  try {
    await run(c, "get", { key: "x" });
    await run(c, "get", { key: "x" });
    assertEquals(await clientsNamed(name), 1);
    await redis.execute({ ...c, revision: "2" }, "get", { key: "x" }, opts());
    await eventually(async () => (await clientsNamed(name)) === 1);
    await redis.close(c.trn);
    await eventually(async () => (await clientsNamed(name)) === 0);
  } finally {
    await redis.close();
  }
});

Deno.test("redis timeout against a server that never answers fails promptly", async () => {
  const silent = silentServer();
  const c = testConnection("redis", { port: silent.port, connectTimeoutMs: 100_000 });
  try {
    const started = Date.now();
    await assertRejects(() => redis.execute(c, "get", { key: "k" }, opts(200)), ConnectorTimeoutError);
    assert(Date.now() - started < 3000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => redis.execute(c, "get", { key: "k" }, opts(10_000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await redis.close();
    silent.close();
  }
});

Deno.test("redis unreachable server is a 503", async () => {
  const c = testConnection("redis", { port: 1 }, { credential: "s3cret-pass" });
  const err = await assertRejects(
    () => redis.execute(c, "get", { key: "k" }, opts()),
    ConnectorUnavailableError,
  );
  assert(!err.message.includes("s3cret-pass"));
  await redis.close();
});

Deno.test("redis bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const cases: [string, unknown, string][] = [
    ["set", { key: "k" }, "/input/value"],
    ["set", { key: "k", value: 1, ttlSeconds: 1, ttlMs: 5 }, "/input/ttlMs"],
    ["hset", { key: "k", fields: {} }, "/input/fields"],
    ["del", { keys: [] }, "/input/keys"],
    ["incr", { key: "k", by: 1.5 }, "/input/by"],
    ["get", { key: "" }, "/input/key"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => redis.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const sub = await assertRejects(() => redis.subscribe!(c, {}, () => {}), ValidationError);
  assertEquals(sub.errors[0].path, "/input/channels");
  const s = await assertRejects(
    () => redis.execute(testConnection("redis", { db: -1 }), "get", { key: "k" }, opts()),
    ValidationError,
  );
  assertEquals(s.errors[0].path, "/settings/db");
  await redis.close();
});

Deno.test("redis operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(redis.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
