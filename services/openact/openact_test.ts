import assert from "node:assert/strict";
import { inProcess } from "../../tests/helpers/inprocess.ts";
import { createOpenActService } from "./mod.ts";
import { fakeCredVault, startStub } from "../../tests/helpers/openact_stubs.ts";

async function setup() {
  const secrets = new Map<string, unknown>([["trn:credvault:default:credential/gh-token", "tok-123456"]]);
  const stub = await startStub((req, rec) => {
    if (rec.path === "/users") return Response.json([{ id: 1, name: "ada" }]);
    if (rec.path === "/echo") return Response.json({ method: req.method, body: rec.body, query: rec.query });
    if (rec.path === "/missing") return Response.json({ message: "nope" }, { status: 404 });
    if (rec.path === "/slow") return new Promise((r) => setTimeout(() => r(new Response("late")), 700));
    return new Response("?", { status: 500 });
  });
  const app = await inProcess({ services: [fakeCredVault(secrets), createOpenActService] });
  return { app, stub, secrets };
}

Deno.test("an http action runs GET /users on its connection with the bearer credential", async () => {
  const { app, stub } = await setup();
  try {
    const conn = await app.json("POST", "/api/v1/connections", {
      name: "github-api",
      kind: "http",
      settings: { baseUrl: stub.url, allowPrivateNetwork: true, auth: { type: "bearer" } },
      credential: "gh-token",
    });
    assert.equal(conn.status, 201, JSON.stringify(conn.body));
    const c = conn.body as Record<string, unknown>;
    assert.equal(c.trn, "trn:openact:default:connection/http/github-api");
    assert.equal(c.credential, "trn:credvault:default:credential/gh-token");
    const act = await app.json("POST", "/api/v1/actions", {
      name: "get-users",
      connection: "github-api",
      operation: "request",
      parameters: { method: "GET", path: "/users" },
    });
    assert.equal(act.status, 201, JSON.stringify(act.body));
    assert.equal((act.body as { trn: string }).trn, "trn:openact:default:action/http/get-users");
    const res = await app.json<{ output: { status: number; body: unknown } }>(
      "POST",
      "/api/v1/actions/http.get-users/execute",
      { input: {} },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.output.status, 200);
    assert.deepEqual(res.body.output.body, [{ id: 1, name: "ada" }]);
    assert.equal(stub.requests.at(-1)!.headers.authorization, "Bearer tok-123456");
    // the bus executor runs the same action for workflow tasks
    const viaBus = await app.server.deps.bus.execute("act:http.get-users", "default", { input: {} });
    assert.deepEqual((viaBus as { body: unknown }).body, [{ id: 1, name: "ada" }]);
    assert.equal(await app.server.deps.bus.exists("act:http.get-users", "default"), true);
    assert.equal(await app.server.deps.bus.exists("act:http.nope", "default"), false);
  } finally {
    await app.close();
    await stub.close();
  }
});

Deno.test("settings with an inline secret are refused with a 400 naming the field", async () => {
  const { app, stub } = await setup();
  try {
    const res = await app.json<{ errors: { path: string; message: string }[] }>(
      "POST",
      "/api/v1/connections",
      {
        name: "bad",
        kind: "http",
        settings: { baseUrl: stub.url, headers: { Authorization: "Bearer leaked" } },
      },
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].path, "/settings/headers/Authorization");
    assertMatchText(res.body.errors[0].message, /CredVault/);
    const unknownKind = await app.json<{ detail: string }>("POST", "/api/v1/connections", {
      name: "x",
      kind: "ftp",
      settings: {},
    });
    assert.equal(unknownKind.status, 400);
    assertMatchText(unknownKind.body.detail, /unknown connector kind 'ftp'/);
    const badSetting = await app.json<{ errors: { path: string }[] }>("POST", "/api/v1/connections", {
      name: "x",
      kind: "http",
      settings: { baseUrl: "not a url" },
    });
    assert.equal(badSetting.status, 400);
    assert.equal(badSetting.body.errors[0].path, "/settings/baseUrl");
  } finally {
    await app.close();
    await stub.close();
  }
});

Deno.test("action input is checked against its JSON Schema and merged over its parameters", async () => {
  const { app, stub } = await setup();
  try {
    await app.json("POST", "/api/v1/connections", {
      name: "echo",
      kind: "http",
      settings: { baseUrl: stub.url, allowPrivateNetwork: true },
    });
    const created = await app.json("POST", "/api/v1/actions", {
      name: "post-echo",
      connection: "echo",
      operation: "request",
      parameters: { method: "POST", path: "/echo", query: { fixed: "1" } },
      inputSchema: {
        type: "object",
        properties: { json: { type: "object" }, query: { type: "object" } },
        required: ["json"],
        additionalProperties: false,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bad = await app.json<{ errors: { path: string }[] }>(
      "POST",
      "/api/v1/actions/http.post-echo/execute",
      {
        input: {},
      },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, "/input/json");
    const ok = await app.json<
      { output: { body: { method: string; body: string; query: Record<string, string> } } }
    >(
      "POST",
      "/api/v1/actions/http.post-echo/execute",
      { input: { json: { a: 1 }, query: { page: 2 } } },
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.output.body.method, "POST");
    assert.equal(ok.body.output.body.body, '{"a":1}');
    assert.deepEqual(ok.body.output.body.query, { fixed: "1", page: "2" });
  } finally {
    await app.close();
    await stub.close();
  }
});

Deno.test("ad hoc execution, upstream errors as 502 and timeouts as 504", async () => {
  const { app, stub } = await setup();
  try {
    await app.json("POST", "/api/v1/connections", {
      name: "svc",
      kind: "http",
      settings: { baseUrl: stub.url, allowPrivateNetwork: true },
    });
    const ok = await app.json<{ output: { status: number } }>("POST", "/api/v1/openact/execute", {
      connection: "svc",
      operation: "get",
      input: { path: "/users" },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.output.status, 200);
    const missing = await app.json<{ upstreamStatus: number; detail: string }>(
      "POST",
      "/api/v1/openact/execute",
      {
        connection: "svc",
        operation: "get",
        input: { path: "/missing" },
      },
    );
    assert.equal(missing.status, 502);
    assert.equal(missing.body.upstreamStatus, 404);
    const slow = await app.json("POST", "/api/v1/openact/execute", {
      connection: "svc",
      operation: "get",
      input: { path: "/slow" },
      timeoutMs: 200,
    });
    assert.equal(slow.status, 504);
    const badOp = await app.json<{ errors: { path: string; message: string }[] }>(
      "POST",
      "/api/v1/openact/execute",
      {
        connection: "svc",
        operation: "frobnicate",
      },
    );
    assert.equal(badOp.status, 400);
    assert.equal(badOp.body.errors[0].path, "/operation");
  } finally {
    await app.close();
    await stub.close();
  }
});

Deno.test("the SSRF guard refuses loopback unless the connection allows private networks", async () => {
  const { app, stub } = await setup();
  try {
    await app.json("POST", "/api/v1/connections", {
      name: "guarded",
      kind: "http",
      settings: { baseUrl: stub.url },
    });
    const res = await app.json<{ detail: string }>("POST", "/api/v1/openact/execute", {
      connection: "guarded",
      operation: "get",
      input: { path: "/users" },
    });
    assert.equal(res.status, 403);
    assertMatchText(res.body.detail, /loopback.*allowPrivateNetwork/);
    assert.equal(stub.requests.length, 0);
  } finally {
    await app.close();
    await stub.close();
  }
});

Deno.test("connections and actions list, get, delete; a used connection cannot be deleted", async () => {
  const { app, stub } = await setup();
  try {
    for (const name of ["a", "b", "c"]) {
      await app.json("POST", "/api/v1/connections", { name, kind: "http", settings: { baseUrl: stub.url } });
    }
    const page1 = await app.json<{ items: { name: string }[]; nextToken?: string }>(
      "GET",
      "/api/v1/connections?limit=2",
    );
    assert.deepEqual(page1.body.items.map((i) => i.name), ["a", "b"]);
    const page2 = await app.json<{ items: { name: string }[]; nextToken?: string }>(
      "GET",
      `/api/v1/connections?limit=2&nextToken=${page1.body.nextToken}`,
    );
    assert.deepEqual(page2.body.items.map((i) => i.name), ["c"]);
    assert.equal(page2.body.nextToken, undefined);
    const dup = await app.json("POST", "/api/v1/connections", { name: "a", kind: "http", settings: {} });
    assert.equal(dup.status, 409);
    await app.json("POST", "/api/v1/actions", {
      name: "x",
      connection: "a",
      operation: "get",
      parameters: { path: "/" },
    });
    const byTrn = await app.json("GET", "/api/v1/actions/trn:openact:default:action%2Fhttp%2Fx");
    assert.equal(byTrn.status, 200, JSON.stringify(byTrn.body));
    const used = await app.json<{ detail: string }>("DELETE", "/api/v1/connections/a");
    assert.equal(used.status, 409);
    assertMatchText(used.body.detail, /http\.x/);
    assert.equal((await app.json("DELETE", "/api/v1/actions/http.x")).status, 200);
    assert.equal((await app.json("DELETE", "/api/v1/connections/a")).status, 200);
    assert.equal((await app.json("GET", "/api/v1/connections/a")).status, 404);
    const other = await app.json("GET", "/api/v1/connections/b", undefined, { "x-aionix-tenant": "other" });
    assert.equal(other.status, 404);
  } finally {
    await app.close();
    await stub.close();
  }
});

function assertMatchText(value: string, re: RegExp) {
  assert.match(value, re);
}
