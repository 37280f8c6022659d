import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { requireService } from "../../../tests/helpers/services.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import nats from "./nats.ts";
import {
  ConnectorCancelledError,
  ConnectorError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { eventually, opts, silentServer, testConnection, uniqueName } from "./shared/testing.ts";

const conn = (extra: Record<string, unknown> = {}) =>
  testConnection("nats", { servers: ["127.0.0.1:4222"], ...extra });
const subj = () => uniqueName("oa").replaceAll("_", "-");

/** A responder written with the driver directly, independent of the connector under test. */
async function responder(subject: string, reply: (text: string) => string, delayMs = 0) {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: "127.0.0.1:4222" });
  nc.subscribe(subject, {
    callback: (_e, m) => {
      if (delayMs) setTimeout(() => m.respond(reply(m.string())), delayMs);
      else m.respond(reply(m.string()), { headers: m.headers });
    },
  });
  await nc.flush();
  return nc;
}

Deno.test("nats test() reports the server and JetStream", async () => {
  if (!await requireService("NATS", 4222)) return;
  try {
    const r = await nats.test(conn(), opts());
    assertEquals([r.ok, r.jetstream], [true, true]);
  } finally {
    await nats.close();
  }
});

Deno.test("nats publish reaches a wildcard subscription; stop ends delivery", async () => {
  if (!await requireService("NATS", 4222)) return;
  const c = conn();
  const base = subj();
  const got: { subject: string; data: unknown }[] = [];
  const stop = await nats.subscribe!(c, { subject: `${base}.*` }, (m) => got.push(m));
  try {
    await nats.execute(
      c,
      "publish",
      { subject: `${base}.a`, message: { n: 1 }, headers: { "X-Id": "1" } },
      opts(),
    );
    await nats.execute(c, "publish", { subject: `${base}.b`, message: "two" }, opts());
    await nats.execute(c, "publish", { subject: `${base}.b.deep`, message: "not matched" }, opts());
    await eventually(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(got.map((m) => [m.subject, m.data]), [[`${base}.a`, { n: 1 }], [`${base}.b`, "two"]]);
  } finally {
    await stop();
  }
  await nats.execute(c, "publish", { subject: `${base}.c`, message: "late" }, opts());
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(got.length, 2);
  await nats.close();
});

Deno.test("nats queue-group subscribers share the messages", async () => {
  if (!await requireService("NATS", 4222)) return;
  const c = conn();
  const s = subj();
  const a: unknown[] = [];
  const b: unknown[] = [];
  const stopA = await nats.subscribe!(c, { subject: s, queue: "workers" }, (m) => a.push(m.data));
  const stopB = await nats.subscribe!(c, { subject: s, queue: "workers" }, (m) => b.push(m.data));
  try {
    for (let i = 0; i < 20; i++) await nats.execute(c, "publish", { subject: s, message: i }, opts());
    await eventually(() => a.length + b.length === 20);
    assertEquals([...a, ...b].sort((x, y) => (x as number) - (y as number)), [...Array(20).keys()]);
  } finally {
    await stopA();
    await stopB();
    await nats.close();
  }
});

Deno.test("nats request returns the reply; no responders is a clear error", async () => {
  if (!await requireService("NATS", 4222)) return;
  const c = conn();
  const s = subj();
  const svc = await responder(s, (t) => JSON.stringify({ echo: t }));
  try {
    const r = await nats.execute(
      c,
      "request",
      { subject: s, message: "hi", headers: { "X-Trace": "t1" } },
      opts(),
    ) as {
      data: unknown;
      headers: Record<string, string>;
    };
    assertEquals(r.data, { echo: "hi" });
    assertEquals(r.headers["X-Trace"], "t1");
    const err = await assertRejects(
      () => nats.execute(c, "request", { subject: subj(), message: "x" }, opts()),
      ConnectorError,
      "no responders",
    );
    assertEquals(err.code, "NO_RESPONDERS");
  } finally {
    await svc.close();
    await nats.close();
  }
});

Deno.test("nats request past the timeout fails promptly with a timeout error", async () => {
  if (!await requireService("NATS", 4222)) return;
  const c = conn();
  const s = subj();
  const svc = await responder(s, (t) => t, 2000);
  try {
    const started = Date.now();
    await assertRejects(
      () => nats.execute(c, "request", { subject: s, message: "x" }, opts(200)),
      ConnectorTimeoutError,
    );
    assert(Date.now() - started < 1500);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => nats.execute(c, "request", { subject: s, message: "x" }, opts(5000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await svc.close();
    await nats.close();
  }
});

Deno.test("nats jetstreamPublish returns the stream sequence and deduplicates by msgId", async () => {
  if (!await requireService("NATS", 4222)) return;
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const admin = await connect({ servers: "127.0.0.1:4222" });
  const jsm = await jetstreamManager(admin);
  const s = subj();
  const stream = uniqueName("OA").toUpperCase().replaceAll("-", "_");
  await jsm.streams.add({ name: stream, subjects: [`${s}.>`], storage: "memory" as never });
  const c = conn();
  try {
    const a = await nats.execute(
      c,
      "jetstreamPublish",
      { subject: `${s}.x`, message: { o: 1 }, msgId: "m1" },
      opts(),
    );
    assertEquals(a, { stream, seq: 1, duplicate: false });
    const dup = await nats.execute(c, "jetstreamPublish", {
      subject: `${s}.x`,
      message: { o: 1 },
      msgId: "m1",
    }, opts());
    assertEquals(dup, { stream, seq: 1, duplicate: true });
    const b = await nats.execute(c, "jetstreamPublish", {
      subject: `${s}.y`,
      message: "two",
      expectStream: stream,
      expectLastSequence: 1,
    }, opts());
    assertEquals(b, { stream, seq: 2, duplicate: false });
    const wrong = await assertRejects(
      () =>
        nats.execute(c, "jetstreamPublish", { subject: `${s}.z`, message: 3, expectLastSequence: 1 }, opts()),
      ConnectorError,
    );
    assert(/sequence/i.test(wrong.message), wrong.message);
    const stored = await jsm.streams.getMessage(stream, { seq: 2 });
    assertEquals(stored?.string(), "two");
    const none = await assertRejects(
      () => nats.execute(c, "jetstreamPublish", { subject: `${subj()}.q`, message: 1 }, opts(2000)),
      ConnectorError,
    );
    assertEquals(none.code, "NO_STREAM");
  } finally {
    await jsm.streams.delete(stream);
    await admin.close();
    await nats.close();
  }
});

Deno.test("nats timeout against a server that never answers fails promptly", async () => {
  const silent = silentServer();
  const c = testConnection("nats", { servers: [`127.0.0.1:${silent.port}`], connectTimeoutMs: 1000 });
  try {
    const started = Date.now();
    await assertRejects(
      () => nats.execute(c, "publish", { subject: "a", message: 1 }, opts(200)),
      ConnectorTimeoutError,
    );
    assert(Date.now() - started < 900);
  } finally {
    await nats.close();
    silent.close();
  }
});

Deno.test("nats unreachable server is a 503 without the credential", async () => {
  const c = testConnection("nats", { servers: ["127.0.0.1:1"], connectTimeoutMs: 2000 }, {
    credential: "s3cret-tok",
  });
  const err = await assertRejects(() => nats.test(c, opts()), ConnectorUnavailableError);
  assert(!err.message.includes("s3cret-tok"));
  await assertRejects(() => nats.subscribe!(c, { subject: "a" }, () => {}), ConnectorUnavailableError);
  await nats.close();
});

Deno.test("nats bad input is a ValidationError naming the field", async () => {
  const c = conn();
  const cases: [string, unknown, string][] = [
    ["publish", { subject: "a.*" }, "/input/subject"],
    ["publish", { subject: "a b" }, "/input/subject"],
    ["request", { message: 1 }, "/input/subject"],
    ["jetstreamPublish", { subject: "a", expectLastSequence: -1 }, "/input/expectLastSequence"],
    ["publish", { subject: "a", headers: { "bad:name": "v" } }, "/input/headers/bad:name"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => nats.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const sub = await assertRejects(() => nats.subscribe!(c, {}, () => {}), ValidationError);
  assertEquals(sub.errors[0].path, "/input/subject");
  const s = await assertRejects(
    () => nats.test(testConnection("nats", { servers: ["no port"] }), opts()),
    ValidationError,
  );
  assertEquals(s.errors[0].path, "/settings/servers/0");
  await nats.close();
});

Deno.test("nats operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(nats.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
