/**
 * No MongoDB server runs on our machines: these are driver-level tests (validation, Extended
 * JSON mapping, client config, unreachable/silent server behaviour). Operations are not
 * exercised against a real server.
 */
import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { ValidationError } from "../../../runtime/errors.ts";
import { z } from "zod";
import mongo from "./mongodb.ts";
import { fromBson, mongoClientConfig, settingsSchema, toBson } from "./mongodb_ops.ts";
import {
  ConnectorCancelledError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "./shared/errors.ts";
import { opts, silentServer, testConnection } from "./shared/testing.ts";

Deno.test("mongodb client config keeps the password out of the connection string", () => {
  const s = settingsSchema.parse({
    hosts: ["a:27017", "b:27018"],
    database: "app",
    user: "svc",
    replicaSet: "rs0",
  });
  const { uri, options } = mongoClientConfig(s, "p@ss/word");
  assertEquals(uri, "mongodb://a:27017,b:27018/");
  assert(!uri.includes("p@ss"));
  assertEquals(options.auth, { username: "svc", password: "p@ss/word" });
  assertEquals([options.authSource, options.replicaSet, options.maxPoolSize], ["admin", "rs0", 10]);
  const anon = mongoClientConfig(settingsSchema.parse({ database: "app" }), undefined);
  assertEquals(anon.options.auth, undefined);
});

Deno.test("mongodb Extended JSON input becomes BSON and results come back as relaxed Extended JSON", async () => {
  const { ObjectId } = await import("mongodb");
  const hex = "65a1b2c3d4e5f60718293a4b";
  const filter = await toBson({ _id: { $oid: hex }, at: { $gte: { $date: "2024-01-02T03:04:05Z" } }, n: 5 });
  assert(filter._id instanceof ObjectId);
  assertEquals((filter._id as InstanceType<typeof ObjectId>).toHexString(), hex);
  assert((filter.at as { $gte: unknown }).$gte instanceof Date);
  assertEquals(filter.n, 5);
  const out = await fromBson([{ _id: new ObjectId(hex), at: new Date("2024-01-02T03:04:05Z"), tags: ["a"] }]);
  assertEquals(out, [{ _id: { $oid: hex }, at: { $date: "2024-01-02T03:04:05Z" }, tags: ["a"] }]);
  // and the output survives JSON
  assertEquals(JSON.parse(JSON.stringify(out)), out);
});

Deno.test("mongodb unreachable server is a 503 and the next call retries with a fresh client", async () => {
  const c = testConnection("mongodb", {
    hosts: ["127.0.0.1:1"],
    database: "d",
    serverSelectionTimeoutMs: 300,
  }, {
    credential: "s3cret-pass",
  });
  try {
    for (let i = 0; i < 2; i++) {
      const err = await assertRejects(
        () => mongo.execute(c, "find", { collection: "x" }, opts()),
        ConnectorUnavailableError,
      );
      assert(err.message.includes("ECONNREFUSED"), err.message);
      assert(!err.message.includes("s3cret-pass"));
    }
    await assertRejects(() => mongo.test(c, opts()), ConnectorUnavailableError);
  } finally {
    await mongo.close();
  }
});

Deno.test("mongodb timeout and cancellation against a server that never answers fail promptly", async () => {
  const silent = silentServer();
  const c = testConnection("mongodb", { hosts: [`127.0.0.1:${silent.port}`], database: "d" });
  try {
    const started = Date.now();
    await assertRejects(
      () => mongo.execute(c, "find", { collection: "x" }, opts(200)),
      ConnectorTimeoutError,
    );
    assert(Date.now() - started < 1500);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assertRejects(
      () => mongo.execute(c, "insertOne", { collection: "x", document: { a: 1 } }, opts(10_000, ac.signal)),
      ConnectorCancelledError,
    );
  } finally {
    await mongo.close();
    silent.close();
  }
});

Deno.test("mongodb bad input is a ValidationError naming the field", async () => {
  const c = testConnection("mongodb", { database: "d" });
  const cases: [string, unknown, string][] = [
    ["find", {}, "/input/collection"],
    ["find", { collection: "x", limit: 0 }, "/input/limit"],
    ["find", { collection: "x", sort: { a: 2 } }, "/input/sort/a"],
    ["insertMany", { collection: "x", documents: [] }, "/input/documents"],
    ["updateOne", { collection: "x", filter: {}, update: { a: 1 } }, "/input/update"],
    ["aggregate", { collection: "x", pipeline: "nope" }, "/input/pipeline"],
    ["deleteMany", { collection: "x" }, "/input/filter"],
    ["insertOne", { collection: "system.users", document: {} }, "/input/collection"],
  ];
  for (const [op, input, path] of cases) {
    const err = await assertRejects(() => mongo.execute(c, op, input, opts()), ValidationError);
    assertEquals(err.errors[0].path, path, `${op} ${JSON.stringify(input)}`);
  }
  const s = await assertRejects(() => mongo.test(testConnection("mongodb", {}), opts()), ValidationError);
  assertEquals(s.errors[0].path, "/settings/database");
  await mongo.close();
});

Deno.test("mongodb operation inputs export as JSON Schema", () => {
  for (const [name, op] of Object.entries(mongo.operations)) {
    assertEquals((z.toJSONSchema(op.input) as { type: string }).type, "object", name);
  }
});
