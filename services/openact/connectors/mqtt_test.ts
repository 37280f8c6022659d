import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import mqtt from "./mqtt.ts";
import {
  ConnectorCancelledError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { eventually, opts, silentServer, testConnection, uniqueName } from "./shared/testing.ts";

const conn = (extra: Record<string, unknown> = {}) =>
  testConnection("mqtt", { host: "127.0.0.1", port: 1883, ...extra });
type Received = { messages: { topic: string; data: unknown; retained: boolean }[]; count: number };

Deno.test("mqtt test() connects to the real Mosquitto", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  try {
    assertEquals((await mqtt.test(conn(), opts())).ok, true);
  } finally {
    await mqtt.close();
  }
});

Deno.test("mqtt subscribe with a wildcard filter receives JSON and text until stopped", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const c = conn();
  const base = uniqueName("oa/mq");
  const got: { subject: string; data: unknown }[] = [];
  const stop = await mqtt.subscribe!(c, { topic: `${base}/+/temp`, qos: 1 }, (m) => got.push(m));
  try {
    await mqtt.execute(c, "publish", { topic: `${base}/k1/temp`, message: { c: 21.5 }, qos: 1 }, opts());
    await mqtt.execute(c, "publish", { topic: `${base}/k2/temp`, message: "hot", qos: 2 }, opts());
    await mqtt.execute(c, "publish", { topic: `${base}/k2/humidity`, message: 40, qos: 1 }, opts());
    await eventually(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(got.map((m) => [m.subject, m.data]), [[`${base}/k1/temp`, { c: 21.5 }], [
      `${base}/k2/temp`,
      "hot",
    ]]);
  } finally {
    await stop();
  }
  await mqtt.execute(c, "publish", { topic: `${base}/k3/temp`, message: "late", qos: 1 }, opts());
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(got.length, 2);
  await mqtt.close();
});

Deno.test("mqtt receive returns a retained message, and nothing after it is cleared", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const c = conn();
  const t = uniqueName("oa/ret");
  try {
    await mqtt.execute(c, "publish", { topic: t, message: { state: "on" }, retain: true }, opts());
    const r = await mqtt.execute(c, "receive", { topic: t, waitMs: 2000 }, opts()) as Received;
    assertEquals(r.messages, [{ topic: t, data: { state: "on" }, retained: true }]);
    // an empty retained payload clears it
    await mqtt.execute(c, "publish", { topic: t, message: "", retain: true }, opts());
    const started = Date.now();
    const none = await mqtt.execute(c, "receive", { topic: t, waitMs: 200 }, opts()) as Received;
    assertEquals(none, { messages: [], count: 0 });
    assert(Date.now() - started >= 190);
  } finally {
    await mqtt.close();
  }
});

Deno.test("mqtt receive stops after count messages", async () => {
  if (!await requireService("Mosquitto", 1883)) return;
  const c = conn();
  const t = uniqueName("oa/cnt");
  try {
    const pending = mqtt.execute(c, "receive", { topic: `${t}/#`, count: 2, waitMs: 5000 }, opts(10_000));
    // keep publishing until the receiver has subscribed and collected two
    let i = 0;
    let settled = false;
    pending.finally(() => (settled = true));
    while (!settled && i < 100) {
      await mqtt.execute(c, "publish", { topic: `${t}/${i++}`, message: i }, opts());
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await pending as Received;
    assertEquals(r.count, 2);
  } finally {
    await mqtt.close();
  }
});

Deno.test("mqtt timeout and cancellation against a broker that never answers fail promptly", async () => {
  const silent = silentServer();
  const c = testConnection("mqtt", { port: silent.port, connectTimeoutMs: 60_000 });
  try {
    const started = Date.now();
    await assertRejects(
      () => mqtt.execute(c, "publish", { topic: "a/b", message: 1 }, opts(200)),
      ConnectorTimeoutError,
    );
    assert(Date.now() - started < 2000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => mqtt.execute(c, "publish", { topic: "a/b", message: 1 }, opts(10_000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await mqtt.close();
    silent.close();
  }
});

Deno.test("mqtt unreachable broker is a 503 without the password", async () => {
  const c = testConnection("mqtt", { port: 1 }, { credential: "s3cret-pass" });
  const err = await assertRejects(() => mqtt.test(c, opts()), ConnectorUnavailableError);
  assert(!err.message.includes("s3cret-pass"));
  await assertRejects(() => mqtt.subscribe!(c, { topic: "a" }, () => {}), ConnectorUnavailableError);
  await mqtt.close();
});

Deno.test("mqtt bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const cases: [string, unknown, string][] = [
    ["publish", { topic: "a/+/b", message: 1 }, "/input/topic"],
    ["publish", { topic: "a", message: 1, qos: 3 }, "/input/qos"],
    ["publish", { topic: "a" }, "/input/message"],
    ["receive", { topic: "a", count: 0 }, "/input/count"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => mqtt.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const sub = await assertRejects(() => mqtt.subscribe!(c, {}, () => {}), ValidationError);
  assertEquals(sub.errors[0].path, "/input/topic");
  const s = await assertRejects(
    () => mqtt.test(testConnection("mqtt", { protocolVersion: 3 }), opts()),
    ValidationError,
  );
  assertEquals(s.errors[0].path, "/settings/protocolVersion");
  await mqtt.close();
});

Deno.test("mqtt operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(mqtt.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
