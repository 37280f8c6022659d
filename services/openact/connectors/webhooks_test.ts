import assert from "node:assert/strict";
import graphql from "./graphql.ts";
import slack from "./slack.ts";
import discord from "./discord.ts";
import { opts, testConnection } from "./shared/testing.ts";
import { startStub } from "../../../tests/helpers/openact_stubs.ts";
import type { Connector } from "./types.ts";

const exec = (c: Connector, conn: ReturnType<typeof testConnection>, op: string, input: unknown) =>
  c.execute(conn, op, c.operations[op].input.parse(input), opts()) as Promise<Record<string, unknown>>;

Deno.test("graphql sends queries with variables and maps GraphQL errors", async () => {
  const stub = await startStub((_req, rec) => {
    const { query, variables } = JSON.parse(rec.body);
    if (query.includes("__typename")) return Response.json({ data: { __typename: "Query" } });
    if (query.includes("broken")) {
      return Response.json({ errors: [{ message: "Cannot query field 'broken'" }] }, { status: 400 });
    }
    if (query.includes("partial")) {
      return Response.json({ data: { a: 1, b: null }, errors: [{ message: "b failed", path: ["b"] }] });
    }
    if (query.startsWith("mutation")) {
      return Response.json({ data: { createUser: { id: 9, name: variables.name } } });
    }
    return Response.json({ data: { user: { id: variables.id, auth: rec.headers.authorization } } });
  });
  const conn = testConnection(
    "graphql",
    graphql.settingsSchema.parse({
      baseUrl: `${stub.url}/graphql`,
      allowPrivateNetwork: true,
      auth: { type: "bearer" },
    }) as Record<
      string,
      unknown
    >,
    { credential: "gql-token" },
  );
  try {
    assert.equal((await graphql.test(conn, opts())).ok, true);
    const q = await exec(graphql, conn, "query", {
      query: "query($id: ID!) { user(id: $id) { id } }",
      variables: { id: "7" },
    });
    assert.deepEqual(q, { data: { user: { id: "7", auth: "Bearer gql-token" } } });
    assert.equal(stub.requests.at(-1)!.path, "/graphql");
    assert.equal(stub.requests.at(-1)!.method, "POST");
    const m = await exec(graphql, conn, "mutation", {
      query: "mutation($name: String!) { createUser(name: $name) { id } }",
      variables: { name: "ada" },
    });
    assert.deepEqual(m, { data: { createUser: { id: 9, name: "ada" } } });
    await assert.rejects(
      exec(graphql, conn, "query", { query: "{ broken }" }),
      /Cannot query field 'broken'/,
    );
    const partial = await exec(graphql, conn, "query", { query: "{ partial }" });
    assert.equal((partial.errors as unknown[]).length, 1);
    await assert.rejects(
      exec(graphql, conn, "mutation", { query: "query { x }" }),
      /starting with 'mutation'/,
    );
  } finally {
    await stub.close();
  }
});

Deno.test("slack and discord post to the webhook URL held in the credential", async () => {
  const stub = await startStub((_req, rec) => {
    if (rec.path.startsWith("/services/")) return new Response("ok");
    if (rec.path.startsWith("/api/webhooks/")) {
      return Response.json({ id: "m-1", content: JSON.parse(rec.body).content });
    }
    return new Response("no", { status: 404 });
  });
  try {
    const sl = testConnection(
      "slack",
      slack.settingsSchema.parse({ allowPrivateNetwork: true }) as Record<string, unknown>,
      {
        credential: `${stub.url}/services/T000/B000/XXXX`,
      },
    );
    const r = await exec(slack, sl, "post", { text: "deploy finished", blocks: [{ type: "section" }] });
    assert.deepEqual(r, { ok: true, status: 200, response: "ok" });
    assert.deepEqual(JSON.parse(stub.requests.at(-1)!.body), {
      text: "deploy finished",
      blocks: [{ type: "section" }],
    });

    const dc = testConnection(
      "discord",
      discord.settingsSchema.parse({ allowPrivateNetwork: true }) as Record<string, unknown>,
      {
        credential: { url: `${stub.url}/api/webhooks/1/abc` },
      },
    );
    const d = await exec(discord, dc, "post", { content: "hello", thread_id: "42" });
    assert.equal(d.id, "m-1");
    assert.equal(stub.requests.at(-1)!.query.wait, "true");
    assert.equal(stub.requests.at(-1)!.query.thread_id, "42");
    assert.throws(() => discord.operations.post.input.parse({}), /content or at least one embed/);

    const bad = testConnection(
      "slack",
      slack.settingsSchema.parse({ allowPrivateNetwork: true }) as Record<string, unknown>,
      {
        credential: `${stub.url}/nope`,
      },
    );
    await assert.rejects(exec(slack, bad, "post", { text: "x" }), /answered 404/);
    const guarded = testConnection("slack", slack.settingsSchema.parse({}) as Record<string, unknown>, {
      credential: `${stub.url}/services/T/B/X`,
    });
    const before = stub.requests.length;
    await assert.rejects(exec(slack, guarded, "post", { text: "x" }), /loopback/);
    assert.equal(stub.requests.length, before);
    const none = testConnection("discord", {}, {});
    await assert.rejects(
      exec(discord, none, "post", { content: "x" }),
      /credential must hold the webhook URL/,
    );
  } finally {
    await stub.close();
  }
});
